package dev.sluice.assemble;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonParser.NumberType;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads {@code index} and {@code delta.text} of a text delta with the streaming parser, so the
 * fast path builds no tree per delta. Anything it is not sure of makes it answer false and leaves
 * the event to the general path, which then decides; so both paths agree on odd input (duplicate
 * keys: the last wins in both; a non-int index or a non-string text: both ignore the delta).
 */
final class TextDeltaReader {
  int index;
  String text;

  /**
   * True iff {@code data} is one JSON object with {@code "type":"content_block_delta"}, an int
   * {@code index} and a {@code delta} of type {@code text_delta} whose {@code text} is a string.
   */
  boolean read(String data) {
    try (JsonParser p = Parsing.FACTORY.createParser(data)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      boolean typed = false;
      boolean indexed = false;
      boolean textDelta = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "type" -> typed =
              value == JsonToken.VALUE_STRING && "content_block_delta".equals(p.getText());
          case "index" -> {
            indexed = value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == NumberType.INT;
            index = indexed ? p.getIntValue() : 0;
          }
          case "delta" -> textDelta = value == JsonToken.START_OBJECT && readDelta(p);
          default -> p.skipChildren();
        }
      }
      return typed && indexed && textDelta && p.nextToken() == null;
    } catch (IOException malformed) {
      return false;
    }
  }

  /** Reads the delta object through its end; true iff it is a text_delta with a string text. */
  private boolean readDelta(JsonParser p) throws IOException {
    boolean typed = false;
    String found = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "type" -> typed = value == JsonToken.VALUE_STRING && "text_delta".equals(p.getText());
        case "text" -> found = value == JsonToken.VALUE_STRING ? p.getText() : null;
        default -> p.skipChildren();
      }
    }
    text = found;
    return typed && found != null;
  }
}
