package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.builtin.CostInUsageHook;
import dev.sluice.cost.Pricing;
import dev.sluice.hook.ExchangeRecord;
import dev.sluice.testkit.LogCapture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Costs end to end: what {@code cost-in-usage} writes into the client's stream, what the record
 * carries, and that both come from one table loaded once.
 */
class CostTest extends MockedJettyTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The mock's generated stream: 12 input tokens, one output token per delta. */
  private static String request(String model, boolean stream) {
    return "{\"model\":\"" + model + "\",\"max_tokens\":64," + (stream ? "\"stream\":true," : "")
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
  }

  private String post(URI base, String body) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/v1/messages"))
        .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
        .header("x-mock-scenario", "paced").header("x-mock-deltas", "3")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return new String(http.send(r, HttpResponse.BodyHandlers.ofByteArray()).body(),
        StandardCharsets.UTF_8);
  }

  private static JsonNode deltaUsage(String sse) throws Exception {
    for (String event : sse.split("\n\n")) {
      if (event.startsWith("event: message_delta")) {
        return JSON.readTree(event.substring(event.indexOf("data: ") + 6)).path("usage");
      }
    }
    throw new AssertionError("no message_delta in " + sse);
  }

  /** Sonnet 4.6, 12 in and 3 out: 36 + 45 = 81 millionths; doubles made it 8.099999999999999E-5. */
  @Test
  void costInUsage_writesTheExactDecimal_streamingAndNot() throws Exception {
    RecordingHook recorder = new RecordingHook();
    EmbeddedJetty j = jetty(recorder, new CostInUsageHook());
    String sse = post(j.baseUri(), request("claude-sonnet-4-6", true));
    assertThat(sse).contains("\"usage\":{\"output_tokens\":3,\"cost\":0.000081}");
    assertThat(recorder.next().cost()).isEqualTo(0.000081);
    String message = post(j.baseUri(), request("claude-sonnet-4-6", false));
    assertThat(message).contains("\"cost\":0.000081}");
    assertThat(recorder.next().cost()).isEqualTo(0.000081);
  }

  /**
   * One table, read once at start, prices both the stream and the record: with the file given
   * through the filter's configuration, the hook no longer prices from the shipped table.
   */
  @Test
  void pricingFile_isLoadedOnce_andSharedByTheRecordAndTheHook(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("pricing.json");
    Files.writeString(file, "{\"models\": {\"claude-sonnet-4-6\": {\"input\": 1, \"output\": 2}}}");
    RecordingHook recorder = new RecordingHook();
    try (LogCapture logs = LogCapture.start(Pricing.class.getName())) {
      EmbeddedJetty j = jetty(SluiceConfig.builder().upstream(mock.baseUri())
          .pricingFile(file.toString()).build(), recorder, new CostInUsageHook());
      String sse = post(j.baseUri(), request("claude-sonnet-4-6", true));
      assertThat(deltaUsage(sse).path("cost").decimalValue()).isEqualByComparingTo("0.000018");
      assertThat(recorder.next().cost()).isEqualTo(0.000018); // 12 * $1 + 3 * $2 per MTok
      List<String> loads = logs.lines().stream().filter(l -> l.contains("Sluice pricing:"))
          .toList();
      assertThat(loads).singleElement().asString()
          .contains("verified 2026-12-04", "overlaid by " + file);
    }
  }

  @Test
  void unknownModel_hasNoCostInStreamOrRecord_andOneWarning() throws Exception {
    RecordingHook recorder = new RecordingHook();
    try (LogCapture logs = LogCapture.start(Pricing.class.getName())) {
      EmbeddedJetty j = jetty(recorder, new CostInUsageHook());
      for (int i = 0; i < 2; i++) {
        assertThat(deltaUsage(post(j.baseUri(), request("claude-nova-7", true))).has("cost"))
            .isFalse();
        assertThat(recorder.next().cost()).isNaN();
      }
      assertThat(logs.lines().stream().filter(l -> l.contains("no price for model"))).singleElement()
          .asString().contains("'claude-nova-7'");
    }
  }

  @Test
  void datedIdOfAPricedFamily_isPricedAsTheFamily() throws Exception {
    RecordingHook recorder = new RecordingHook();
    EmbeddedJetty j = jetty(recorder);
    post(j.baseUri(), request("claude-opus-4-6-20260205", true));
    ExchangeRecord r = recorder.next();
    assertThat(r.cost()).isEqualTo(0.000135); // 12 * $5 + 3 * $25 per MTok, not Opus 4's $15/$75
  }
}
