package dev.sluice.assemble;

import dev.sluice.sse.SseFrame;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * Builds the final {@code Message} of a {@code /v1/messages} stream from its events, the way the
 * SDK accumulators do: events without a name and {@code ping} are dropped, {@code error} is
 * recorded, everything else is dispatched on its JSON {@code type}; unknown types, unknown deltas
 * and unparseable data are ignored, never thrown.
 *
 * <p>Text fast path: while the stream holds only text blocks and text deltas (plus message_start,
 * block start/stop, message_delta, message_stop and ping), a text delta is read with the streaming
 * parser and appended to its block's builder, with no tree per delta. The first event of any
 * other kind (a non-text block, another delta type, a delta for an index with no open text block,
 * an error, an unknown or unparseable event) leaves the fast path for the rest of the stream. Both
 * paths write the same state, so the result never depends on which one ran; only {@link
 * AssembledMessage#fastPath()} tells.
 *
 * <p>Not thread-safe: one instance per exchange, used from one thread at a time.
 */
public final class MessageAssembler {
  private final MessageState state = new MessageState();
  private final TextDeltaReader reader;
  private boolean fast;

  private MessageAssembler(boolean fastPathAllowed) {
    this.fast = fastPathAllowed;
    this.reader = fastPathAllowed ? new TextDeltaReader() : null;
  }

  public static MessageAssembler create(boolean fastPathAllowed) {
    return new MessageAssembler(fastPathAllowed);
  }

  public void accept(SseFrame frame) {
    Objects.requireNonNull(frame, "frame == null");
    accept(frame.name(), frame.data());
  }

  /** {@code eventName} is the SSE {@code event:} value, {@code ""} when there was none. */
  public void accept(String eventName, String data) {
    Objects.requireNonNull(eventName, "eventName == null");
    Objects.requireNonNull(data, "data == null");
    switch (eventName) {
      case "", "ping" -> {
        return; // the SDKs drop these by name before looking at the data
      }
      case "error" -> {
        state.error(Parsing.object(data));
        fast = false;
        return;
      }
      default -> { }
    }
    if (fast
        && eventName.equals("content_block_delta")
        && reader.read(data)
        && state.appendOpenText(reader.index, reader.text)) {
      return;
    }
    boolean textOnly = general(Parsing.object(data));
    fast &= textOnly;
  }

  /** Returns whether the event is one the fast path may see before its next text delta. */
  private boolean general(ObjectNode event) {
    if (event == null) {
      return false;
    }
    switch (event.path("type").asText()) {
      case "message_start" -> state.messageStart(event);
      case "content_block_start" -> {
        Block block = state.blockStart(event);
        return block != null && block.isText();
      }
      case "content_block_delta" -> {
        state.blockDelta(event);
        return false; // a text delta the fast path could take never gets here
      }
      case "content_block_stop" -> state.blockStop(event);
      case "message_delta" -> state.messageDelta(event);
      case "message_stop" -> state.messageStop();
      case "ping" -> { }
      case "error" -> {
        state.error(event);
        return false;
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /** The message so far; callable at any time, mid-stream included. Fresh trees on every call. */
  public AssembledMessage result() {
    return state.snapshot(fast);
  }
}
