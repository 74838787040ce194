package dev.sluice.sse;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.List;

/**
 * The WHATWG algorithm written the obvious, slow way (decode everything, split lines), as an oracle
 * for the incremental parser. Only whole, valid UTF-8 input is given to it.
 */
final class ReferenceParser {
  private ReferenceParser() {}

  static List<String> parse(byte[] input) {
    String text = new String(input, UTF_8);
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    List<String> out = new ArrayList<>();
    String name = "";
    StringBuilder data = new StringBuilder();
    boolean hasData = false;
    int pos = 0;
    while (true) {
      int cr = text.indexOf('\r', pos);
      int lf = text.indexOf('\n', pos);
      if (cr < 0 && lf < 0) {
        break; // An unterminated last line is discarded at end of stream.
      }
      int eol = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
      String line = text.substring(pos, eol);
      pos = eol + (text.charAt(eol) == '\r' && eol + 1 < text.length() && text.charAt(eol + 1) == '\n' ? 2 : 1);
      if (line.isEmpty()) {
        if (hasData) {
          out.add(name + ":" + data);
        }
        name = "";
        data.setLength(0);
        hasData = false;
      } else if (!line.startsWith(":")) {
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
          value = value.substring(1);
        }
        if (field.equals("data")) {
          if (hasData) {
            data.append('\n');
          }
          data.append(value);
          hasData = true;
        } else if (field.equals("event")) {
          name = value;
        }
      }
    }
    return out;
  }
}
