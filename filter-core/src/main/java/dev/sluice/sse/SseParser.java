package dev.sluice.sse;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * Splits a byte stream into server-sent events by the WHATWG EventSource rules that the Anthropic
 * SDKs follow: LF, CRLF and lone CR line endings (a CR ending one chunk and an LF starting the next
 * are one line ending), {@code :} comments, one optional space after the colon, several {@code
 * data:} lines joined with {@code \n}, and dispatch at a blank line only for events that had a
 * data line. A leading UTF-8 BOM is skipped. Chunks may split the stream anywhere, including
 * inside a UTF-8 character: data is decoded only once its event is complete.
 *
 * <p>Like the SDKs, {@link #end()} does not dispatch a last event that no blank line closed; it
 * reports instead whether the stream ended between events.
 *
 * <p>Not thread-safe: use one instance per stream, from one thread at a time. The listener is
 * called synchronously from {@code feed}; if it throws, the exception propagates and this parser
 * must not be used again. Allocation is per event, not per byte: buffers are reused, and an
 * event's data is decoded to a String only if the listener asks for it.
 */
public final class SseParser {
  /** Receives each complete event, on the thread that called {@code feed}. */
  public interface Listener {
    /** The frame's raw bytes are only valid until this returns; see {@link SseFrame}. */
    void onEvent(SseFrame frame);
  }

  private final Listener listener;
  private final EventFields fields = new EventFields();
  /** Bytes since the last dispatch that arrived in earlier chunks, or that a spanning line joined. */
  private final ByteRun carry = new ByteRun(256); // per exchange: start small, grow by doubling
  /** Where an unfinished line starts in {@link #carry}, or -1 if none is pending. */
  private int carriedLineStart = -1;
  /** The last chunk ended with a CR: an LF starting the next chunk belongs to that line ending. */
  private boolean skipLeadingLf;
  private boolean bomChecked;
  private boolean ended;
  private boolean endedCleanly;
  private byte[] scratch;

  private SseParser(Listener listener) {
    this.listener = listener;
  }

  public static SseParser create(Listener listener) {
    return new SseParser(Objects.requireNonNull(listener, "listener == null"));
  }

  /** Consumes all remaining bytes of {@code buffer}. Direct buffers are copied in 8 KiB slices. */
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long LFS = ONES * '\n';
  private static final long CRS = ONES * '\r';

  /**
   * The index of the first {@code \n} or {@code \r} in {@code bytes[from, end)}, or {@code end}:
   * eight bytes per step (a byte equal to the pattern becomes zero; the lowest byte flagged by
   * the zero-byte test is exact), the rest one by one. Every byte of an event stream passes here,
   * so this is most of the parser's cost per event.
   */
  static int nextLineBreak(byte[] bytes, int from, int end) {
    int i = from;
    for (; i + Long.BYTES <= end; i += Long.BYTES) {
      long w = (long) LONGS.get(bytes, i);
      long lf = w ^ LFS;
      long cr = w ^ CRS;
      long found = ((lf - ONES) & ~lf | (cr - ONES) & ~cr) & HIGHS;
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < end; i++) {
      byte b = bytes[i];
      if (b == '\n' || b == '\r') {
        return i;
      }
    }
    return end;
  }

  public void feed(ByteBuffer buffer) {
    Objects.requireNonNull(buffer, "buffer == null");
    if (buffer.hasArray()) {
      feed(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
      buffer.position(buffer.limit());
      return;
    }
    if (scratch == null) {
      scratch = new byte[8192];
    }
    while (buffer.hasRemaining()) {
      int n = Math.min(scratch.length, buffer.remaining());
      buffer.get(scratch, 0, n);
      feed(scratch, 0, n);
    }
  }

  public void feed(byte[] bytes, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    if (ended) {
      throw new IllegalStateException("feed after end()");
    }
    if (length == 0) {
      return;
    }
    int end = offset + length;
    int rawStart = offset; // first byte of this chunk not yet copied into carry
    int lineStart = offset;
    if (skipLeadingLf) {
      skipLeadingLf = false;
      if (bytes[offset] == '\n') {
        lineStart = offset + 1;
      }
    }
    for (int i = nextLineBreak(bytes, lineStart, end); i < end;
        i = nextLineBreak(bytes, lineStart, end)) {
      byte b = bytes[i];
      int next = i + 1;
      if (b == '\r') {
        if (next == end) {
          skipLeadingLf = true; // Dispatch now rather than wait for a byte that may never come.
        } else if (bytes[next] == '\n') {
          next++;
        }
      }
      boolean blank;
      if (carriedLineStart >= 0) {
        int lineEnd = carry.length + (i - rawStart);
        carry.append(bytes, rawStart, next - rawStart);
        rawStart = next;
        blank = line(carry.bytes, carriedLineStart, lineEnd);
        carriedLineStart = -1;
      } else {
        blank = line(bytes, lineStart, i);
      }
      if (blank) {
        if (fields.hasData()) {
          dispatch(bytes, rawStart, next);
          rawStart = next;
        }
        fields.reset();
      }
      lineStart = next;
    }
    if (lineStart < end && carriedLineStart < 0) {
      carriedLineStart = carry.length + (lineStart - rawStart);
    }
    carry.append(bytes, rawStart, end - rawStart);
  }

  /**
   * Ends the stream. An event that no blank line closed is dropped, as the SDKs drop it. Returns
   * whether the stream ended between events: no partial line and no field since the last blank
   * line (comments and blank lines after the last event still count as clean). Idempotent.
   */
  public boolean end() {
    if (!ended) {
      ended = true;
      endedCleanly = carriedLineStart < 0 && !fields.started();
    }
    return endedCleanly;
  }

  /** What {@link #end()} returned; false before it is called. */
  public boolean endedCleanly() {
    return endedCleanly;
  }

  /**
   * How many bytes were received since the last dispatched event: the start of the next event's
   * raw bytes, held until its blank line arrives.
   */
  public int undispatchedLength() {
    return carry.length;
  }

  /** A copy of the bytes received since the last dispatched event (the tail {@code end()} drops). */
  public byte[] undispatched() {
    return Arrays.copyOf(carry.bytes, carry.length);
  }

  /** Handles one line without its ending; returns whether it was blank. */
  private boolean line(byte[] bytes, int from, int to) {
    if (!bomChecked) {
      bomChecked = true;
      if (to - from >= 3
          && bytes[from] == (byte) 0xEF
          && bytes[from + 1] == (byte) 0xBB
          && bytes[from + 2] == (byte) 0xBF) {
        from += 3;
      }
    }
    if (from == to) {
      return true;
    }
    fields.line(bytes, from, to);
    return false;
  }

  private void dispatch(byte[] bytes, int from, int to) {
    SseFrame frame;
    if (carry.length == 0) {
      frame = new SseFrame(fields.name(), fields.dataBytes(), fields.dataLength(), bytes, from,
          to - from);
    } else {
      carry.append(bytes, from, to - from);
      frame = new SseFrame(fields.name(), fields.dataBytes(), fields.dataLength(), carry.bytes, 0,
          carry.length);
    }
    try {
      listener.onEvent(frame);
    } finally {
      frame.expire();
      carry.clear();
    }
  }
}
