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
          HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(
              URI.create(jetty.baseUri() + "/v1/messages")).header("x-mock-hold", hold)
              .POST(HttpRequest.BodyPublishers.ofString(STREAM)).build(),
              HttpResponse.BodyHandlers.ofInputStream());
          // Upstream stays silent until released: with pings on, until three have arrived (no
          // fixed sleep, so a busy machine cannot make the count short); with them off, 1.5 s.
          java.io.ByteArrayOutputStream seen = new java.io.ByteArrayOutputStream();
          java.io.InputStream in = r.body();
          if (every.isZero()) {
            Thread.sleep(1500);
          } else {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (count(seen.toString(StandardCharsets.UTF_8), PING) < 3
                && System.nanoTime() < deadline) {
              int b = in.read();
              if (b < 0) {
                break;
              }
              seen.write(b);
            }
          }
          mock.release(hold);
          in.transferTo(seen);
          String body = seen.toString(StandardCharsets.UTF_8);
          String direct = new String(MockUpstream.transcript("text"), StandardCharsets.UTF_8);
          int injected = count(body, PING) - count(direct, PING);
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

  private static int count(String text, String part) {
    return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
  }
}
