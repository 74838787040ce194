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
 * block start/stop, message_delta, message_stop and ping), a text delta is read without a tree and
 * appended to its block's builder: from a frame, by a byte scan of its UTF-8 data with no String
 * and no parser ({@link TextDeltaScanner}); for a delta that scan is not sure of, or given as a
 * String, with the streaming parser ({@link TextDeltaReader}). The first event of any
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
  private final TextDeltaScanner scanner;
  private byte[] scratch;
  private boolean fast;

  private MessageAssembler(boolean fastPathAllowed) {
    this.fast = fastPathAllowed;
    this.reader = fastPathAllowed ? new TextDeltaReader() : null;
    this.scanner = fastPathAllowed ? new TextDeltaScanner() : null;
  }

  public static MessageAssembler create(boolean fastPathAllowed) {
    return new MessageAssembler(fastPathAllowed);
  }

  /**
   * Call during the parser's callback: a text delta is read from the frame's bytes, and its data
   * decoded to a String only when the byte scan is not sure of it.
   */
  public void accept(SseFrame frame) {
    Objects.requireNonNull(frame, "frame == null");
    String name = frame.name();
    if (fast && name.equals("content_block_delta") && scanned(frame)) {
      return;
    }
    accept(name, frame.data());
  }

  /** The byte fast path: true when the frame was a text delta for an open text block, applied. */
  private boolean scanned(SseFrame frame) {
    int n = frame.dataLength();
    if (n > TextDeltaScanner.MAX_BYTES) {
      return false;
    }
    if (scratch == null || scratch.length < n) {
      scratch = new byte[Math.max(n, 256)];
    }
    frame.copyData(scratch);
    if (!scanner.scan(scratch, 0, n)) {
      return false;
    }
    StringBuilder text = state.openText(scanner.index);
    if (text == null) {
      return false;
    }
    scanner.appendText(text);
    return true;
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
