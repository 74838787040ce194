package dev.sluice.example.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testkit.MockUpstream;
import dev.sluice.testkit.contract.ExampleAppContract;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Actuator's health through a real Boot app with two upstreams: an entry that answered 529 with
 * {@code retry-after: 1} shows as cooling down, with until when, while the other serves; once
 * the time has passed it shows as open again, and takes traffic again. No key in the details.
 */
class BootFailoverHealthIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "sk-ant-boot-health-it-secret";

  private final HttpClient http = HttpClient.newHttpClient();
  private MockUpstream a;
  private MockUpstream b;
  private SpringBootExample.Running app;

  @BeforeEach
  void start() {
    a = MockUpstream.start();
    b = MockUpstream.start();
    app = BootApps.start(a.baseUri(), Map.of(
        "upstream", a.baseUri() + "," + b.baseUri(),
        "api-key", KEY,
        "health.cache-ttl", "0s"));
  }

  @AfterEach
  void stop() {
    app.close();
    a.close();
    b.close();
  }

  private JsonNode sluiceHealth() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
        URI.create(app.baseUri() + "/actuator/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).doesNotContain(KEY);
    return JSON.readTree(r.body()).path("components").path("sluice");
  }

  private static String entry(MockUpstream m) {
    return m.baseUri().getHost() + ":" + m.baseUri().getPort();
  }

  private int relay() throws Exception {
    return http.send(ExampleAppContract.post(app.baseUri(), "/v1/messages",
        ExampleAppContract.STREAM_BODY), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void entryThatAnswered529_coolsDown_inTheDetails_thenOpensAgain() throws Exception {
    JsonNode before = sluiceHealth();
    assertThat(before.path("status").asText()).isEqualTo("UP");
    assertThat(before.path("details").path("upstreams").path(entry(a))
        .path("coolingDown").asBoolean(true)).isFalse();

    a.script((n, header) -> n == 0 ? "error_529_retry_after_1" : null);
    assertThat(relay()).as("failed over to B").isEqualTo(200);
    assertThat(a.requests()).hasSize(1);
    assertThat(b.requests()).hasSize(1);

    JsonNode health = sluiceHealth();
    assertThat(health.path("status").asText()).as("B serves; A opens by itself").isEqualTo("UP");
    JsonNode upstreams = health.path("details").path("upstreams");
    assertThat(upstreams.size()).isEqualTo(2);
    JsonNode coolA = upstreams.path(entry(a));
    assertThat(coolA.path("reachable").asBoolean()).isTrue();
    assertThat(coolA.path("coolingDown").asBoolean()).as(health.toString()).isTrue();
    Instant until = Instant.parse(coolA.path("coolingDownUntil").asText());
    assertThat(until).isAfter(Instant.now().minusSeconds(1))
        .isBefore(Instant.now().plusSeconds(3));
    assertThat(coolA.path("keys").asInt()).isEqualTo(1);
    assertThat(coolA.path("keysCoolingDown").asInt()).isZero();
    assertThat(upstreams.path(entry(b)).path("coolingDown").asBoolean(true)).isFalse();

    boolean open = false;
    for (int i = 0; i < 100 && !open; i++) { // up to 10 s for a 1 s cool-down
      Thread.sleep(100);
      open = !sluiceHealth().path("details").path("upstreams").path(entry(a))
          .path("coolingDown").asBoolean(true);
    }
    assertThat(open).as("A open again after its retry-after").isTrue();
    assertThat(Instant.now()).isAfterOrEqualTo(until);
    assertThat(sluiceHealth().path("details").path("upstreams").path(entry(a))
        .has("coolingDownUntil")).isFalse();

    assertThat(relay()).isEqualTo(200);
    assertThat(a.requests()).as("A, first in priority, takes traffic again").hasSize(2);
    assertThat(b.requests()).hasSize(1);
  }
}
