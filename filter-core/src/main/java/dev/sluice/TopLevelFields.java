package dev.sluice;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * The request's top-level {@code model} and {@code stream}, read by one rule wherever they are
 * read (a streaming scan of the bytes or a parsed tree), so that neither the record nor a hook
 * sees an answer that depends on whether some hook parsed the body:
 *
 * <ul>
 *   <li>the last occurrence of a key wins (as Jackson's tree and most JSON parsers read it);
 *   <li>{@code model} is its value when that is a JSON string, else "" (a number is not coerced:
 *       Anthropic rejects it, Sluice relays that answer and records no model);
 *   <li>{@code stream} is true only for the JSON literal {@code true} ({@code "true"} is not a
 *       boolean: Anthropic rejects it, and Sluice records a non-streaming request);
 *   <li>a body that is not one JSON object reads as an empty one: "" and false.
 * </ul>
 */
final class TopLevelFields {
  private static final TopLevelFields EMPTY = new TopLevelFields("", false, -1, -1);

  final String model;
  final boolean stream;
  /** The last {@code model} string's first byte (its opening quote); -1 when there is none. */
  final int modelStart;
  /** One past its closing quote. */
  final int modelEnd;

  private TopLevelFields(String model, boolean stream, int modelStart, int modelEnd) {
    this.model = model;
    this.stream = stream;
    this.modelStart = modelStart;
    this.modelEnd = modelEnd;
  }

  /** One pass over the top level of {@code body[0, length)}; nested values are skipped. */
  static TopLevelFields scan(byte[] body, int length) {
    Json.USES.incrementAndGet();
    String model = "";
    boolean stream = false;
    int start = -1;
    int end = -1;
    try (JsonParser p = Json.MAPPER.getFactory().createParser(body, 0, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return EMPTY;
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("model")) {
          if (value == JsonToken.VALUE_STRING) { // getText reads it whole: the location is its end
            model = p.getText();
            start = (int) p.currentTokenLocation().getByteOffset();
            end = (int) p.currentLocation().getByteOffset();
          } else {
            p.skipChildren();
            model = "";
            start = -1;
          }
        } else if (field.equals("stream")) {
          p.skipChildren();
          stream = value == JsonToken.VALUE_TRUE;
        } else {
          p.skipChildren();
        }
      }
      return t == JsonToken.END_OBJECT ? new TopLevelFields(model, stream, start, end) : EMPTY;
    } catch (IOException notJson) {
      return EMPTY; // upstream answers 400
    }
  }

  /** {@code model} of a parsed body, by the same rule as {@link #scan}. */
  static String model(JsonNode tree) {
    JsonNode m = tree.get("model");
    return m != null && m.isTextual() ? m.textValue() : "";
  }

  /** {@code stream} of a parsed body, by the same rule as {@link #scan}. */
  static boolean stream(JsonNode tree) {
    JsonNode s = tree.get("stream");
    return s != null && s.isBoolean() && s.booleanValue();
  }
}
