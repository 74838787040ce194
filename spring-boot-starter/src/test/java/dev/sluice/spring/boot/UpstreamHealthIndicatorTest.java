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
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
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
}
