package dev.sluice.example.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.ExampleAppContract;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Boot app stays intact with the starter on its class path (its controller, its welcome page,
 * its 404s), Sluice relays byte for byte, settings reach the filter, and actuator's health shows
 * the upstream check.
 */
class BootExampleIT extends ExampleAppContract {
  private static final ObjectMapper JSON = new ObjectMapper();

  BootExampleIT() {
    super("spring-boot-example", "Sluice Spring Boot example");
  }

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    return BootApps.container(upstream, settings);
  }

  @Test
  void health_reachableUpstream_isUp() throws Exception {
    HttpResponse<String> health = send(get("/actuator/health"));
    assertThat(health.statusCode()).isEqualTo(200);
    JsonNode sluice = JSON.readTree(health.body()).path("components").path("sluice");
    assertThat(sluice.path("status").asText()).isEqualTo("UP");
    assertThat(sluice.path("details").path("upstreams")
        .has(mock.baseUri().getHost() + ":" + mock.baseUri().getPort())).isTrue();
    assertThat(mock.requests()).as("a TCP connect, not an API call").isEmpty();
  }

  @Test
  void health_unreachableUpstream_isDown() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    try (ContainerUnderTest dead = start(URI.create("http://127.0.0.1:" + closed), Map.of())) {
      HttpResponse<String> health = http.send(java.net.http.HttpRequest.newBuilder(
          URI.create(dead.baseUri() + "/actuator/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(503);
      JsonNode sluice = JSON.readTree(health.body()).path("components").path("sluice");
      assertThat(sluice.path("status").asText()).isEqualTo("DOWN");
      assertThat(sluice.toString()).contains("\"reachable\":false");
    }
  }
}
