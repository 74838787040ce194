package dev.sluice.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MaxTokensTest {
  static long of(String json) {
    return MaxTokens.of(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void topLevelFieldAnywhere() {
    assertThat(of("{\"max_tokens\":1024,\"messages\":[]}")).isEqualTo(1024);
    assertThat(of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
        + "\"max_tokens\":7}")).isEqualTo(7);
  }

  @Test
  void nestedOrQuotedMaxTokensIgnored() {
    assertThat(of("{\"metadata\":{\"max_tokens\":5},\"messages\":[{\"content\":"
        + "\"\\\"max_tokens\\\":9\"}]}")).isEqualTo(-1);
  }

  @Test
  void absentOrNotANumberOrNotJson() {
    assertThat(of("{\"model\":\"m\"}")).isEqualTo(-1);
    assertThat(of("{\"max_tokens\":\"many\"}")).isEqualTo(-1);
    assertThat(of("not json")).isEqualTo(-1);
    assertThat(of("[1,2]")).isEqualTo(-1);
  }

  @Test
  void readsTheBuffersWindowOnly() {
    byte[] bytes = "xx{\"max_tokens\":3}yy".getBytes(StandardCharsets.UTF_8);
    assertThat(MaxTokens.of(ByteBuffer.wrap(bytes, 2, 16).slice())).isEqualTo(3);
    ByteBuffer direct = ByteBuffer.allocateDirect(16).put(bytes, 2, 16).flip();
    assertThat(MaxTokens.of(direct)).isEqualTo(3);
  }
}
