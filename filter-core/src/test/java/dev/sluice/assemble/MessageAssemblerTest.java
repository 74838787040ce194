package dev.sluice.assemble;

import static dev.sluice.assemble.Streams.blockStart;
import static dev.sluice.assemble.Streams.blockStop;
import static dev.sluice.assemble.Streams.delta;
import static dev.sluice.assemble.Streams.event;
import static dev.sluice.assemble.Streams.messageDelta;
import static dev.sluice.assemble.Streams.messageStart;
import static dev.sluice.assemble.Streams.messageStop;
import static dev.sluice.assemble.Streams.ping;
import static dev.sluice.assemble.Streams.textDelta;
import static dev.sluice.assemble.Streams.textStart;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.sse.SseParser;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Block and event rules; every case runs with the fast path allowed and disallowed. */
class MessageAssemblerTest {
  private static final String TOOL = "{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"get_weather\","
      + "\"input\":{},\"caller\":{\"type\":\"direct\"}}";

  private static String json(String partial) {
    return delta(1, "{\"type\":\"input_json_delta\",\"partial_json\":\"" + Streams.quote(partial) + "\"}");
  }

  private static JsonNode block(boolean fast, String sse, int index) {
    return Streams.assemble(sse, fast).message().get("content").get(index);
  }

  private static String toolStream(String... partials) {
    StringBuilder sse = new StringBuilder(messageStart()).append(textStart(0)).append(blockStop(0))
        .append(blockStart(1, TOOL));
    for (String p : partials) {
      sse.append(json(p));
    }
    return sse.append(blockStop(1)).append(messageStop()).toString();
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void inputJsonConcatenatedAndParsedAtStop(boolean fast) {
    JsonNode tool = block(fast, toolStream("", "{\"location\": \"Par", "is\", \"n\": [1, 2.5]}"), 1);
    assertThat(tool).isEqualTo(Streams.tree(TOOL.replace("\"input\":{}",
        "\"input\":{\"location\":\"Paris\",\"n\":[1,2.5]}")));
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void inputWithoutDeltasStaysAsArrived(boolean fast) {
    assertThat(block(fast, toolStream(), 1)).isEqualTo(Streams.tree(TOOL));
    assertThat(block(fast, toolStream("", " "), 1)).isEqualTo(Streams.tree(TOOL));
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void invalidInputJsonKeptAsString(boolean fast) {
    assertThat(block(fast, toolStream("{\"a\": 1"), 1).get("input").textValue()).isEqualTo("{\"a\": 1");
    assertThat(block(fast, toolStream("{\"a\":1}", "{\"b\":2}"), 1).get("input").textValue())
        .isEqualTo("{\"a\":1}{\"b\":2}");
    assertThat(block(fast, toolStream("{\"a\":1}  "), 1).get("input"))
        .isEqualTo(Streams.tree("{\"a\":1}"));
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void unfinishedToolInputMidStreamIsShownAsString(boolean fast) {
    String sse = messageStart() + blockStart(1, TOOL) + json("{\"location\": \"Par");
    assertThat(block(fast, sse, 0).get("input").textValue()).isEqualTo("{\"location\": \"Par");
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void thinkingAppendsAndSignatureIsSetNotAppended(boolean fast) {
    String sse = messageStart() + blockStart(0, "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}")
        + delta(0, "{\"type\":\"thinking_delta\",\"thinking\":\"27*453\"}")
        + delta(0, "{\"type\":\"thinking_delta\",\"thinking\":\" = 12231\"}")
        + delta(0, "{\"type\":\"signature_delta\",\"signature\":\"EqQB-first\"}")
        + delta(0, "{\"type\":\"signature_delta\",\"signature\":\"EqQB-second\"}")
        + blockStop(0) + messageStop();
    assertThat(block(fast, sse, 0)).isEqualTo(Streams.tree(
        "{\"type\":\"thinking\",\"thinking\":\"27*453 = 12231\",\"signature\":\"EqQB-second\"}"));
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void omittedThinkingIsJustASignature(boolean fast) {
    String sse = messageStart() + blockStart(0, "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}")
        + delta(0, "{\"type\":\"signature_delta\",\"signature\":\"sig\"}") + blockStop(0) + messageStop();
    assertThat(block(fast, sse, 0)).isEqualTo(Streams.tree(
        "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"sig\"}"));
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void citationsAppendedCreatingTheArray(boolean fast) {
    String c1 = "{\"type\":\"char_location\",\"cited_text\":\"a\",\"start_char_index\":0}";
    String c2 = "{\"type\":\"page_location\",\"cited_text\":\"b\",\"start_page_number\":2}";
    String sse = messageStart() + textStart(0)
        + delta(0, "{\"type\":\"citations_delta\",\"citation\":" + c1 + "}") + textDelta(0, "x")
        + delta(0, "{\"type\":\"citations_delta\",\"citation\":" + c2 + "}") + blockStop(0) + messageStop();
    assertThat(block(fast, sse, 0)).isEqualTo(Streams.tree(
        "{\"type\":\"text\",\"text\":\"x\",\"citations\":[" + c1 + "," + c2 + "]}"));
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void unknownDeltaTypeLeavesBlockUnchanged(boolean fast) {
    String sse = messageStart() + textStart(0) + textDelta(0, "a")
        + delta(0, "{\"type\":\"sparkle_delta\",\"sparkle\":{\"n\":1}}") + textDelta(0, "b")
        + blockStop(0) + messageStop();
    AssembledMessage m = Streams.assemble(sse, fast);
    assertThat(m.message().at("/content/0")).isEqualTo(Streams.tree("{\"type\":\"text\",\"text\":\"ab\"}"));
    assertThat(m.fastPath()).isFalse();
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void blocksThatArriveCompleteAreKeptAsArrived(boolean fast) {
    String search = "{\"type\":\"web_search_tool_result\",\"tool_use_id\":\"srvtoolu_01\",\"content\":"
        + "[{\"type\":\"web_search_result\",\"title\":\"T\",\"url\":\"https://x\",\"encrypted_content\":\"E\","
        + "\"page_age\":null}]}";
    String redacted = "{\"type\":\"redacted_thinking\",\"data\":\"EmwK\"}";
    String unknown = "{\"type\":\"hologram\",\"colour\":\"teal\",\"layers\":[1,2],\"meta\":{\"x\":null}}";
    String sse = messageStart() + blockStart(0, search) + blockStop(0) + blockStart(1, redacted)
        + blockStop(1) + blockStart(2, unknown) + blockStop(2) + messageStop();
    assertThat(Streams.assemble(sse, fast).message().get("content"))
        .isEqualTo(Streams.tree("[" + search + "," + redacted + "," + unknown + "]"));
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void contentIsOrderedByIndex(boolean fast) {
    String sse = messageStart() + textStart(1) + textStart(0) + textDelta(1, "second")
        + textDelta(0, "first") + blockStop(0) + blockStop(1) + messageStop();
    AssembledMessage m = Streams.assemble(sse, fast);
    assertThat(m.message().at("/content/0/text").asText()).isEqualTo("first");
    assertThat(m.message().at("/content/1/text").asText()).isEqualTo("second");
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void messageFieldsFromStartAndDeltaAreKept(boolean fast) {
    String start = event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\","
        + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"stop_reason\":null,"
        + "\"stop_sequence\":null,\"stop_details\":null,\"container\":null,\"novel\":{\"k\":1},"
        + "\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}");
    String sse = start + textStart(0) + textDelta(0, "x") + blockStop(0)
        + messageDelta("{\"stop_reason\":\"refusal\",\"stop_sequence\":null,\"stop_details\":{\"type\":"
            + "\"refusal\",\"category\":\"cyber\"},\"container\":{\"id\":\"cntr_1\"}}", "{\"output_tokens\":4}")
        + messageStop();
    AssembledMessage m = Streams.assemble(sse, fast);
    assertThat(Streams.json(m.message())).isEqualTo("{\"id\":\"msg_01\",\"type\":\"message\","
        + "\"role\":\"assistant\",\"model\":\"m\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}],"
        + "\"stop_reason\":\"refusal\",\"stop_sequence\":null,\"stop_details\":{\"type\":\"refusal\","
        + "\"category\":\"cyber\"},\"container\":{\"id\":\"cntr_1\"},\"novel\":{\"k\":1},"
        + "\"usage\":{\"input_tokens\":1,\"output_tokens\":4}}");
    assertThat(m.complete()).isTrue();
    assertThat(m.fastPath()).isEqualTo(fast);
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void pingNamelessAndUnknownEventsIgnored(boolean fast) {
    String sse = messageStart() + ping() + textStart(0) + ping() + textDelta(0, "a")
        + "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"!\"}}\n\n"
        + event("future_event", "{\"type\":\"future_event\",\"x\":1}") + textDelta(0, "b")
        + blockStop(0) + messageStop();
    AssembledMessage m = Streams.assemble(sse, fast);
    assertThat(m.message().at("/content/0/text").asText()).isEqualTo("ab");
    assertThat(m.textDeltas()).isEqualTo(2);
    assertThat(m.complete()).isTrue();
    assertThat(m.fastPath()).isFalse(); // the unknown event left the fast path
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void malformedDataIgnored(boolean fast) {
    String sse = messageStart() + textStart(0) + textDelta(0, "a") + event("content_block_delta", "{oops")
        + event("message_delta", "[]") + textDelta(0, "b") + blockStop(0) + messageStop();
    AssembledMessage m = Streams.assemble(sse, fast);
    assertThat(m.message().at("/content/0/text").asText()).isEqualTo("ab");
    assertThat(m.complete()).isTrue();
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void deltaForUnknownIndexIgnored(boolean fast) {
    String sse = messageStart() + textStart(0) + textDelta(4, "lost") + textDelta(0, "kept") + blockStop(0)
        + blockStop(4) + messageStop();
    AssembledMessage m = Streams.assemble(sse, fast);
    assertThat(m.message().get("content")).isEqualTo(Streams.tree("[{\"type\":\"text\",\"text\":\"kept\"}]"));
    assertThat(m.textDeltas()).isEqualTo(1);
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void errorEventRecordedAndMessageStaysPartial(boolean fast) {
    String sse = messageStart() + textStart(0) + textDelta(0, "Let me") + event("error",
        "{\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}");
    AssembledMessage m = Streams.assemble(sse, fast);
    assertThat(m.errored()).isTrue();
    assertThat(m.complete()).isFalse();
    assertThat(m.error()).isEqualTo(Streams.tree("{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}"));
    assertThat(m.message().at("/content/0/text").asText()).isEqualTo("Let me");
    assertThat(m.fastPath()).isFalse();
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void errorEventWithUnreadableDataStillCounts(boolean fast) {
    AssembledMessage m = Streams.assemble(messageStart() + event("error", "Overloaded"), fast);
    assertThat(m.errored()).isTrue();
    assertThat(m.error()).isEmpty();
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void emptyStreamGivesEmptyPartialMessage(boolean fast) {
    AssembledMessage m = Streams.assemble("", fast);
    assertThat(Streams.json(m.message())).isEqualTo("{\"content\":[],\"usage\":{}}");
    assertThat(m.complete()).isFalse();
    assertThat(m.errored()).isFalse();
    assertThat(m.error()).isEmpty();
    assertThat(m.fastPath()).isEqualTo(fast);
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void resultIsAFreshCopyEachTime(boolean fast) {
    MessageAssembler assembler = MessageAssembler.create(fast);
    feed(assembler, messageStart() + textStart(0) + textDelta(0, "a") + blockStart(1, TOOL)
        + json("{\"k\":1}") + blockStop(1));
    AssembledMessage first = assembler.result();
    first.message().put("id", "changed");
    first.usage().put("input_tokens", -1);
    ((com.fasterxml.jackson.databind.node.ObjectNode) first.message().at("/content/1/input")).put("k", 2);
    feed(assembler, textDelta(0, "b") + blockStop(0) + messageStop());
    AssembledMessage second = assembler.result();
    assertThat(second.message().get("id").asText()).isEqualTo("msg_01Test");
    assertThat(second.usage().get("input_tokens").asInt()).isEqualTo(11);
    assertThat(second.message().at("/content/1/input/k").asInt()).isEqualTo(1);
    assertThat(second.message().at("/content/0/text").asText()).isEqualTo("ab");
    assertThat(first.complete()).isFalse();
    assertThat(second.complete()).isTrue();
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void secondMessageStartStartsOver(boolean fast) {
    String sse = messageStart() + textStart(0) + textDelta(0, "old") + blockStop(0)
        + messageStart() + textStart(0) + textDelta(0, "new") + blockStop(0) + messageStop();
    assertThat(Streams.assemble(sse, fast).message().get("content"))
        .isEqualTo(Streams.tree("[{\"type\":\"text\",\"text\":\"new\"}]"));
  }

  @ParameterizedTest(name = "fast={0}")
  @ValueSource(booleans = {true, false})
  void acceptByNameAndData(boolean fast) {
    MessageAssembler byName = MessageAssembler.create(fast);
    byName.accept("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"content\":[]}}");
    byName.accept("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
    byName.accept("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
        + "\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}");
    assertThat(byName.result().message()).isEqualTo(Streams.tree(
        "{\"id\":\"m\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],\"usage\":{}}"));
    assertThat(byName.result().fastPath()).isEqualTo(fast);
    assertThatThrownBy(() -> byName.accept(null, "{}")).isInstanceOf(NullPointerException.class);
  }

  private static void feed(MessageAssembler assembler, String sse) {
    byte[] b = sse.getBytes(StandardCharsets.UTF_8);
    SseParser parser = SseParser.create(assembler::accept);
    parser.feed(b, 0, b.length);
  }
}
