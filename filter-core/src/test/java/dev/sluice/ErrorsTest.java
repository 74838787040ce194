package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ErrorsTest {
  @Test
  void json_isAnthropicShapedAndEscaped() {
    String body = new String(Errors.json("api_error", "bad \"thing\"\n\\", "req_1"),
        StandardCharsets.UTF_8);
    assertThat(body).isEqualTo("{\"type\":\"error\",\"error\":{\"type\":\"api_error\","
        + "\"message\":\"bad \\\"thing\\\"\\n\\\\\"},\"request_id\":\"req_1\"}");
  }

  @Test
  void event_isFramedLikeAnthropicsMidStreamError() {
    assertThat(new String(Errors.event("timeout_error", "slow"), StandardCharsets.UTF_8))
        .isEqualTo("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"timeout_error\","
            + "\"message\":\"slow\"}}\n\n");
  }

  @Test
  void requestIds_areUniqueAndPrefixed() {
    assertThat(Errors.newRequestId()).startsWith("req_").isNotEqualTo(Errors.newRequestId());
  }

  @Test
  void statusTypes_matchAnthropics() {
    assertThat(Errors.typeFor(413)).isEqualTo("request_too_large");
    assertThat(Errors.typeFor(504)).isEqualTo("timeout_error");
    assertThat(Errors.typeFor(502)).isEqualTo("api_error");
    assertThat(Errors.typeFor(405)).isEqualTo("invalid_request_error");
  }
}
