package dev.sluice.plugintest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.hook.EventContext;
import dev.sluice.hook.Hook;
import dev.sluice.hook.HookSettings;
import dev.sluice.hook.Outcome;
import dev.sluice.hook.RequestContext;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HookHarnessTest {
  static final String REQUEST = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,"
      + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

  @Test
  void withoutHooks_theClientGetsUpstreamsBytes_andTheRecordHasTheMessage() {
    Upstream answer = Upstream.textStream("claude-sonnet-4-5", "Hello", ", world");
    try (HookHarness h = HookHarness.builder().build()) {
      HookHarness.Result r = h.post(answer, REQUEST);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("content-type")).startsWith("text/event-stream");
      assertThat(r.bodyText()).isEqualTo(answer.body());
      assertThat(r.upstreamBody()).isEqualTo(REQUEST);
      assertThat(r.record().outcome()).isEqualTo(Outcome.COMPLETED);
      assertThat(r.record().model()).isEqualTo("claude-sonnet-4-5");
      assertThat(r.record().message().path("content").path(0).path("text").asText())
          .isEqualTo("Hello, world");
      assertThat(r.record().usage().path("output_tokens").asInt()).isEqualTo(2);
    }
  }

  @Test
  void anEventSplitAcrossChunks_isReassembled() {
    Upstream whole = Upstream.textStream("m", "abc");
    String body = whole.body();
    Upstream split = Upstream.sse(body.substring(0, 7), body.substring(7, 200),
        body.substring(200));
    try (HookHarness h = HookHarness.builder().hook(new Upper()).build()) {
      HookHarness.Result r = h.post(split, REQUEST);
      assertThat(r.bodyText()).contains("\"text\":\"ABC\"").doesNotContain("\"text\":\"abc\"");
    }
  }

  @Test
  void requestHooks_seeSettings_editUpstreamHeaders_andCredentialsReadRedacted() {
    Hook tagger = new Hook() {
      String tag;

      @Override
      public void configure(HookSettings settings) {
        tag = settings.get("tag");
      }

      @Override
      public void onRequest(RequestContext request) {
        request.headers().set("x-tag", tag + " " + request.headers().get("x-api-key"));
      }
    };
    try (HookHarness h = HookHarness.builder().hook(tagger).setting("tag", "blue").build()) {
      HookHarness.Result r = h.post(Upstream.textStream("m", "x"), REQUEST);
      assertThat(r.upstreamHeader("x-tag")).isEqualTo("blue [redacted]");
      assertThat(r.upstreamHeader("x-api-key")).isEqualTo("sk-ant-harness");
    }
  }

  @Test
  void aRejection_neverGoesUpstream_andAnUpstreamErrorIsRelayedAsSent() {
    Hook no = new Hook() {
      @Override
      public void onRequest(RequestContext request) {
        request.reject(403, "permission_error", "Not today");
      }
    };
    try (HookHarness h = HookHarness.builder().hook(no).build()) {
      HookHarness.Result r = h.post(Upstream.textStream("m", "x"), REQUEST);
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.bodyText()).contains("\"permission_error\"").contains("Not today");
      assertThat(r.wentUpstream()).isFalse();
      assertThat(r.record().outcome()).isEqualTo(Outcome.REJECTED);
      assertThatThrownBy(r::upstreamBody).hasMessageContaining("nothing went upstream");
    }
    Upstream overloaded = Upstream.error(529, "overloaded_error", "Overloaded")
        .withHeader("retry-after", "3");
    try (HookHarness h = HookHarness.builder().build()) {
      HookHarness.Result r = h.post(overloaded, REQUEST);
      assertThat(r.status()).isEqualTo(529);
      assertThat(r.header("retry-after")).isEqualTo("3");
      assertThat(r.bodyText()).isEqualTo(overloaded.body());
      assertThat(r.record().outcome()).isEqualTo(Outcome.UPSTREAM_ERROR);
    }
  }

  @Test
  void severalExchanges_onOneHarness() {
    try (HookHarness h = HookHarness.builder().build()) {
      for (int i = 0; i < 3; i++) {
        assertThat(h.post(Upstream.json(200, "{\"id\":\"msg_" + i + "\",\"type\":\"message\","
            + "\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"stop_reason\":"
            + "\"end_turn\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}"),
            REQUEST.replace("\"stream\":true,", "")).bodyText()).contains("msg_" + i);
      }
      assertThat(h.post(List.of(Upstream.json(200, "{\"input_tokens\":7}")),
          "/v1/messages/count_tokens", REQUEST).bodyText()).isEqualTo("{\"input_tokens\":7}");
    }
  }

  /** Upper-cases text deltas: an event hook for the split test. */
  static final class Upper implements Hook {
    @Override
    public Set<String> eventNames() {
      return Set.of("content_block_delta");
    }

    @Override
    public void onEvent(EventContext e) {
      String text = e.event().text();
      if (text != null) {
        com.fasterxml.jackson.databind.node.ObjectNode json = e.event().json().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.path("delta"))
            .put("text", text.toUpperCase(java.util.Locale.ROOT));
        e.replace(json);
      }
    }
  }
}
