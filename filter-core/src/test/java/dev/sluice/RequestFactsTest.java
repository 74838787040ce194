package dev.sluice;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.hook.Headers;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The record's {@code model} and {@code stream} come out the same whether a scan of the bytes or
 * a hook's tree found them: before the one rule, {@code {"stream":"true","model":"m"}} recorded
 * stream=false without a request hook and true with one, {@code {"model":5}} "" and "5", and
 * duplicate keys the first without and the last with.
 */
class RequestFactsTest {
  private static final String[][] CASES = {
      // body, model, stream
      {"{\"stream\":\"true\",\"model\":\"m\"}", "m", "false"},
      {"{\"model\":5}", "", "false"},
      {"{\"model\":5.5e1,\"stream\":1}", "", "false"},
      {"{\"model\":\"a\",\"model\":\"b\",\"stream\":true,\"stream\":false}", "b", "false"},
      {"{\"model\":\"a\",\"model\":5,\"stream\":false,\"stream\":true}", "", "true"},
      {"{\"model\":null,\"stream\":null}", "", "false"},
      {"{\"model\":{\"x\":\"y\"},\"stream\":[true]}", "", "false"},
      {"{\"messages\":[{\"model\":\"inner\",\"stream\":true}],\"model\":\"outer\"}", "outer",
          "false"},
      {"{\"model\":\"caf\\u00e9\",\"stream\":true}", "caf\u00e9", "true"},
      {"not json", "", "false"},
      {"[1]", "", "false"},
      {"", "", "false"},
      {"{\"model\":\"a\"", "", "false"},
  };

  private static RequestFacts facts(String body) {
    byte[] raw = body.getBytes(UTF_8);
    RequestFacts facts = new RequestFacts();
    facts.source(raw, raw.length);
    return facts;
  }

  @Test
  void scanAndTree_recordTheSameFacts() {
    for (String[] c : CASES) {
      RequestFacts scanned = facts(c[0]);
      RequestFacts parsed = facts(c[0]);
      parsed.parsed(Json.object(c[0]));
      RequestStage stage = RequestStageTest.stage(c[0]);
      assertThat(scanned.model()).as("scanned model of %s", c[0]).isEqualTo(c[1]);
      assertThat(parsed.model()).as("tree model of %s", c[0]).isEqualTo(c[1]);
      assertThat(stage.model()).as("hook's model of %s", c[0]).isEqualTo(c[1]);
      assertThat(scanned.stream()).as("scanned stream of %s", c[0])
          .isEqualTo(Boolean.parseBoolean(c[2]));
      assertThat(parsed.stream()).as("tree stream of %s", c[0])
          .isEqualTo(Boolean.parseBoolean(c[2]));
      assertThat(stage.stream()).as("hook's stream of %s", c[0])
          .isEqualTo(Boolean.parseBoolean(c[2]));
    }
  }

  @Test
  void theFirstWayTaken_wins_andAHookEditDoesNotChangeWhatTheClientSent() {
    String body = "{\"model\":\"a\",\"stream\":true}";
    byte[] raw = body.getBytes(UTF_8);
    RequestFacts facts = new RequestFacts();
    facts.source(raw, raw.length);
    RequestStage stage = new RequestStage("/v1/messages", raw, raw.length,
        Headers.mutableCopyOf(List.of()), new ConcurrentHashMap<>(), facts);
    stage.editBody().put("model", "b").put("stream", false);
    assertThat(stage.model()).isEqualTo("b");
    assertThat(facts.model()).isEqualTo("a");
    assertThat(facts.stream()).isTrue();
  }
}
