package dev.sluice.sse;

import static java.nio.charset.StandardCharsets.UTF_8;

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
 * <p>Nothing is copied or decoded for dispatch: the raw bytes point into the parser's buffer or
 * the caller's chunk, and the data stays UTF-8 bytes in the parser's buffer until {@link #data()}
 * first decodes it. So {@link #rawBuffer()}, {@link #raw()}, {@link #copyData} and the first
 * {@link #data()} call work only while {@link SseParser.Listener#onEvent} runs, and throw {@link
 * IllegalStateException} after it returns. The strings {@link #name()} and {@link #data()}
 * return may be kept, and {@link #data()} keeps returning its string after the callback once it
 * was called inside it. A relay that only forwards an event therefore never pays for a String.
 *
 * <p>Not thread-safe; a frame belongs to the thread that runs its parser.
 */
public final class SseFrame {
  private final String name;
  private String data;
  private byte[] dataArray;
  private final int dataLength;
  private byte[] rawArray;
  private final int rawOffset;
  private final int rawLength;

  SseFrame(String name, byte[] dataArray, int dataLength, byte[] rawArray, int rawOffset,
      int rawLength) {
    this.name = name;
    this.dataArray = dataArray;
    this.dataLength = dataLength;
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

  /**
   * The {@code data:} lines joined with {@code \n}, decoded as UTF-8 on the first call, which must
   * happen during the callback; later calls return the same string, after the callback too.
   */
  public String data() {
    // Small enough to inline: then a frame whose listener is inlined too is never allocated.
    if (data == null) {
      data = new String(liveData(), 0, dataLength, UTF_8);
    }
    return data;
  }

  /** How many UTF-8 bytes the data has; valid after the callback too. */
  public int dataLength() {
    return dataLength;
  }

  /**
   * Copies the data's UTF-8 bytes ({@link #dataLength()} of them) to the start of {@code dst},
   * without decoding them. Only callable during the callback.
   */
  public void copyData(byte[] dst) {
    System.arraycopy(liveData(), 0, dst, 0, dataLength);
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
    dataArray = null;
  }

  private byte[] live() {
    if (rawArray == null) {
      throw expired("raw bytes of an SseFrame are only valid inside onEvent; copy them there"
          + " with raw()");
    }
    return rawArray;
  }

  private byte[] liveData() {
    if (dataArray == null) {
      throw expired("the data of an SseFrame is only readable inside onEvent; call data() there"
          + " to keep it");
    }
    return dataArray;
  }

  private static IllegalStateException expired(String message) {
    return new IllegalStateException(message);
  }

  @Override
  public String toString() {
    return "SseFrame{name=" + name + ", data=" + dataLength + " bytes, raw=" + rawLength + " bytes}";
  }
}
