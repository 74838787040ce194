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

  /** From just after an opening quote: only spaces or escaped whitespace before the close. */
  private static boolean blankString(ByteBuffer b, int i, int end) {
    while (i < end) {
      byte c = b.get(i);
      if (c == '"') {
        return true;
      }
      if (c == ' ' || c == '\t') {
        i++;
      } else if (c == '\\' && i + 1 < end && "ntr".indexOf(b.get(i + 1)) >= 0) {
        i += 2;
      } else {
        return false;
      }
    }
    return false;
  }
}
