package dev.sluice.disconnect.jetty;

import dev.sluice.client.DisconnectDetector.Watch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Read interest on one HTTP/1.1 connection, from the end of the request body to {@link #disarm}.
 *
 * <p>Jetty's {@code HttpConnection} stops reading once the body is read and until the response is
 * done, so a client's FIN lies unread. The probe registers its own fill interest on the endpoint
 * (the decrypted one under TLS) and, when it fires, reads one byte without blocking: end of
 * stream means the client is gone; nothing means wait again; a byte is the start of a pipelined
 * request, handed back to the connection's request buffer ({@code onUpgradeTo}), which parses it
 * after this response, and the probe stops.
 *
 * <p>The callback is non-blocking, so the selector runs it inline. The read and {@link #disarm}
 * are serialised on this object; {@code onGone} and closing the endpoint run outside that lock,
 * because {@code onGone} takes the exchange's lock, under which {@code disarm} is called.
 */
final class Probe implements Callback, Watch {
  private final HttpConnection connection;
  private final AbstractEndPoint endPoint;
  private final Runnable onGone;
  private boolean active; // guarded by this

  Probe(HttpConnection connection, AbstractEndPoint endPoint, Runnable onGone) {
    this.connection = connection;
    this.endPoint = endPoint;
    this.onGone = onGone;
  }

  /** Registers the interest; false when someone else is reading the endpoint already. */
  synchronized boolean start() {
    active = true;
    if (!endPoint.tryFillInterested(this)) {
      active = false;
    }
    return active;
  }

  @Override
  public void succeeded() {
    Throwable gone = null;
    synchronized (this) {
      if (!active) {
        return;
      }
      try {
        ByteBuffer one = BufferUtil.allocate(1); // flush mode: empty, room for one byte
        int n = endPoint.fill(one);
        if (n < 0) {
          gone = new EofException("client closed the connection");
        } else if (n == 0) {
          if (!endPoint.tryFillInterested(this)) {
            active = false;
          }
        } else {
          active = false;
          connection.onUpgradeTo(one); // a pipelined request: the connection parses it next
        }
      } catch (IOException e) {
        gone = new EofException(e);
      }
      if (gone != null) {
        active = false;
      }
    }
    if (gone != null) {
      lost(gone);
    }
  }

  @Override
  public void failed(Throwable x) {
    synchronized (this) {
      if (!active) {
        return; // disarmed: the cancellation below lands here
      }
      active = false;
    }
    lost(x);
  }

  /** Sluice first (upstream is cancelled at once), then Jetty, which releases the connection. */
  private void lost(Throwable cause) {
    try {
      onGone.run();
    } finally {
      endPoint.close(cause);
    }
  }

  @Override
  public InvocationType getInvocationType() {
    return InvocationType.NON_BLOCKING;
  }

  /** Withdraws the fill interest, so Jetty finds no read pending when the response completes. */
  @Override
  public void disarm() {
    synchronized (this) {
      if (active) {
        active = false;
        endPoint.getFillInterest().onFail(new CancellationException("response done"));
      }
    }
  }

  @Override
  public String toString() {
    return "Probe[" + endPoint + (active ? ", active]" : "]");
  }
}
