package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.sluice.testkit.MockUpstream;
import dev.sluice.testkit.RecordedRequest;
import jakarta.servlet.ServletContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The detector SPI: which detector a filter picks, and when an exchange arms and disarms it. */
class DisconnectsTest {
  private static final String STREAM = KeepAliveTest.STREAM;
  private final ClassLoader loader = getClass().getClassLoader();

  @BeforeEach
  void reset() {
    ScriptedDetector.enabled = false;
    ScriptedDetector.throwOnArm = false;
    ScriptedDetector.EVENTS.clear();
    ScriptedDetector.ON_GONE.set(null);
  }

  @AfterEach
  void off() {
    reset();
  }

  @Test
  void picksASupportingDetector_andNamesIt() {
    ScriptedDetector.enabled = true;
    assertThat(Disconnects.load(loader, context(), "auto"))
        .hasToString("scripted (dev.sluice.ScriptedDetector)");
    assertThat(Disconnects.load(loader, context(), "")).hasToString(
        "scripted (dev.sluice.ScriptedDetector)");
  }

  @Test
  void noSupportingDetector_saysWhichDeclined() {
    assertThat(Disconnects.load(loader, context(), "auto"))
        .hasToString("at the next write (scripted not for TestServer/1.0)");
  }

  @Test
  void off_usesNone() {
    ScriptedDetector.enabled = true;
    assertThat(Disconnects.load(loader, context(), "OFF"))
        .hasToString("at the next write (client-disconnect=off)");
  }

  @Test
  void invalidSetting_failsNamingIt() {
    assertThatThrownBy(() -> Disconnects.load(loader, context(), "sometimes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'client-disconnect'").hasMessageContaining("auto or off");
  }

  @Test
  void exchange_armsAfterTheBody_disarmsOnceBeforeTheEnd() throws Exception {
    ScriptedDetector.enabled = true;
    try (MockUpstream mock = MockUpstream.start();
        EmbeddedJetty jetty = EmbeddedJetty.start(filter(mock))) {
      HttpResponse<String> r = send(jetty, "x-mock-scenario", "text").get(20, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(new String(MockUpstream.transcript("text"),
          StandardCharsets.UTF_8));
      assertThat(events()).containsExactly("arm", "disarm");
    }
  }

  @Test
  void detectorReportsGone_upstreamCancelledAtOnce() throws Exception {
    ScriptedDetector.enabled = true;
    try (MockUpstream mock = MockUpstream.start();
        EmbeddedJetty jetty = EmbeddedJetty.start(filter(mock))) {
      CompletableFuture<HttpResponse<String>> r = send(jetty, "x-mock-header-delay-ms", "20000");
      RecordedRequest upstream = mock.takeRequest(Duration.ofSeconds(10));
      assertThat(ScriptedDetector.EVENTS.poll(10, TimeUnit.SECONDS)).isEqualTo("arm");
      ScriptedDetector.ON_GONE.get().run();
      assertThat(upstream.awaitOutcome(Duration.ofSeconds(5)))
          .isEqualTo(RecordedRequest.Outcome.CLIENT_CLOSED_EARLY);
      assertThat(ScriptedDetector.EVENTS.poll(5, TimeUnit.SECONDS)).isEqualTo("disarm");
      r.cancel(true);
    }
  }

  @Test
  void detectorThatThrows_requestRelayedUnwatched() throws Exception {
    ScriptedDetector.enabled = true;
    ScriptedDetector.throwOnArm = true;
    try (MockUpstream mock = MockUpstream.start();
        EmbeddedJetty jetty = EmbeddedJetty.start(filter(mock))) {
      HttpResponse<String> r = send(jetty, "x-mock-scenario", "text").get(20, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
      assertThat(events()).isEmpty();
    }
  }

  private static SluiceFilter filter(MockUpstream mock) {
    return new SluiceFilter(SluiceConfig.builder().upstream(mock.baseUri()).build());
  }

  private static CompletableFuture<HttpResponse<String>> send(EmbeddedJetty jetty,
      String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(jetty.baseUri() + "/v1/messages"))
        .POST(HttpRequest.BodyPublishers.ofString(STREAM));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HttpClient.newHttpClient().sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> events() {
    List<String> all = new ArrayList<>();
    ScriptedDetector.EVENTS.drainTo(all);
    return all;
  }

  private static ServletContext context() {
    ServletContext c = mock(ServletContext.class);
    when(c.getServerInfo()).thenReturn("TestServer/1.0");
    return c;
  }
}
