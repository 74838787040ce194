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

  @Test
  void usageLogLine_isOneJsonObjectWithoutBodiesOrSecrets() throws Exception {
    ObjectNode message = (ObjectNode) JSON.readTree("{\"model\":\"claude-haiku-4-5\","
        + "\"content\":[{\"type\":\"text\",\"text\":\"SECRET ANSWER\"}]}");
    ObjectNode usage = (ObjectNode) JSON.readTree("{\"input_tokens\":10,\"output_tokens\":5,"
        + "\"cache_read_input_tokens\":3,\"server_tool_use\":{\"web_search_requests\":2}}");
    ExchangeRecord r = new ExchangeRecord("req_1", "/v1/messages", "fast", true, 200,
        Outcome.CLIENT_CANCELLED, true, message, usage, 0.25,
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
    assertThat(line.path("cost_usd").asDouble()).isEqualTo(0.25);
    assertThat(line.path("ttft_ms").asDouble()).isEqualTo(3.5);
    assertThat(line.path("duration_ms").asDouble()).isEqualTo(9.0);
    assertThat(line.toString()).doesNotContain("SECRET").doesNotContain("sk-ant");
  }
}
