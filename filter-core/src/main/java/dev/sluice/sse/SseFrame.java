package dev.sluice.sse;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One dispatched server-sent event: its {@code event:} name, its joined {@code data:} lines, and
 * the exact bytes it arrived as.
 *
 * <p>The raw bytes run from the first byte after the previous dispatched event through this
 * event's terminating blank line, so comment-only blocks and stray bytes before an event are part
 * of it, and the raw bytes of all frames plus {@link SseParser#undispatched()} reproduce the input.
 * One exception to "through its blank line": when a lone CR ends a chunk, the event is dispatched
 * at once rather than waiting to see whether an LF follows; such an LF then opens the next frame.
 *
 * <p>{@link #name()} and {@link #data()} may be kept. The raw bytes are not copied for dispatch:
 * they point into the parser's buffer or the caller's chunk, so {@link #rawBuffer()} and {@link
 * #raw()} work only while {@link SseParser.Listener#onEvent} runs and throw {@link
 * IllegalStateException} after it returns. Call {@link #raw()} inside the callback to keep a copy.
 *
 * <p>Not thread-safe; a frame belongs to the thread that runs its parser.
 */
public final class SseFrame {
  private final String name;
  private final String data;
  private byte[] rawArray;
  private final int rawOffset;
  private final int rawLength;

  SseFrame(String name, String data, byte[] rawArray, int rawOffset, int rawLength) {
    this.name = name;
    this.data = data;
    this.rawArray = rawArray;
    this.rawOffset = rawOffset;
    this.rawLength = rawLength;
  }

  /**
   * The last {@code event:} value, or {@code ""} when the event had none. WHATWG would default to
   * {@code message}; we keep the absence visible because the SDKs drop such events.
   */
  public String name() {
    return name;
  }

  /** The {@code data:} lines joined with {@code \n}, decoded as UTF-8. */
  public String data() {
    return data;
  }

  /** How many raw bytes this frame spans; valid after the callback too. */
  public int rawLength() {
    return rawLength;
  }

  /** A read-only view of the raw bytes, without copying. Only valid during the callback. */
  public ByteBuffer rawBuffer() {
    return ByteBuffer.wrap(live(), rawOffset, rawLength).slice().asReadOnlyBuffer();
  }

  /** A copy of the raw bytes. Only callable during the callback; the copy may be kept. */
  public byte[] raw() {
    return Arrays.copyOfRange(live(), rawOffset, rawOffset + rawLength);
  }

  /** Called by the parser once the listener returns: the backing bytes are about to be reused. */
  void expire() {
    rawArray = null;
  }

  private byte[] live() {
    if (rawArray == null) {
      throw new IllegalStateException(
          "raw bytes of an SseFrame are only valid inside onEvent; copy them there with raw()");
    }
    return rawArray;
  }

  @Override
  public String toString() {
    return "SseFrame{name=" + name + ", data=" + data.length() + " chars, raw=" + rawLength + " bytes}";
  }
}
