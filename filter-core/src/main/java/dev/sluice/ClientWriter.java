package dev.sluice;

import jakarta.servlet.ServletOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes chunks to the client under the servlet non-blocking contract: {@code isReady()} before
 * every write and every flush (Jetty requires both; Tomcat throws on a write while not ready),
 * one flush per chunk, and a return whenever the stream is not ready (the container then calls
 * {@code onWritePossible}). It also knows whether the bytes so far end between two SSE events.
 *
 * <p>Not thread-safe: used only under the exchange's lock.
 */
final class ClientWriter {
  private final ServletOutputStream out;
  private final boolean nonBlocking;
  private List<ByteBuffer> pending;
  private int index;
  private boolean needFlush;
  private int tail; // the last bytes written, packed; enough to see a blank line
  private long written;
  private byte[] scratch;
  private long lastWriteNanos = System.nanoTime();

  ClientWriter(ServletOutputStream out, boolean nonBlocking) {
    this.out = out;
    this.nonBlocking = nonBlocking;
  }

  /** Queues {@code more} after what is pending; the buffers are written as they are. */
  void add(List<ByteBuffer> more) {
    if (more.isEmpty()) {
      return;
    }
    if (pending == null) {
      pending = more;
      index = 0;
      return;
    }
    List<ByteBuffer> all = new ArrayList<>(pending.subList(index, pending.size()));
    all.addAll(more);
    pending = all;
    index = 0;
  }

  /**
   * Writes and flushes what is pending while the client takes it. Returns true when everything
   * was written and flushed; false when the stream is not ready (resume in onWritePossible).
   */
  boolean drain() throws IOException {
    if (pending != null) {
      while (index < pending.size()) {
        ByteBuffer b = pending.get(index);
        if (b.hasRemaining()) {
          if (!ready()) {
            return false;
          }
          write(b);
        }
        index++;
      }
      pending = null;
      needFlush = true;
    }
    if (needFlush) {
      if (!ready()) {
        return false;
      }
      out.flush(); // one flush per upstream chunk: an event never waits for the next one
      needFlush = false;
    }
    return true;
  }

  boolean ready() {
    return !nonBlocking || out.isReady();
  }

  /** Nothing pending and nothing left to flush. */
  boolean idle() {
    return pending == null && !needFlush;
  }

  long remaining() {
    long n = 0;
    if (pending != null) {
      for (ByteBuffer b : pending.subList(index, pending.size())) {
        n += b.remaining();
      }
    }
    return n;
  }

  long lastWriteNanos() {
    return lastWriteNanos;
  }

  long written() {
    return written;
  }

  /**
   * True when the bytes written so far, followed by what is pending, end with a complete SSE
   * event (or are empty): a blank line in any of the three line-ending styles.
   */
  boolean betweenEvents() {
    int t = tail;
    long total = written;
    if (pending != null) {
      for (ByteBuffer b : pending.subList(index, pending.size())) {
        ByteBuffer d = b.duplicate();
        byte[] last = new byte[Math.min(4, d.remaining())];
        d.position(d.limit() - last.length).get(last);
        t = foldTail(t, last, 0, last.length);
        total += b.remaining();
      }
    }
    return total == 0 || (t & 0xffff) == 0x0a0a || (t & 0xffff) == 0x0d0d || t == 0x0d0a0d0a;
  }

  private void write(ByteBuffer b) throws IOException {
    int n = b.remaining();
    byte[] array;
    int offset;
    if (b.hasArray()) {
      array = b.array(); // the transport never reuses its buffers: no copy needed
      offset = b.arrayOffset() + b.position();
    } else {
      if (scratch == null || scratch.length < n) {
        // Sized to what arrives (an SSE event is a few hundred bytes), not to a read buffer: 16
        // KiB per exchange was the largest allocation of a streaming relay under load (JFR).
        scratch = new byte[Math.max(n, scratch == null ? 1024 : scratch.length * 2)];
      }
      b.duplicate().get(scratch, 0, n);
      array = scratch;
      offset = 0;
    }
    b.position(b.limit());
    written += n;
    lastWriteNanos = System.nanoTime();
    tail = foldTail(tail, array, offset, n);
    out.write(array, offset, n);
  }

  private static int foldTail(int tail, byte[] array, int offset, int n) {
    for (int i = Math.max(offset, offset + n - 4); i < offset + n; i++) {
      tail = (tail << 8) | (array[i] & 0xff);
    }
    return tail;
  }
}
