package dev.sluice.assemble;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The byte scan must agree with Jackson (through {@link TextDeltaReader}) whenever it says yes,
 * and say yes for the deltas Anthropic actually sends.
 */
class TextDeltaScannerTest {
  private final TextDeltaScanner scanner = new TextDeltaScanner();

  private static String delta(String textJson) {
    return "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
        + "\"text\":" + textJson + "}}";
  }

  /** The scanned text, or null when the scan said no. Checks agreement with Jackson on yes. */
  private String scan(byte[] data) {
    byte[] padded = new byte[data.length + 6]; // at an offset, with bytes after the end
    System.arraycopy(data, 0, padded, 3, data.length);
    padded[padded.length - 1] = '}';
    if (!scanner.scan(padded, 3, 3 + data.length)) {
      return null;
    }
    StringBuilder text = new StringBuilder("pre:");
    scanner.appendText(text);
    TextDeltaReader reader = new TextDeltaReader();
    String decoded = new String(data, UTF_8);
    assertThat(reader.read(decoded)).as("Jackson accepts %s", decoded).isTrue();
    assertThat(scanner.index).isEqualTo(reader.index);
    assertThat(text.substring(4)).as("text of %s", decoded).isEqualTo(reader.text);
    return text.substring(4);
  }

  private String scan(String data) {
    return scan(data.getBytes(UTF_8));
  }

  @Test
  void anthropicsShape() {
    assertThat(scan(delta("\"Hello\""))).isEqualTo("Hello");
    assertThat(scanner.index).isZero();
    assertThat(scan("{\"type\":\"content_block_delta\",\"index\":12,\"delta\":{\"type\":\"text_delta\","
        + "\"text\":\"\"}}")).isEmpty();
    assertThat(scanner.index).isEqualTo(12);
    // the layout matched in bulk, then near misses of it that the member scan takes
    assertThat(scan(delta("\"a\"") + " \n")).isEqualTo("a");
    assertThat(scan(delta("\"a\"").replace(":0,", ":123456789,"))).isEqualTo("a");
    assertThat(scanner.index).isEqualTo(123456789);
    assertThat(scan(delta("\"a\"").replace("\"text\":", "\"text\" :"))).isEqualTo("a");
    assertThat(scan(delta("\"a\"").replace("}}", "} }"))).isEqualTo("a");
  }

  @Test
  void everyJsonEscape() {
    assertThat(scan(delta("\"q\\\"b\\\\s\\/f\\bff\\fn\\nr\\rt\\t\""))).isEqualTo(
        "q\"b\\s/f\bff\fn\nr\rt\t");
  }

  @Test
  void unicodeEscapes_anyCase_surrogatePairsAndLoneSurrogates() {
    assertThat(scan(delta("\"caf\\u00e9 \\u00E9\""))).isEqualTo("caf\u00e9 \u00e9");
    assertThat(scan(delta("\"\\ud83c\\udf89\""))).isEqualTo("\ud83c\udf89");
    assertThat(scan(delta("\"a\\ud83cb\""))).isEqualTo("a\ud83cb"); // lone high, as Jackson
    assertThat(scan(delta("\"\\udf89\""))).isEqualTo("\udf89");
    assertThat(scan(delta("\"\\u0000\\u001f\\u2028\""))).isEqualTo("\u0000\u001f\u2028");
  }

  @Test
  void rawUtf8_twoThreeAndFourByteSequences() {
    assertThat(scan(delta("\"caf\u00e9 \u65e5\u672c\u8a9e \ud83c\udf89\""))).isEqualTo(
        "caf\u00e9 \u65e5\u672c\u8a9e \ud83c\udf89");
    assertThat(scan(delta("\"\ud83c\udf89\\n\u00e9\""))).isEqualTo("\ud83c\udf89\n\u00e9");
  }

  @Test
  void malformedUtf8_isLeftToTheStringPath() {
    byte[][] bad = {
        {(byte) 0x80}, // a lone continuation byte
        {(byte) 0xc3}, // truncated by the closing quote
        {(byte) 0xe6, (byte) 0x97}, // truncated three-byte sequence
        {(byte) 0xc0, (byte) 0x80}, // overlong
        {(byte) 0xe0, (byte) 0x80, (byte) 0x80}, // overlong three-byte
        {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // an encoded surrogate
        {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
        {(byte) 0xf5, (byte) 0x80, (byte) 0x80, (byte) 0x80},
        {(byte) 0xff},
    };
    for (byte[] b : bad) {
      ByteArrayOutputStream in = new ByteArrayOutputStream();
      in.writeBytes(("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
          + "\"text_delta\",\"text\":\"a").getBytes(UTF_8));
      in.writeBytes(b);
      in.writeBytes("b\"}}".getBytes(UTF_8));
      assertThat(scan(in.toByteArray())).as("bytes %s", java.util.Arrays.toString(b)).isNull();
    }
  }

  @Test
  void whatJacksonRejects_isRejected() {
    assertThat(scan(delta("\"a\tb\""))).isNull(); // a raw control character
    assertThat(scan(delta("\"a\\xb\""))).isNull(); // an unknown escape
    assertThat(scan(delta("\"a\\u12\""))).isNull();
    assertThat(scan(delta("\"a\\u12g4\""))).isNull();
    assertThat(scan(delta("\"a\\\""))).isNull(); // the escape eats the closing quote
    assertThat(scan(delta("\"a\"") + "x")).isNull();
    assertThat(scan(delta("\"a\"") + "}")).isNull();
    assertThat(scan(delta("\"a\"").replace("}}", "},}"))).isNull();
    assertThat(scan(delta("\"a\"").substring(0, 40))).isNull();
  }

  @Test
  void paddingAndMemberOrder() {
    assertThat(scan(" \n{ \"delta\" : {\"text\" :\"a\" ,\"type\":\"text_delta\" } ,\r\n\t\"index\": 3,"
        + "\"type\" : \"content_block_delta\" }  \n")).isEqualTo("a");
    assertThat(scanner.index).isEqualTo(3);
  }

  @Test
  void unknownScalarMembers_areSkipped() {
    assertThat(scan("{\"type\":\"content_block_delta\",\"x\":null,\"y\":true,\"z\":false,\"n\":-1.5e+3,"
        + "\"s\":\"\\\"}\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"m\":0,\"text\":\"a\","
        + "\"k\":\"v\"}}")).isEqualTo("a");
  }

  @Test
  void whatNeedsJacksonToDecide_isLeftToIt() {
    String text = "\"text\":\"a\"}";
    String[] unsure = {
        "{\"type\":\"content_block_delta\",\"index\":0,\"x\":{},\"delta\":{\"type\":\"text_delta\"," + text + "}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"x\":[1],\"delta\":{\"type\":\"text_delta\"," + text + "}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"index\":0,\"delta\":{\"type\":\"text_delta\"," + text + "}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\"," + text
            + ",\"delta\":{}}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"a\","
            + "\"text\":\"b\"}}",
        "{\"t\\u0079pe\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\"," + text + "}",
        "{\"type\":\"content_block_d\\u0065lta\",\"index\":0,\"delta\":{\"type\":\"text_delta\"," + text + "}",
        "{\"type\":\"content_block_delta\",\"index\":01,\"delta\":{\"type\":\"text_delta\"," + text + "}",
        "{\"type\":\"content_block_delta\",\"index\":-1,\"delta\":{\"type\":\"text_delta\"," + text + "}",
        "{\"type\":\"content_block_delta\",\"index\":1.0,\"delta\":{\"type\":\"text_delta\"," + text + "}",
        "{\"type\":\"content_block_delta\",\"index\":1e2,\"delta\":{\"type\":\"text_delta\"," + text + "}",
        "{\"type\":\"content_block_delta\",\"index\":1234567890,\"delta\":{\"type\":\"text_delta\"," + text + "}",
        "{\"type\":\"content_block_delta\",\"index\":\"0\",\"delta\":{\"type\":\"text_delta\"," + text + "}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\"," + text + "}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":5}}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\"}}",
        "{\"type\":\"message_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\"," + text + "}",
        "{\"index\":0,\"delta\":{\"type\":\"text_delta\"," + text + "}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"n\":01,\"delta\":{\"type\":\"text_delta\"," + text + "}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"n\":1.,\"delta\":{\"type\":\"text_delta\"," + text + "}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"n\":nul,\"delta\":{\"type\":\"text_delta\"," + text + "}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"n\":" + "1".repeat(1001)
            + ",\"delta\":{\"type\":\"text_delta\"," + text + "}",
        "\ufeff{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\"," + text + "}",
        "{}", "", "[1]", "not json", "{\"type\":\"content_block_delta\"",
    };
    for (String data : unsure) {
      assertThat(scan(data)).as(data).isNull();
    }
  }

  @Test
  void largeDeltas_goToTheStringPath() {
    String big = "x".repeat(TextDeltaScanner.MAX_BYTES);
    assertThat(scan(delta("\"" + big + "\""))).isNull();
    String fits = "x".repeat(TextDeltaScanner.MAX_BYTES - 200);
    assertThat(scan(delta("\"" + fits + "\""))).isEqualTo(fits);
  }

  /**
   * Random texts (every escape, every UTF-8 length, lone surrogates, controls) and random damage
   * to the bytes: whenever the scan says yes, Jackson says the same (checked in scan()); and every
   * undamaged delta whose JSON is what an encoder writes is accepted.
   */
  @Test
  void fuzz_agreesWithJacksonWheneverItSaysYes() {
    Random random = new Random(5);
    String[] pieces = {"a", "Z", " ", "\"", "\\", "/", "\b", "\f", "\n", "\r", "\t", "\u0000",
        "\u001f", "\u007f", "\u00e9", "\u0800", "\u65e5", "\uffff", "\ud83c\udf89", "\ud83c",
        "\udf89", "\u2028", "{", "}", ":", ","};
    int accepted = 0;
    for (int i = 0; i < 20_000; i++) {
      StringBuilder text = new StringBuilder();
      for (int n = random.nextInt(8); n > 0; n--) {
        text.append(pieces[random.nextInt(pieces.length)]);
      }
      String json = jsonString(text.toString(), random);
      byte[] data = delta(json).getBytes(UTF_8);
      boolean clean = true;
      if (random.nextInt(3) == 0) {
        damage(data, random);
        clean = false;
      }
      String got = scan(data);
      if (clean) {
        assertThat(got).as(json).isEqualTo(text.toString());
        accepted++;
      }
    }
    assertThat(accepted).isGreaterThan(5_000);
  }

  /** JSON-quotes {@code s}, escaping what must be and, at random, what may be. */
  private static String jsonString(String s, Random random) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1));
      int n = pair ? 2 : 1; // a pair is escaped whole or not at all: half of one has no UTF-8
      boolean escape = random.nextInt(4) == 0 || c < 0x20 || Character.isSurrogate(c) && !pair;
      for (int k = i; k < i + n; k++) {
        char d = s.charAt(k);
        if (d == '"' || d == '\\') {
          out.append('\\').append(d);
        } else if (escape) {
          out.append(String.format(random.nextBoolean() ? "\\u%04x" : "\\u%04X", (int) d));
        } else {
          out.append(d);
        }
      }
      i += n - 1;
    }
    return out.append('"').toString();
  }

  private static void damage(byte[] data, Random random) {
    for (int n = 1 + random.nextInt(2); n > 0; n--) {
      int at = random.nextInt(data.length);
      data[at] = switch (random.nextInt(5)) {
        case 0 -> (byte) random.nextInt(256);
        case 1 -> (byte) '"';
        case 2 -> (byte) '\\';
        case 3 -> (byte) (0x80 | random.nextInt(64));
        default -> (byte) ' ';
      };
    }
  }
}
