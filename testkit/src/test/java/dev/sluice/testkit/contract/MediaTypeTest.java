package dev.sluice.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MediaTypeTest {

  @Test
  void spaceAfterSemicolon_isOptional() {
    assertThat(MediaType.parse("text/event-stream;charset=utf-8"))
        .isEqualTo(MediaType.parse("text/event-stream; charset=utf-8"))
        .isEqualTo(new MediaType("text/event-stream", Map.of("charset", "utf-8")));
  }

  @Test
  void typeParameterNamesAndCharset_areCaseInsensitive() {
    assertThat(MediaType.parse("Text/Event-Stream; CHARSET=UTF-8"))
        .isEqualTo(MediaType.parse("text/event-stream; charset=utf-8"));
  }

  @Test
  void quotedValue_isUnquoted_andOtherValuesKeepTheirCase() {
    assertThat(MediaType.parse("multipart/form-data; boundary=\"a;B\\\"c\" ; charset=\"utf-8\""))
        .isEqualTo(new MediaType("multipart/form-data",
            Map.of("boundary", "a;B\"c", "charset", "utf-8")));
    assertThat(MediaType.parse("a/b; x=Y")).isNotEqualTo(MediaType.parse("a/b; x=y"));
  }

  @Test
  void noParameters_andEmptyOnes() {
    assertThat(MediaType.parse("application/json"))
        .isEqualTo(MediaType.parse("application/json;"))
        .isEqualTo(new MediaType("application/json", Map.of()));
  }

  @Test
  void otherCharsetOrType_differs() {
    assertThat(MediaType.parse("text/event-stream; charset=utf-8"))
        .isNotEqualTo(MediaType.parse("text/event-stream; charset=iso-8859-1"))
        .isNotEqualTo(MediaType.parse("text/event-stream"))
        .isNotEqualTo(MediaType.parse("text/plain; charset=utf-8"));
  }

  @Test
  void assertSame_failsOnAnotherMediaType_orAMissingHeader() {
    MediaType.assertSame(Optional.of("text/event-stream;charset=utf-8"),
        Optional.of("text/event-stream; charset=utf-8"));
    assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> MediaType.assertSame(
        Optional.of("text/plain"), Optional.of("text/event-stream; charset=utf-8")));
    assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> MediaType.assertSame(
        Optional.empty(), Optional.of("text/event-stream; charset=utf-8")));
  }
}
