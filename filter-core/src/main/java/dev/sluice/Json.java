package dev.sluice;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one place Sluice's pipeline parses or writes JSON. It counts its use so that a test can
 * prove a request with no hooks never reaches it.
 */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();
  /** Parses and serializations done by the pipeline since start; for tests. */
  static final AtomicLong USES = new AtomicLong();

  private Json() {}

  /** Parses a JSON object; an empty object when the bytes are not one. */
  static ObjectNode object(byte[] bytes, int offset, int length) {
    USES.incrementAndGet();
    try {
      JsonNode n = MAPPER.readTree(bytes, offset, length);
      return n instanceof ObjectNode ? (ObjectNode) n : MAPPER.createObjectNode();
    } catch (IOException e) {
      return MAPPER.createObjectNode();
    }
  }

  static ObjectNode object(String json) {
    USES.incrementAndGet();
    try {
      JsonNode n = MAPPER.readTree(json);
      return n instanceof ObjectNode ? (ObjectNode) n : MAPPER.createObjectNode();
    } catch (IOException e) {
      return MAPPER.createObjectNode();
    }
  }

  static byte[] bytes(JsonNode node) {
    USES.incrementAndGet();
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a JSON tree", e);
    }
  }

  static String string(JsonNode node) {
    USES.incrementAndGet();
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a JSON tree", e);
    }
  }
}
