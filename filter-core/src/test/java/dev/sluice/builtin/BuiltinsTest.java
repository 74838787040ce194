package dev.sluice.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.hook.ExchangeRecord;
import dev.sluice.hook.Outcome;
import dev.sluice.hook.Timings;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuiltinsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static ByteBuffer bytes(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void blankTextScan_findsOnlyBlankTextStrings() {
    assertThat(StripEmptyTextHook.mayHaveBlankText(bytes("{\"text\":\"\"}"))).isTrue();
    assertThat(StripEmptyTextHook.mayHaveBlankText(bytes("{\"text\" : \"  \\n \"}"))).isTrue();
    assertThat(StripEmptyTextHook.mayHaveBlankText(bytes("{\"text\":\"hi\"}"))).isFalse();
    assertThat(StripEmptyTextHook.mayHaveBlankText(bytes("{\"context\":\"\"}"))).isFalse();
    assertThat(StripEmptyTextHook.mayHaveBlankText(bytes("{\"text\":\"  x\"}"))).isFalse();
    assertThat(StripEmptyTextHook.mayHaveBlankText(bytes("{\"text\""))).isFalse();
  }

  /**
   * The scan agrees with {@code isBlank()} (what the strip itself uses) for every character, raw
   * and as a {@code \\u} escape, alone and after a space: whitespace outside ASCII (U+3000,
   * U+2002, ...) and escaped whitespace are found, and nothing else is.
   */
  @Test
  void blankTextScan_agreesWithIsBlank_forEveryCharacter() throws Exception {
    java.util.List<Integer> codePoints = new java.util.ArrayList<>();
    for (int cp = 0; cp <= 0x3000; cp++) { // U+3000 is the last whitespace character
      codePoints.add(cp);
    }
    codePoints.addAll(List.of(0xfeff, 0xffff, 0x10000, 0x1f600, 0x10ffff)); // 2, 3, 4 bytes
    java.util.List<String> wrong = new java.util.ArrayList<>();
    for (int cp : codePoints) {
      String s = new String(Character.toChars(cp));
      boolean blank = s.isBlank();
      String raw = JSON.writeValueAsString(s); // escapes what JSON must escape
      String escaped = String.format("\"\\u%04x\"", cp);
      for (String value : cp > 0xffff ? new String[] {raw} : new String[] {raw, escaped}) {
        for (String json : new String[] {"{\"text\":" + value + "}",
            "{\"text\":\" " + value.substring(1) + "}"}) {
          if (StripEmptyTextHook.mayHaveBlankText(bytes(json)) != blank) {
            wrong.add(json);
          }
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void usageLogLine_isOneJsonObjectWithoutBodiesOrSecrets() throws Exception {
    ObjectNode message = (ObjectNode) JSON.readTree("{\"model\":\"claude-haiku-4-5\","
        + "\"content\":[{\"type\":\"text\",\"text\":\"SECRET ANSWER\"}]}");
    ObjectNode usage = (ObjectNode) JSON.readTree("{\"input_tokens\":10,\"output_tokens\":5,"
        + "\"cache_read_input_tokens\":3,\"server_tool_use\":{\"web_search_requests\":2}}");
    ExchangeRecord r = new ExchangeRecord("req_1", "/v1/messages", "fast", true, 200,
        Outcome.CLIENT_CANCELLED, true, message, usage, 0.000081,
        new Timings(Instant.now(), 1_000_000, 2_000_000, 3_500_000, 9_000_000),
        Map.of("token", "sk-ant-secret"));
    JsonNode line = JSON.readTree(UsageLogHook.line(r));
    assertThat(line.path("request_id").asText()).isEqualTo("req_1");
    assertThat(line.path("model").asText()).isEqualTo("fast");
    assertThat(line.path("upstream_model").asText()).isEqualTo("claude-haiku-4-5");
    assertThat(line.path("outcome").asText()).isEqualTo("client_cancelled");
    assertThat(line.path("partial").asBoolean()).isTrue();
    assertThat(line.path("input_tokens").asLong()).isEqualTo(10);
    assertThat(line.path("cache_read_input_tokens").asLong()).isEqualTo(3);
    assertThat(line.path("web_search_requests").asLong()).isEqualTo(2);
    assertThat(UsageLogHook.line(r)).contains("\"cost_usd\":0.000081,"); // not 8.1E-5
    assertThat(line.path("ttft_ms").asDouble()).isEqualTo(3.5);
    assertThat(line.path("duration_ms").asDouble()).isEqualTo(9.0);
    assertThat(line.toString()).doesNotContain("SECRET").doesNotContain("sk-ant");
  }
}
