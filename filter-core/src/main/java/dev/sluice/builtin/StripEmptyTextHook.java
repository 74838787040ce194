package dev.sluice.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.sluice.hook.Hook;
import dev.sluice.hook.RequestContext;
import java.nio.ByteBuffer;
import java.util.Iterator;

/**
 * {@code strip-empty-text}: removes empty or whitespace-only text blocks from request messages and
 * system blocks, which Anthropic rejects with 400 "text content blocks must be non-empty" (clients
 * such as Claude Code replay them). A message left with no content is removed. A byte scan finds
 * candidates first, so requests without such blocks are never parsed.
 */
public final class StripEmptyTextHook implements Hook {

  @Override
  public String name() {
    return "strip-empty-text";
  }

  @Override
  public int priority() {
    return -100; // sanitize before other request hooks look at the messages
  }

  @Override
  public void onRequest(RequestContext ctx) {
    if (!mayHaveBlankText(ctx.rawBody())) {
      return;
    }
    boolean changed = false;
    JsonNode system = ctx.body().get("system");
    if (system instanceof ArrayNode) {
      changed |= stripBlocks((ArrayNode) system);
    }
    for (Iterator<JsonNode> it = ctx.messages().elements(); it.hasNext(); ) {
      JsonNode content = it.next().get("content");
      if (content instanceof ArrayNode && stripBlocks((ArrayNode) content)) {
        changed = true;
        if (content.isEmpty()) {
          it.remove();
        }
      }
    }
    if (changed) {
      ctx.editBody(); // marks the tree changed: serialized once before sending
    }
  }

  private static boolean stripBlocks(ArrayNode blocks) {
    boolean changed = false;
    for (Iterator<JsonNode> it = blocks.elements(); it.hasNext(); ) {
      JsonNode b = it.next();
      if ("text".equals(b.path("type").asText()) && b.path("text").asText("").isBlank()) {
        it.remove();
        changed = true;
      }
    }
    return changed;
  }

  /** True when the bytes hold {@code "text"} with a string value of only JSON whitespace. */
  static boolean mayHaveBlankText(ByteBuffer body) {
    int n = body.remaining();
    int base = body.position();
    for (int i = base; i + 6 <= base + n; i++) {
      if (body.get(i) == '"' && body.get(i + 1) == 't' && body.get(i + 2) == 'e'
          && body.get(i + 3) == 'x' && body.get(i + 4) == 't' && body.get(i + 5) == '"') {
        int j = skipSpace(body, i + 6, base + n);
        if (j < base + n && body.get(j) == ':') {
          j = skipSpace(body, j + 1, base + n);
          if (j < base + n && body.get(j) == '"' && blankString(body, j + 1, base + n)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static int skipSpace(ByteBuffer b, int i, int end) {
    while (i < end && (b.get(i) == ' ' || b.get(i) == '\t' || b.get(i) == '\n'
        || b.get(i) == '\r')) {
      i++;
    }
    return i;
  }

  /**
   * From just after an opening quote: true when the string holds only what {@link String#isBlank}
   * calls whitespace, raw, escaped ({@code \\n}, {@code \\f}, {@code \\u3000}) or as UTF-8
   * (U+3000, U+2002, ...), before its closing quote.
   */
  private static boolean blankString(ByteBuffer b, int i, int end) {
    while (i < end) {
      int c = b.get(i) & 0xff;
      if (c == '"') {
        return true;
      }
      int cp;
      int width;
      if (c == '\\') {
        if (i + 1 >= end) {
          return false;
        }
        int e = b.get(i + 1);
        if (e == 'u') {
          cp = hex4(b, i + 2, end);
          width = 6;
        } else {
          int k = "tnfr".indexOf(e);
          cp = k < 0 ? 'x' : "\t\n\f\r".charAt(k);
          width = 2;
        }
      } else if (c < 0x80) {
        cp = c;
        width = 1;
      } else {
        width = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
        if (i + width > end) {
          return false;
        }
        cp = c & (0xff >> (width + 1));
        for (int k = 1; k < width; k++) {
          cp = (cp << 6) | (b.get(i + k) & 0x3f);
        }
      }
      if (cp < 0 || !Character.isWhitespace(cp)) {
        return false;
      }
      i += width;
    }
    return false;
  }

  private static int hex4(ByteBuffer b, int i, int end) {
    if (i + 4 > end) {
      return -1;
    }
    int v = 0;
    for (int k = 0; k < 4; k++) {
      int d = Character.digit(b.get(i + k), 16);
      if (d < 0) {
        return -1;
      }
      v = (v << 4) | d;
    }
    return v;
  }
}
