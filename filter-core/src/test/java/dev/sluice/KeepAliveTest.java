package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.MockUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class KeepAliveTest {
  static final String STREAM = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,"
      + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
  static final String PING = "event: ping\ndata: {\"type\": \"ping\"}\n\n";

  @Test
  void pingsDuringSilence_onlyWhenEnabled() throws Exception {
    try (MockUpstream mock = MockUpstream.start()) {
      for (Duration every : List.of(Duration.ofMillis(300), Duration.ZERO)) {
        SluiceFilter filter = new SluiceFilter(SluiceConfig.builder().upstream(mock.baseUri())
            .keepaliveInterval(every).build());
        try (EmbeddedJetty jetty = EmbeddedJetty.start(filter)) {
          HttpClient http = HttpClient.newHttpClient();
          String hold = "h" + every.toMillis();
          CompletableFuture<HttpResponse<String>> r = http.sendAsync(HttpRequest.newBuilder(
              URI.create(jetty.baseUri() + "/v1/messages")).header("x-mock-hold", hold)
              .POST(HttpRequest.BodyPublishers.ofString(STREAM)).build(),
              HttpResponse.BodyHandlers.ofString());
          Thread.sleep(1500);
          mock.release(hold);
          String body = r.get(10, TimeUnit.SECONDS).body();
          String direct = new String(MockUpstream.transcript("text"), StandardCharsets.UTF_8);
          int injected = body.split(java.util.regex.Pattern.quote(PING), -1).length
              - direct.split(java.util.regex.Pattern.quote(PING), -1).length;
          if (every.isZero()) {
            assertThat(body).isEqualTo(direct);
          } else {
            assertThat(injected).isGreaterThanOrEqualTo(3);
            assertThat(body.replace(PING, "")).isEqualTo(direct.replace(PING, ""));
          }
        }
      }
    }
  }
}
