package dev.sluice.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.hook.Outcome;
import dev.sluice.plugintest.HookHarness;
import dev.sluice.plugintest.Upstream;
import org.junit.jupiter.api.Test;

/** The guardrail's behaviour, in a real Sluice, through the plugin test harness. */
class BlockedWordsBehaviourTest {
  static final Upstream ANSWER = Upstream.textStream("claude-sonnet-4-5", "Fine.");

  static String ask(String text) {
    return "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"stream\":true,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
  }

  @Test
  void aBlockedWord_isRejectedWith400_neverReachesUpstream_andTheRecordSaysWhy() {
    try (HookHarness h = HookHarness.builder().hook(new BlockedWordsGuardrail())
        .setting("blocked-words", "launch codes, password").build()) {
      HookHarness.Result r = h.post(ANSWER, ask("What are the LAUNCH CODES?"));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.bodyText()).startsWith("{\"type\":\"error\",\"error\":{\"type\":"
          + "\"invalid_request_error\",\"message\":\"Request blocked by policy: it contains "
          + "'launch codes'\"}");
      assertThat(r.wentUpstream()).isFalse();
      assertThat(r.record().outcome()).isEqualTo(Outcome.REJECTED);
      assertThat(r.record().attributes()).containsEntry("blocked-words.blocked",
          "Request blocked by policy: it contains 'launch codes'");
    }
  }

  @Test
  void aCleanRequest_goesUpstreamByteForByte_andTheStreamComesBackUntouched() {
    try (HookHarness h = HookHarness.builder().hook(new BlockedWordsGuardrail())
        .setting("blocked-words", "password").build()) {
      HookHarness.Result r = h.post(ANSWER, ask("Say hello"));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.upstreamBody()).isEqualTo(ask("Say hello"));
      assertThat(r.bodyText()).isEqualTo(ANSWER.body());
      assertThat(r.record().outcome()).isEqualTo(Outcome.COMPLETED);
    }
  }

  @Test
  void withoutTheSetting_theDefaultWordIsBlocked() {
    try (HookHarness h = HookHarness.builder().hook(new BlockedWordsGuardrail()).build()) {
      assertThat(h.post(ANSWER, ask("a forbidden-word here")).status()).isEqualTo(400);
      assertThat(h.post(ANSWER, ask("a password here")).status()).isEqualTo(200);
    }
  }
}
