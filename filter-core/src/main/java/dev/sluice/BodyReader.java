package dev.sluice;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * Reads a request body into one array, bounded by a limit, with a {@link ReadListener} when the
 * stream supports it. A wrapper in front of the filter (Logbook's, for one) may refuse
 * {@code setReadListener}; then it falls back to a bounded blocking read on the calling thread.
 */
final class BodyReader implements ReadListener {
  interface Callback {
    void onBody(byte[] body, int length);

    /** The body passed the limit; reading stopped. */
    void onTooLarge();

    void onReadError(Throwable error);
  }

  private final ServletInputStream in;
  private final long max;
  private final Callback callback;
  private byte[] buf;
  private int len;
  private boolean done;

  private BodyReader(ServletInputStream in, long declaredLength, long max, Callback callback) {
    this.in = in;
    this.max = max;
    this.callback = callback;
    this.buf = new byte[(int) Math.min(max + 1, declaredLength >= 0 ? declaredLength + 1 : 8192)];
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
    len += n;
    if (len > max) {
      done = true;
      buf = null;
      callback.onTooLarge();
    } else if (len == buf.length) {
      buf = Arrays.copyOf(buf, (int) Math.min(max + 1, (long) buf.length * 2));
    }
  }

  private void finish() {
    if (!done) {
      done = true;
      callback.onBody(buf, len);
    }
  }

  private void fail(Throwable t) {
    if (!done) {
      done = true;
      callback.onReadError(t);
    }
  }
}
