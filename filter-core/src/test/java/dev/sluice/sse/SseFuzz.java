package dev.sluice.sse;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Random;

/** Random SSE-shaped input: fields, comments, junk lines, all three line endings, non-ASCII text. */
final class SseFuzz {
  private static final String[] EOL = {"\n", "\r\n", "\r"};
  private static final String[] VALUES = {"", " ", "a", "caf\u00e9", "\ud83c\udf89", "x:y", " lead",
      "{\"type\":\"ping\"}", "\u65e5\u672c\u8a9e", "\u2028"};
  private static final String[] FIELDS = {"event", "data", "data", "data", "id", "retry", "junk", ""};

  private SseFuzz() {}

  static byte[] stream(Random random) {
    StringBuilder sb = new StringBuilder();
    if (random.nextInt(20) == 0) {
      sb.append('\ufeff');
    }
    int lines = random.nextInt(30);
    for (int i = 0; i < lines; i++) {
      switch (random.nextInt(6)) {
        case 0 -> { } // blank line
        case 1 -> sb.append(':').append(pick(random, VALUES));
        case 2 -> sb.append(pick(random, FIELDS));
        default -> sb.append(pick(random, FIELDS)).append(random.nextBoolean() ? ": " : ":")
            .append(pick(random, VALUES));
      }
      sb.append(pick(random, EOL));
    }
    if (random.nextBoolean()) {
      sb.append("data: tail"); // an unterminated last line
    }
    return sb.toString().getBytes(UTF_8);
  }

  private static String pick(Random random, String[] options) {
    return options[random.nextInt(options.length)];
  }
}
