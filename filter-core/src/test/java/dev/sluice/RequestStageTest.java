package dev.sluice;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.hook.Headers;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class RequestStageTest {
  static RequestStage stage(String body) {
    byte[] raw = body.getBytes(UTF_8);
    RequestFacts facts = new RequestFacts();
    facts.source(raw, raw.length);
    return new RequestStage("/v1/messages", raw, raw.length, Headers.mutableCopyOf(List.of()),
        new ConcurrentHashMap<>(), facts);
  }

  @Test
  void modelAndStream_withoutATree() {
    RequestStage s = stage("{\"messages\":[{\"role\":\"user\",\"content\":[{\"model\":\"inner\","
        + "\"stream\":false}]}],\"model\":\"claude-fast\",\"stream\":true,\"max_tokens\":9}");
    assertThat(s.model()).isEqualTo("claude-fast");
    assertThat(s.stream()).isTrue();
    assertThat(s.parsedOrNull()).as("no tree was built").isNull();
    assertThat(s.body().path("max_tokens").asInt()).isEqualTo(9);
  }

  @Test
  void afterAnEdit_theTreeAnswers() {
    RequestStage s = stage("{\"model\":\"a\",\"stream\":false}");
    s.editBody().put("model", "b").put("stream", true);
    assertThat(s.model()).isEqualTo("b");
    assertThat(s.stream()).isTrue();
  }

  /**
   * A request within Anthropic's 32 MB limit can hold a string longer than Jackson's default
   * limit of 20 million characters (a base64 PDF). Parsed under that limit, the body became an
   * empty object, and a hook's edit (model-alias) sent upstream a request without its messages.
   */
  @Test
  void editBody_keepsAStringLongerThanJacksonsDefaultLimit() {
    String pdf = "A".repeat(21_000_000);
    RequestStage s = stage("{\"model\":\"a\",\"messages\":[{\"role\":\"user\",\"content\":[{"
        + "\"type\":\"document\",\"source\":{\"type\":\"base64\",\"data\":\"" + pdf + "\"}}]}]}");
    s.editBody().put("model", "b");
    assertThat(s.messages().path(0).path("content").path(0).path("source").path("data").asText())
        .hasSize(pdf.length());
  }

  /** Whatever the body, the scan answers what the tree answers (or leaves it to the tree). */
  @Test
  void oddBodies_answerAsTheTreeDoes() {
    String[] bodies = {
        "{\"model\":\"a\",\"model\":\"b\",\"stream\":true,\"stream\":false}",
        "{\"model\":5,\"stream\":\"true\"}",
        "{\"model\":5.5e1,\"stream\":1}",
        "{\"model\":null,\"stream\":null}",
        "{\"model\":{\"x\":1},\"stream\":[true]}",
        "{\"model\":\"caf\\u00e9\\n\"}",
        "{}", "", "[1]", "not json", "{\"model\":\"a\"", "{\"model\":\"a\"} trailing",
        "{\"model\":\"a\",}", " \n {\"stream\" : true , \"model\" : \"x\" } ",
    };
    for (String body : bodies) {
      RequestStage scanned = stage(body);
      String model = scanned.model();
      boolean stream = scanned.stream();
      RequestStage tree = stage(body);
      tree.body();
      assertThat(model).as(body).isEqualTo(tree.model());
      assertThat(stream).as(body).isEqualTo(tree.stream());
    }
  }

  /**
   * setModel gives the body the tree would give after {@code put("model", ..)}, whatever the
   * body: spliced where a plain top-level string can be replaced (the last one, as the tree reads
   * it), through the tree otherwise; and only the spliced bytes differ from the client's.
   */
  @Test
  void setModel_sameResultAsTheTree_splicedWhenPossible() throws Exception {
    String[] bodies = {
        "{\"model\":\"a\",\"model\":\"b\",\"stream\":true}",
        "{\"model\" :  \"caf\\u00e9\" , \"n\": 1.0e1}",
        "{\"model\":5}",
        "{\"messages\":[{\"model\":\"inner\"}]}",
        "{}", " \n {\"stream\" : true , \"model\" : \"x\" } ",
    };
    for (String body : bodies) {
      RequestStage spliced = stage(body);
      spliced.setModel("new \"one\"");
      assertThat(spliced.model()).as(body).isEqualTo("new \"one\"");
      byte[] out = spliced.bodyBytes();
      RequestStage tree = stage(body);
      tree.editBody().put("model", "new \"one\"");
      assertThat(Json.MAPPER.readTree(out)).as(body)
          .isEqualTo(Json.MAPPER.readTree(tree.bodyBytes()));
    }
    RequestStage s = stage("{\"model\" :  \"a\" , \"n\": 1.0e1}");
    s.setModel("bb");
    assertThat(s.parsedOrNull()).as("no tree was built").isNull();
    assertThat(new String(s.bodyBytes(), UTF_8)).isEqualTo("{\"model\" :  \"bb\" , \"n\": 1.0e1}");
  }
}
