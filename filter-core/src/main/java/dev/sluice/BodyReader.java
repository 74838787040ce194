package dev.sluice;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * Reads a request body into one array, bounded by a limit, with a {@link ReadListener} when the
 * stream supports it. A wrapper in front of the filter (Logbook's, for one) may refuse
 * {@code setReadListener}; then it falls back to a bounded blocking read on the calling thread.
 *
 * <p>A body over the limit is not simply abandoned: the rest of it is read and thrown away, up
 * to {@link #SWALLOW} more bytes, before the 413 is reported. A server that answers and closes
 * while the client is still sending makes the client's TCP stack reset the connection, and the
 * client then sees "connection reset" instead of the 413 (Tomcat swallows 2 MiB for the same
 * reason). Drained bodies also leave the connection usable for the next request.
 */
final class BodyReader implements ReadListener {
  /** How many bytes past the limit are read and discarded so that the client sees the 413. */
  static final long SWALLOW = 2L << 20;

  interface Callback {
    void onBody(byte[] body, int length);

    /**
     * The body passed the limit. {@code drained}: the whole body was read (and discarded), so the
     * connection is clean; otherwise reading stopped early and the connection should close.
     */
    void onTooLarge(boolean drained);

    void onReadError(Throwable error);
  }

  private final ServletInputStream in;
  private final long max;
  private final Callback callback;
  private byte[] buf;
  private int len;
  private long total;
  private boolean discarding;
  private boolean done;

  private BodyReader(ServletInputStream in, long declaredLength, long max, Callback callback) {
    this.in = in;
    this.max = max;
    this.callback = callback;
    if (declaredLength > max) {
      discarding = true;
      buf = new byte[8192];
    } else {
      buf = new byte[(int) Math.min(max + 1, declaredLength >= 0 ? declaredLength + 1 : 8192)];
    }
  }

  /**
   * Whether a body of {@code declaredLength} bytes is better refused without reading any of it:
   * it is too large to drain, or the client waits for {@code 100 Continue} before sending it.
   */
  static boolean refuseUnread(long declaredLength, long max, boolean expectsContinue) {
    return declaredLength > max && (expectsContinue || declaredLength - max > SWALLOW);
  }

  /** Reads without blocking when {@code nonBlocking}; calls back exactly once. */
  static void read(ServletInputStream in, long declaredLength, long max, boolean nonBlocking,
      Callback callback) {
    BodyReader reader = new BodyReader(in, declaredLength, max, callback);
    if (nonBlocking) {
      try {
        in.setReadListener(reader);
        return;
      } catch (UnsupportedOperationException | IllegalStateException refused) {
        // Fall through: this stream (or a wrapper around it) only reads blocking.
      }
    }
    reader.readBlocking();
  }

  private void readBlocking() {
    try {
      while (!done) {
        int n = in.read(buf, len, buf.length - len);
        if (n < 0) {
          finish();
        } else {
          accept(n);
        }
      }
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  @Override
  public void onDataAvailable() throws IOException {
    while (!done && in.isReady()) {
      int n = in.read(buf, len, buf.length - len);
      if (n < 0) {
        finish();
      } else {
        accept(n);
      }
    }
  }

  @Override
  public void onAllDataRead() {
    finish();
  }

  @Override
  public void onError(Throwable t) {
    fail(t);
  }

  private void accept(int n) {
    total += n;
    if (discarding) {
      len = 0;
      if (total - max > SWALLOW) {
        done = true;
        buf = null;
        callback.onTooLarge(false);
      }
      return;
    }
    len += n;
    if (len > max) {
      discarding = true;
      buf = new byte[8192];
      len = 0;
      accept(0);
    } else if (len == buf.length) {
      buf = Arrays.copyOf(buf, (int) Math.min(max + 1, (long) buf.length * 2));
    }
  }

  private void finish() {
    if (!done) {
      done = true;
      if (discarding) {
        buf = null;
        callback.onTooLarge(true);
      } else {
        callback.onBody(buf, len);
      }
    }
  }

  private void fail(Throwable t) {
    if (!done) {
      done = true;
      callback.onReadError(t);
    }
  }
}
