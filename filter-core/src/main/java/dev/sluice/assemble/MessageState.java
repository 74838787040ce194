package dev.sluice.assemble;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;

/**
 * The message being assembled. Both paths write here, the fast one only through {@link
 * #appendOpenText}, so which path ran cannot change the result.
 */
final class MessageState {
  private ObjectNode message = Parsing.NODES.objectNode();
  private ObjectNode usage = Parsing.NODES.objectNode();
  /** By index: content is ordered by index, whatever order blocks start in. */
  private final TreeMap<Integer, Block> blocks = new TreeMap<>();
  /** Runs of deltas hit one block; remembering it spares a map lookup per delta. */
  private int lastIndex = -1;
  private Block lastBlock;
  private boolean complete;
  private boolean errored;
  private ObjectNode error = Parsing.NODES.objectNode();
  private long textDeltas;

  /** Starts over, as the SDK accumulators do: content comes from this message's own content. */
  void messageStart(ObjectNode event) {
    if (!(event.get("message") instanceof ObjectNode m)) {
      return;
    }
    message = m;
    usage = m.get("usage") instanceof ObjectNode u ? u : Parsing.NODES.objectNode();
    blocks.clear();
    lastBlock = null;
    if (m.get("content") instanceof ArrayNode content) {
      for (int i = 0; i < content.size(); i++) {
        if (content.get(i) instanceof ObjectNode block) {
          put(i, new Block(block));
        }
      }
    }
  }

  /** Returns the new block, or null when the event had no usable index or block. */
  Block blockStart(ObjectNode event) {
    JsonNode index = event.get("index");
    if (index == null || !index.isInt() || !(event.get("content_block") instanceof ObjectNode b)) {
      return null;
    }
    Block block = new Block(b);
    put(index.intValue(), block); // a repeated index replaces the earlier block
    return block;
  }

  void blockDelta(ObjectNode event) {
    Block block = block(event.get("index"));
    if (block == null || !(event.get("delta") instanceof ObjectNode delta)) {
      return;
    }
    if (block.apply(delta)) {
      textDeltas++;
    }
  }

  /** The fast path's only write: true iff {@code index} is a started, unstopped text block. */
  boolean appendOpenText(int index, String text) {
    StringBuilder builder = openText(index);
    if (builder == null) {
      return false;
    }
    builder.append(text);
    return true;
  }

  /**
   * The fast path's other write: the text builder of {@code index} when it is a started,
   * unstopped text block, with the delta counted; else null and nothing changed. The caller
   * appends the delta's text to it.
   */
  StringBuilder openText(int index) {
    Block block = index == lastIndex && lastBlock != null ? lastBlock : blocks.get(index);
    if (block == null || !block.isText() || block.stopped) {
      return null;
    }
    lastIndex = index;
    lastBlock = block;
    textDeltas++;
    return block.textBuilder();
  }

  void blockStop(ObjectNode event) {
    Block block = block(event.get("index"));
    if (block != null) {
      block.stop();
    }
  }

  /**
   * Delta fields (stop_reason, stop_sequence, stop_details, container, ...) are set as given,
   * nulls included. Usage values are running totals, so each present one overwrites; a null or
   * absent one keeps the earlier value, as the TypeScript accumulator does ({@code != null}).
   */
  void messageDelta(ObjectNode event) {
    if (event.get("delta") instanceof ObjectNode delta) {
      for (Map.Entry<String, JsonNode> f : delta.properties()) {
        message.set(f.getKey(), f.getValue());
      }
    }
    if (event.get("usage") instanceof ObjectNode u) {
      for (Map.Entry<String, JsonNode> f : u.properties()) {
        if (!f.getValue().isNull()) {
          usage.set(f.getKey(), f.getValue());
        }
      }
    }
  }

  void messageStop() {
    complete = true;
  }

  void error(ObjectNode event) {
    errored = true;
    error = event != null && event.get("error") instanceof ObjectNode e ? e : Parsing.NODES.objectNode();
  }

  /** Fresh copies every time, so a caller may keep or change them and assembly can go on. */
  AssembledMessage snapshot(boolean fastPath) {
    ObjectNode m = message.deepCopy();
    ArrayNode content = m.putArray("content"); // replaced in place: message_start's key order stays
    for (Block block : blocks.values()) {
      content.add(block.materialize());
    }
    m.set("usage", usage.deepCopy());
    return new AssembledMessage(
        m, usage.deepCopy(), complete, errored, error.deepCopy(), textDeltas, fastPath);
  }

  private Block block(JsonNode index) {
    return index != null && index.isInt() ? blocks.get(index.intValue()) : null;
  }

  private void put(int index, Block block) {
    blocks.put(index, block);
    if (index == lastIndex) {
      lastBlock = block;
    }
  }
}
