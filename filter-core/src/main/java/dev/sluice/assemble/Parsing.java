package dev.sluice.assemble;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The one mapper the assembler parses with. Thread-safe, shared by all assemblers. */
final class Parsing {
  /**
   * Trailing tokens fail: {@code {"a":1}{"b":2}} is not one JSON value, though Jackson would
   * otherwise read the first object and stop. Padding (spaces before the end) is fine.
   */
  static final ObjectMapper MAPPER =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  static final JsonFactory FACTORY = MAPPER.getFactory();
  static final JsonNodeFactory NODES = MAPPER.getNodeFactory();

  private Parsing() {}

  /** The event's data as an object, or null when it is not exactly one JSON object. */
  static ObjectNode object(String json) {
    return value(json) instanceof ObjectNode o ? o : null;
  }

  /** One JSON value, or null when {@code json} is not exactly one valid value. */
  static JsonNode value(String json) {
    try {
      JsonNode node = MAPPER.readTree(json);
      return node == null || node.isMissingNode() ? null : node;
    } catch (JsonProcessingException e) {
      return null;
    }
  }
}
