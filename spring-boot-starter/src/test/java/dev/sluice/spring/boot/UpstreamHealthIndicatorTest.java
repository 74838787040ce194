package dev.sluice.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

class UpstreamHealthIndicatorTest {

  private static SluiceProperties.Health settings(Duration ttl) {
    SluiceProperties.Health h = new SluiceProperties.Health();
    h.setCacheTtl(ttl);
    h.setTimeout(Duration.ofSeconds(2));
    return h;
  }

  /** A loopback listener that counts the connections it accepts. */
  private static final class Listener implements AutoCloseable {
    final ServerSocket socket;
    final AtomicInteger accepted = new AtomicInteger();
    final Thread thread;

    Listener() throws Exception {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      thread = new Thread(() -> {
        while (!socket.isClosed()) {
          try (Socket s = socket.accept()) {
            accepted.incrementAndGet();
          } catch (Exception e) {
            return;
          }
        }
      }, "health-test-listener");
      thread.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    int awaitAccepted(int n) throws InterruptedException {
      for (int i = 0; i < 100 && accepted.get() < n; i++) {
        Thread.sleep(20);
      }
      return accepted.get();
    }

    @Override
    public void close() throws Exception {
      socket.close();
      thread.join(5000);
    }
  }

  /** A loopback port nothing listens on (just closed). */
  private static int closedPort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void reachableUpstream_isUp_withItsHostAndPortOnly() throws Exception {
    try (Listener upstream = new Listener()) {
      URI withUserInfo = URI.create("http://user:secret@127.0.0.1:" + upstream.socket.getLocalPort());
      Health health = new UpstreamHealthIndicator(withUserInfo, settings(Duration.ZERO)).health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      @SuppressWarnings("unchecked")
      Map<String, Map<String, Object>> entries =
          (Map<String, Map<String, Object>>) health.getDetails().get("upstreams");
      assertThat(entries).containsOnlyKeys("127.0.0.1:" + upstream.socket.getLocalPort());
      assertThat(entries.values().iterator().next()).containsEntry("reachable", true)
          .containsKey("connectMillis");
      assertThat(health.toString()).doesNotContain("secret");
      assertThat(upstream.awaitAccepted(1)).isEqualTo(1);
    }
  }

  @Test
  void unreachableUpstream_isDown_withTheError() throws Exception {
    int closed = closedPort();
    Health health = new UpstreamHealthIndicator(URI.create("http://127.0.0.1:" + closed),
        settings(Duration.ZERO)).health();
    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.getDetails().toString()).contains("reachable=false")
        .contains("ConnectException");
  }

  @Test
  void answer_isReusedWithinTheCacheTtl() throws Exception {
    try (Listener upstream = new Listener()) {
      UpstreamHealthIndicator cached =
          new UpstreamHealthIndicator(upstream.uri(), settings(Duration.ofMinutes(5)));
      for (int i = 0; i < 5; i++) {
        assertThat(cached.health().getStatus()).isEqualTo(Status.UP);
      }
      assertThat(upstream.awaitAccepted(1)).isEqualTo(1);

      UpstreamHealthIndicator uncached =
          new UpstreamHealthIndicator(upstream.uri(), settings(Duration.ZERO));
      for (int i = 0; i < 3; i++) {
        uncached.health();
      }
      assertThat(upstream.awaitAccepted(4)).isEqualTo(4);
    }
  }

  @Test
  void defaultPorts_followTheScheme() {
    // Reported in the details even when the check fails (no network here: .invalid never resolves).
    assertThat(new UpstreamHealthIndicator(URI.create("https://api.anthropic.invalid"),
        settings(Duration.ZERO)).health().getDetails().toString())
        .contains("api.anthropic.invalid:443");
    assertThat(new UpstreamHealthIndicator(URI.create("http://api.anthropic.invalid"),
        settings(Duration.ZERO)).health().getDetails().toString())
        .contains("api.anthropic.invalid:80");
  }

  @Test
  void severalEntries_eachReachableOrNot_withTheirCoolDowns_neverAKey() throws Exception {
    int closed = closedPort();
    try (Listener upstream = new Listener()) {
      var open = new dev.sluice.failover.UpstreamEntry(upstream.uri(), 0, 1,
          java.util.List.of("sk-one", "sk-two"));
      var dead = dev.sluice.failover.UpstreamEntry.of(URI.create("http://127.0.0.1:" + closed));
      java.time.Instant until = java.time.Instant.parse("2030-01-01T00:00:00Z");
      var states = new java.util.concurrent.atomic.AtomicReference<>(java.util.List.of(
          new dev.sluice.failover.UpstreamStatus("127.0.0.1", 0, 1, 2, java.util.Optional.empty(),
              1, java.util.Optional.of(until)),
          new dev.sluice.failover.UpstreamStatus("127.0.0.1", 1, 1, 0, java.util.Optional.of(until),
              0, java.util.Optional.empty())));
      UpstreamHealthIndicator indicator = new UpstreamHealthIndicator(
          java.util.List.of(open, dead), settings(Duration.ofMinutes(5)), states::get);
      Health health = indicator.health();
      assertThat(health.getStatus()).as("one entry reachable").isEqualTo(Status.UP);
      @SuppressWarnings("unchecked")
      Map<String, Map<String, Object>> entries =
          (Map<String, Map<String, Object>>) health.getDetails().get("upstreams");
      assertThat(entries).containsOnlyKeys("127.0.0.1:" + upstream.socket.getLocalPort(),
          "127.0.0.1:" + closed);
      assertThat(entries.get("127.0.0.1:" + upstream.socket.getLocalPort()))
          .containsEntry("reachable", true).containsEntry("coolingDown", false)
          .containsEntry("keys", 2).containsEntry("keysCoolingDown", 1)
          .containsEntry("keysCoolingDownUntil", "2030-01-01T00:00:00Z");
      assertThat(entries.get("127.0.0.1:" + closed)).containsEntry("reachable", false)
          .containsEntry("coolingDown", true)
          .containsEntry("coolingDownUntil", "2030-01-01T00:00:00Z").doesNotContainKey("keys");
      assertThat(health.toString()).doesNotContain("sk-");

      // The cool-downs are read on every call; the connects are cached.
      states.set(java.util.List.of());
      assertThat(indicator.health().getDetails().toString()).doesNotContain("coolingDown");
      assertThat(upstream.awaitAccepted(1)).isEqualTo(1);
    }
  }

  @Test
  void noEntryReachable_isDown() throws Exception {
    int closed = closedPort();
    var dead = dev.sluice.failover.UpstreamEntry.of(URI.create("http://127.0.0.1:" + closed));
    var alsoDead = dev.sluice.failover.UpstreamEntry.of(URI.create("http://[::1]:" + closed));
    assertThat(new UpstreamHealthIndicator(java.util.List.of(dead, alsoDead),
        settings(Duration.ZERO), java.util.List::of).health().getStatus()).isEqualTo(Status.DOWN);
  }
}
