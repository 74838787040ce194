package dev.sluice.example.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testkit.contract.ExampleAppContract;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The runnable jar under the real OpenTelemetry Java agent ({@code -javaagent}, from Maven
 * Central), its spans printed as OTLP JSON ({@code otel.traces.exporter=logging-otlp}): the
 * {@code opentelemetry} hook finds the agent's {@code GlobalOpenTelemetry}, and its span is a
 * child of the agent's servlet SERVER span, in the same trace.
 */
class OpenTelemetryAgentIT {
  static final Path AGENT = Path.of("target", "otel", "opentelemetry-javaagent.jar");
  static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");
  final ObjectMapper json = new ObjectMapper();
  Process process;

  @AfterEach
  void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void hookSpan_isAChildOfTheAgentsServerSpan() throws Exception {
    assertThat(AGENT).as("the agent, copied by maven-dependency-plugin").isRegularFile();
    Path out = Files.createTempFile(Path.of("target"), "otel-agent-it", ".out");
    Path err = Files.createTempFile(Path.of("target"), "otel-agent-it", ".err");
    process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString(), "-javaagent:" + AGENT, "-Dotel.traces.exporter=logging-otlp",
        "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none",
        "-Dotel.service.name=sluice-agent-it", "-jar", "target/jetty-example.jar", "--port", "0",
        "--hooks", "opentelemetry")
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    URI base = URI.create(await(out, err, LISTENING).group(1));

    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> relayed = http.send(ExampleAppContract.post(base, "/v1/messages",
        ExampleAppContract.STREAM_BODY), HttpResponse.BodyHandlers.ofString());
    assertThat(relayed.statusCode()).isEqualTo(200);

    JsonNode chat = null;
    List<JsonNode> spans = new ArrayList<>();
    for (int i = 0; i < 400 && chat == null; i++) {
      spans = spans(out, err);
      chat = spans.stream().filter(s -> s.path("name").asText().equals("chat claude-sonnet-4-5"))
          .findFirst().orElse(null);
      if (chat == null) {
        Thread.sleep(50);
      }
    }
    assertThat(chat).as("the hook's span among " + spans).isNotNull();
    String parentId = chat.path("parentSpanId").asText();
    JsonNode server = spans.stream().filter(s -> s.path("spanId").asText().equals(parentId))
        .findFirst().orElse(null);
    assertThat(server).as("the chat span's parent " + parentId + " among " + spans).isNotNull();
    assertThat(server.path("kind").asInt()).as("SERVER").isEqualTo(2);
    assertThat(server.path("traceId").asText()).isEqualTo(chat.path("traceId").asText());
    assertThat(chat.path("kind").asInt()).as("CLIENT").isEqualTo(3);
    assertThat(chat.toString()).contains("gen_ai.usage.output_tokens")
        .contains("\"anthropic\"").doesNotContain("sk-test");
  }

  /** Every span of the OTLP JSON lines the logging-otlp exporter printed so far. */
  private List<JsonNode> spans(Path out, Path err) throws Exception {
    List<JsonNode> spans = new ArrayList<>();
    for (Path file : List.of(out, err)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        int brace = line.indexOf("{\"resource");
        if (brace < 0) {
          continue;
        }
        JsonNode root = json.readTree(line.substring(brace));
        for (JsonNode scope : root.path("scopeSpans")) {
          scope.path("spans").forEach(spans::add);
        }
      }
    }
    return spans;
  }

  private Matcher await(Path out, Path err, Pattern pattern) throws Exception {
    for (int i = 0; i < 1200; i++) { // the agent makes start-up slow: up to 60 s
      Matcher m = pattern.matcher(Files.readString(out));
      if (m.find()) {
        return m;
      }
      if (!process.isAlive()) {
        break;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no '" + pattern + "'; stdout: " + Files.readString(out)
        + "; stderr: " + Files.readString(err));
  }
}
