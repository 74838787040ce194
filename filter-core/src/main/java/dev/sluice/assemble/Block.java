package dev.sluice.assemble;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One content block: the object {@code content_block_start} carried, kept as it arrived (unknown
 * types and fields included), plus builders for what deltas append. Appending to a builder rather
 * than to the tree keeps thousands of deltas linear.
 */
final class Block {
  private final ObjectNode node;
  private final boolean text;
  private StringBuilder textBuilder;
  private StringBuilder thinkingBuilder;
  private StringBuilder inputJson;
  private JsonNode parsedInput;
  private int parsedInputLength = -1;
  boolean stopped;

  Block(ObjectNode node) {
    this.node = node;
    this.text = "text".equals(node.path("type").asText());
  }

  boolean isText() {
    return text;
  }

  /**
   * Applies one {@code content_block_delta}'s delta; returns whether it appended text. A field of
   * the wrong type is skipped, and an unknown delta type, newer than this code, leaves the block
   * as it is.
   */
  boolean apply(ObjectNode delta) {
    switch (delta.path("type").asText()) {
      case "text_delta" -> {
        String s = textual(delta, "text");
        if (s != null) {
          appendText(s);
          return true;
        }
      }
      case "thinking_delta" -> {
        String s = textual(delta, "thinking");
        if (s != null) {
          thinkingBuilder = append(thinkingBuilder, "thinking", s);
        }
      }
      case "input_json_delta" -> {
        String s = textual(delta, "partial_json");
        if (s != null) {
          inputJson = inputJson == null ? new StringBuilder(s) : inputJson.append(s);
        }
      }
      case "signature_delta" -> {
        // One signature per thinking block: a later one replaces, never extends, the earlier.
        if (delta.hasNonNull("signature")) {
          node.set("signature", delta.get("signature"));
        }
      }
      case "citations_delta" -> {
        if (delta.hasNonNull("citation")) {
          JsonNode list = node.get("citations");
          (list instanceof ArrayNode a ? a : node.putArray("citations")).add(delta.get("citation"));
        }
      }
      default -> { }
    }
    return false;
  }

  void appendText(String s) {
    textBuilder = append(textBuilder, "text", s);
  }

  /** The builder text deltas append to, started from the block's own text. */
  StringBuilder textBuilder() {
    if (textBuilder == null) {
      textBuilder = append(null, "text", "");
    }
    return textBuilder;
  }

  void stop() {
    stopped = true;
    input(); // parse now, as the SDKs do; materialize() reuses it unless more JSON arrives
  }

  /** A fresh copy with what the deltas built so far; the block itself is unchanged. */
  ObjectNode materialize() {
    ObjectNode copy = node.deepCopy();
    if (textBuilder != null) {
      copy.put("text", textBuilder.toString());
    }
    if (thinkingBuilder != null) {
      copy.put("thinking", thinkingBuilder.toString());
    }
    JsonNode input = input();
    if (input != null) {
      copy.set("input", input.deepCopy()); // the cached parse must not leak to callers
    }
    return copy;
  }

  /**
   * The concatenated {@code partial_json}: null when there was none or only whitespace (input
   * stays as it arrived, usually {}); the parsed value when it is one valid JSON value; otherwise
   * the concatenation itself as a JSON string, so a log shows what arrived instead of losing it.
   * A block cut mid-stream therefore usually shows its partial input as a string.
   */
  private JsonNode input() {
    if (inputJson == null || inputJson.length() == parsedInputLength) {
      return parsedInput;
    }
    String json = inputJson.toString();
    parsedInputLength = json.length();
    if (json.isBlank()) {
      parsedInput = null;
    } else {
      JsonNode value = Parsing.value(json);
      parsedInput = value != null ? value : Parsing.NODES.textNode(json);
    }
    return parsedInput;
  }

  /** The first delta starts from the block's own value, which is usually "". */
  private StringBuilder append(StringBuilder builder, String field, String s) {
    if (builder == null) {
      String initial = textual(node, field);
      builder = new StringBuilder(initial == null ? "" : initial);
    }
    return builder.append(s);
  }

  private static String textual(ObjectNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isTextual() ? value.textValue() : null;
  }
}
