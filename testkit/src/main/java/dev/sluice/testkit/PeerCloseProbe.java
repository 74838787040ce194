package dev.sluice.testkit;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a client that hangs up while the mock is idle (holding, or between delayed writes).
 *
 * <p>Why: once the request body is read, Jetty's HTTP/1.1 connection stops reading until the
 * response is done, so a peer close only surfaces at the next write; a held stream may not write
 * for a long time. The probe registers its own read interest on the endpoint for the life of the
 * exchange: end-of-stream or a reset means the client is gone. It is withdrawn (under the same lock
 * as the read) before the handler callback completes, so the connection can register its own read
 * interest for the next request. HTTP/1.1 clients do not pipeline; if one did, the probe would
 * consume the next request's first byte, so the connection is closed after this response instead.
 *
 * <p>Failures are reported as Jetty's {@link EofException}, a quiet exception: Jetty then drops a
 * response that was never committed without logging a warning about a client that is gone.
 */
final class PeerCloseProbe implements Callback {
  private static final Logger LOG = LoggerFactory.getLogger(MockUpstream.class);

  private final EndPoint endPoint;
  private final Consumer<Throwable> onPeerGone;
  private boolean active;
  private boolean stolePipelinedBytes;

  private PeerCloseProbe(EndPoint endPoint, Consumer<Throwable> onPeerGone) {
    this.endPoint = endPoint;
    this.onPeerGone = onPeerGone;
  }

  /** Arms a probe, or returns null when the endpoint is already being read by someone else. */
  static PeerCloseProbe arm(EndPoint endPoint, Consumer<Throwable> onPeerGone) {
    if (!(endPoint instanceof AbstractEndPoint)) {
      return null;
    }
    PeerCloseProbe probe = new PeerCloseProbe(endPoint, onPeerGone);
    synchronized (probe) {
      probe.active = endPoint.tryFillInterested(probe);
    }
    return probe.active ? probe : null;
  }

  @Override
  public void succeeded() {
    Throwable gone = null;
    synchronized (this) {
      if (!active) {
        return;
      }
      try {
        // Jetty fills buffers in "flush mode": empty means limit 0, with room up to capacity.
        int n = endPoint.fill(BufferUtil.allocate(1));
        if (n < 0) {
          gone = new EofException("client closed the connection");
        } else if (n == 0) {
          active = endPoint.tryFillInterested(this);
        } else {
          LOG.warn("client pipelined a request during a response; closing its connection after");
          stolePipelinedBytes = true;
          active = false;
        }
      } catch (IOException e) {
        gone = new EofException(e);
      }
      if (gone != null) {
        active = false;
      }
    }
    // Outside the lock: failing the exchange completes the handler callback, which disarms.
    if (gone != null) {
      onPeerGone.accept(gone);
    }
  }

  @Override
  public void failed(Throwable x) {
    synchronized (this) {
      if (!active) {
        return;
      }
      active = false;
    }
    onPeerGone.accept(x);
  }

  /** Withdraws the read interest; call before completing the handler callback. */
  void disarm() {
    synchronized (this) {
      if (active) {
        active = false;
        ((AbstractEndPoint) endPoint).getFillInterest().onFail(new CancellationException());
      }
    }
  }

  /** Closes the connection if the probe swallowed bytes of a pipelined request. */
  void closeIfTainted() {
    boolean close;
    synchronized (this) {
      close = stolePipelinedBytes;
    }
    if (close) {
      endPoint.close();
    }
  }
}
