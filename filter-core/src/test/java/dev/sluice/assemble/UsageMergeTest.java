package dev.sluice.assemble;

import static dev.sluice.assemble.Streams.blockStop;
import static dev.sluice.assemble.Streams.messageDelta;
import static dev.sluice.assemble.Streams.messageStart;
import static dev.sluice.assemble.Streams.messageStop;
import static dev.sluice.assemble.Streams.textDelta;
import static dev.sluice.assemble.Streams.textStart;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** message_delta usage values are running totals: present ones overwrite, absent ones stay. */
class UsageMergeTest {
  private static final String START_USAGE = "{\"input_tokens\":2679,\"cache_creation_input_tokens\":3,"
      + "\"cache_read_input_tokens\":1024,\"cache_creation\":{\"ephemeral_5m_input_tokens\":3,"
      + "\"ephemeral_1h_input_tokens\":0},\"output_tokens\":3,\"service_tier\":\"standard\","
      + "\"inference_geo\":\"global\"}";
  private static final String END = "{\"stop_reason\":\"end_turn\",\"stop_sequence\":null}";

  private static AssembledMessage assemble(boolean fast, String... deltas) {
    StringBuilder sse = new StringBuilder(messageStart(START_USAGE))
        .append(textStart(0)).append(textDelta(0, "hi")).append(blockStop(0));
    for (String usage : deltas) {
      sse.append(messageDelta(END, usage));
    }
    AssembledMessage result = Streams.assemble(sse.append(messageStop()).toString(), fast);
    assertThat(result.message().get("usage")).isEqualTo(result.usage());
    assertThat(result.usage()).isEqualTo(Streams.assemble(sse.toString(), !fast).usage());
    return result;
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void inputTokensFromMessageDeltaOverwrite(boolean fast) {
    AssembledMessage m = assemble(fast, "{\"input_tokens\":10682,\"output_tokens\":510}");
    assertThat(m.usage().get("input_tokens").asLong()).isEqualTo(10682);
    assertThat(m.usage().get("output_tokens").asLong()).isEqualTo(510);
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void fieldsAbsentFromMessageDeltaKeepMessageStartValues(boolean fast) {
    AssembledMessage m = assemble(fast, "{\"output_tokens\":42}");
    assertThat(m.usage()).isEqualTo(Streams.tree(START_USAGE.replace("\"output_tokens\":3", "\"output_tokens\":42")));
    // Key order stays message_start's, so the serialized usage is stable too.
    assertThat(Streams.json(m.usage())).isEqualTo(START_USAGE.replace("\"output_tokens\":3", "\"output_tokens\":42"));
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void serverToolUseAndThinkingTokensArrive(boolean fast) {
    AssembledMessage m = assemble(fast, "{\"output_tokens\":87,\"server_tool_use\":{\"web_search_requests\":2},"
        + "\"output_tokens_details\":{\"thinking_tokens\":61},\"iterations\":[{\"n\":1}]}");
    assertThat(m.usage().at("/server_tool_use/web_search_requests").asInt()).isEqualTo(2);
    assertThat(m.usage().at("/output_tokens_details/thinking_tokens").asInt()).isEqualTo(61);
    assertThat(m.usage().at("/iterations/0/n").asInt()).isEqualTo(1);
    assertThat(m.usage().get("cache_read_input_tokens").asInt()).isEqualTo(1024);
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void severalMessageDeltasLastWinsPerField(boolean fast) {
    AssembledMessage m = assemble(fast,
        "{\"output_tokens\":10,\"input_tokens\":3000,\"server_tool_use\":{\"web_search_requests\":1}}",
        "{\"output_tokens\":20,\"cache_read_input_tokens\":2048}",
        "{\"output_tokens\":30,\"server_tool_use\":{\"web_search_requests\":3}}");
    assertThat(m.usage().get("output_tokens").asInt()).isEqualTo(30);
    assertThat(m.usage().get("input_tokens").asInt()).isEqualTo(3000);
    assertThat(m.usage().get("cache_read_input_tokens").asInt()).isEqualTo(2048);
    assertThat(m.usage().get("cache_creation_input_tokens").asInt()).isEqualTo(3);
    assertThat(m.usage().at("/server_tool_use/web_search_requests").asInt()).isEqualTo(3);
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void valuesAreOverwrittenNeverAdded(boolean fast) {
    AssembledMessage m = assemble(fast, "{\"output_tokens\":5}", "{\"output_tokens\":5}");
    assertThat(m.usage().get("output_tokens").asInt()).isEqualTo(5);
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void nullInMessageDeltaKeepsEarlierValue(boolean fast) {
    // As the TypeScript accumulator does: it copies a delta value only when it is != null.
    AssembledMessage m = assemble(fast, "{\"output_tokens\":9,\"input_tokens\":null,\"cache_creation\":null}");
    assertThat(m.usage().get("input_tokens").asInt()).isEqualTo(2679);
    assertThat(m.usage().at("/cache_creation/ephemeral_5m_input_tokens").asInt()).isEqualTo(3);
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void nestedUsageObjectsAreReplacedWhole(boolean fast) {
    AssembledMessage m = assemble(fast, "{\"output_tokens\":9,\"cache_creation\":{\"ephemeral_1h_input_tokens\":7}}");
    assertThat(m.usage().get("cache_creation")).isEqualTo(Streams.tree("{\"ephemeral_1h_input_tokens\":7}"));
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void noMessageDeltaLeavesMessageStartUsage(boolean fast) {
    AssembledMessage m = assemble(fast);
    assertThat(m.usage()).isEqualTo(Streams.tree(START_USAGE));
  }
}
