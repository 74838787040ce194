package dev.sluice.opentelemetry;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Finds the top-level {@code max_tokens} of a request body with a streaming read of its raw
 * bytes: no tree is built, nested values are skipped, and the read stops at the field (clients
 * usually write it first, so the messages are never looked at).
 */
final class MaxTokens {
  private static final JsonFactory JSON = new JsonFactory();

  private MaxTokens() {}

  /** The value, or -1 when absent, not a number, or the body is not a JSON object. */
  static long of(ByteBuffer body) {
    ByteBuffer b = body.duplicate();
    byte[] array;
    int offset;
    if (b.hasArray()) {
      array = b.array();
      offset = b.arrayOffset() + b.position();
    } else {
      array = new byte[b.remaining()];
      b.get(array);
      offset = 0;
    }
    try (JsonParser p = JSON.createParser(array, offset, body.remaining())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return -1;
      }
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        boolean wanted = "max_tokens".equals(p.currentName());
        JsonToken value = p.nextToken();
        if (wanted) {
          return value == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
        }
        p.skipChildren();
      }
    } catch (IOException | RuntimeException e) {
      return -1; // Sluice relays what it cannot read; upstream will answer for it
    }
    return -1;
  }
}
