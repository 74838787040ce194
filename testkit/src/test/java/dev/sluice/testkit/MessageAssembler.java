package dev.sluice.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds the final Message from stream events the way the SDK accumulators do. */
final class MessageAssembler {
  private static final ObjectMapper JSON = new ObjectMapper();

  private MessageAssembler() {}

  static JsonNode assemble(List<Sse.Event> events) throws Exception {
    ObjectNode message = null;
    Map<Integer, StringBuilder> partialJson = new HashMap<>();
    for (Sse.Event event : events) {
      JsonNode data = JSON.readTree(event.data());
      switch (data.get("type").asText()) {
        case "message_start" -> message = (ObjectNode) data.get("message").deepCopy();
        case "content_block_start" ->
            ((ArrayNode) message.get("content")).add(data.get("content_block").deepCopy());
        case "content_block_delta" -> {
          int index = data.get("index").asInt();
          ObjectNode block = (ObjectNode) message.get("content").get(index);
          JsonNode delta = data.get("delta");
          switch (delta.get("type").asText()) {
            case "text_delta" ->
                block.put("text", block.get("text").asText() + delta.get("text").asText());
            case "thinking_delta" ->
                block.put(
                    "thinking", block.get("thinking").asText() + delta.get("thinking").asText());
            case "signature_delta" -> block.put("signature", delta.get("signature").asText());
            case "input_json_delta" ->
                partialJson
                    .computeIfAbsent(index, k -> new StringBuilder())
                    .append(delta.get("partial_json").asText());
            case "citations_delta" -> {
              if (!block.path("citations").isArray()) {
                block.putArray("citations");
              }
              ((ArrayNode) block.get("citations")).add(delta.get("citation"));
            }
            default -> throw new AssertionError("unknown delta " + delta);
          }
        }
        case "content_block_stop" -> {
          int index = data.get("index").asInt();
          StringBuilder partial = partialJson.remove(index);
          if (partial != null) {
            String json = partial.length() == 0 ? "{}" : partial.toString();
            ((ObjectNode) message.get("content").get(index)).set("input", JSON.readTree(json));
          }
        }
        case "message_delta" -> {
          // Usage values are cumulative totals: overwrite, never add.
          for (Map.Entry<String, JsonNode> e : data.get("delta").properties()) {
            message.set(e.getKey(), e.getValue());
          }
          ObjectNode usage = (ObjectNode) message.get("usage");
          for (Map.Entry<String, JsonNode> e : data.get("usage").properties()) {
            usage.set(e.getKey(), e.getValue());
          }
        }
        default -> {
          // ping, message_stop, error: nothing to accumulate
        }
      }
    }
    return message;
  }
}
