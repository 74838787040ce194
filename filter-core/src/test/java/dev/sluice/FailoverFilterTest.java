package dev.sluice;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.failover.UpstreamEntry;
import dev.sluice.testkit.MockUpstream;
import dev.sluice.testkit.RecordedRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The filter with two upstreams, in async mode and behind a filter that is not async. */
class FailoverFilterTest {
  private static final String STREAM = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16,"
      + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
  private final MockUpstream a = MockUpstream.start();
  private final MockUpstream b = MockUpstream.start();
  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).build();
  private EmbeddedJetty jetty;

  @AfterEach
  void stop() throws Exception {
    if (jetty != null) {
      jetty.close();
    }
    a.close();
    b.close();
  }

  private URI start(boolean blocking) throws Exception {
    SluiceConfig config = SluiceConfig.builder()
        .upstreams(List.of(UpstreamEntry.of(a.baseUri()),
            new UpstreamEntry(b.baseUri(), 1, 1, List.of()))) // of() is priority 0: a share
        .build();
    jetty = blocking
        ? EmbeddedJetty.start(new SluiceFilter(config, List.of()),
            (req, res, chain) -> chain.doFilter(req, res), false)
        : EmbeddedJetty.start(new SluiceFilter(config, List.of()));
    return jetty.baseUri();
  }

  private HttpResponse<byte[]> post(URI base) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + "/v1/messages"))
        .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
        .timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString(STREAM)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void overloadBeforeContent_theClientGetsTheNextEntrysStream(boolean blocking) throws Exception {
    URI base = start(blocking);
    a.script((n, header) -> "overload_before_content_held");
    HttpResponse<byte[]> r = post(base);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(MockUpstream.transcript("text"));
    RecordedRequest first = a.takeRequest(Duration.ofSeconds(5));
    assertThat(first.awaitOutcome(Duration.ofSeconds(5)))
        .isEqualTo(RecordedRequest.Outcome.CLIENT_CLOSED_EARLY);
    assertThat(r.headers().firstValue("request-id"))
        .hasValue(b.takeRequest(Duration.ofSeconds(5)).requestId());
  }

  @Test
  void healthyFirstEntry_passesTheGate_untouched() throws Exception {
    URI base = start(false);
    HttpResponse<byte[]> r = post(base);
    assertThat(new String(r.body(), UTF_8)).isEqualTo(new String(MockUpstream.transcript("text"),
        UTF_8));
    assertThat(a.requests()).hasSize(1);
    assertThat(b.requests()).isEmpty();
  }
}
