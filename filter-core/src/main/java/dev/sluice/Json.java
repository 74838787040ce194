package dev.sluice;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one place Sluice's pipeline parses or writes JSON. It counts its use so that a test can
 * prove a request with no hooks never reaches it.
 */
final class Json {
  /**
   * Jackson refuses strings longer than 20 million characters by default; a request within
   * Anthropic's 32 MB limit can hold one (a base64 PDF), and so can a large relayed message. A
   * refused parse reads as an empty object: a hook's edit would then send upstream a request
   * without its messages, and a record would lose the usage. What is parsed here is already
   * bounded (max-request-bytes, the pipeline's cap on a JSON body it keeps), so strings are not.
   */
  static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
      .streamReadConstraints(
          StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
      .build()).build();
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
