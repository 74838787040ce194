package dev.sluice.upstream;

import java.net.SocketTimeoutException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * One exchange on the Jetty client. Jetty's events (headers, content source, result) and the
 * listener's demand and cancel only change state under this object's lock; whichever thread finds
 * work to do takes the "driver" role and makes every listener call and every read, so listener
 * calls are never concurrent and their order is kept.
 *
 * <p>Reads are demand-driven: one {@code read()} of the content source per outstanding demand;
 * when nothing is there, one {@code source.demand(..)} and no more reading until Jetty calls back.
 * Jetty's chunks are pooled, so each one is copied into a buffer the listener owns and released at
 * once.
 *
 * <p>Everything here, and the listener (its contract), is non-blocking, so the call tells Jetty
 * so ({@link Invocable.InvocationType#NON_BLOCKING}): Jetty may then run the response events and
 * the demand callback on the thread that read the bytes instead of handing each one to its pool.
 */
final class JettyCall implements UpstreamCall, Response.Listener, Invocable {
  private final Request request;
  private final UpstreamListener listener;

  // All guarded by this.
  private boolean started;
  private boolean driving; // a thread holds the driver role
  private boolean terminated; // the listener had its last call, or the call was cancelled
  private int status = -1; // a response waiting to be announced
  private boolean responded; // onResponse was called
  private List<Map.Entry<String, String>> headers;
  private Content.Source source;
  private boolean sourceWaiting; // source.demand(..) called, not yet called back
  private boolean sourceEnded; // the last chunk was read
  private boolean succeeded; // Jetty's result, success
  private Throwable failure; // a failure waiting to be announced
  private long demand;
  private final Runnable onSourceReady =
      Invocable.from(InvocationType.NON_BLOCKING, this::onSourceReady);

  JettyCall(Request request, UpstreamListener listener) {
    this.request = request;
    this.listener = listener;
  }

  @Override
  public void start() {
    synchronized (this) {
      if (started || terminated) {
        return;
      }
      started = true;
    }
    request.send(this);
  }

  @Override
  public void demand() {
    synchronized (this) {
      if (terminated) {
        return;
      }
      demand++;
    }
    drive();
  }

  @Override
  public void cancel() {
    synchronized (this) {
      if (terminated) {
        return;
      }
      terminated = true;
      if (!started) {
        return;
      }
    }
    // Aborting an exchange that is on a connection closes that connection: a half-read body is
    // never handed to the next request.
    request.abort(new CancellationException("cancelled by Sluice"));
  }

  // ---- Jetty's events ----

  @Override
  public InvocationType getInvocationType() {
    return InvocationType.NON_BLOCKING;
  }

  @Override
  public void onHeaders(Response response) {
    List<Map.Entry<String, String>> list = new ArrayList<>(response.getHeaders().size());
    for (HttpField f : response.getHeaders()) {
      list.add(Map.entry(f.getName().toLowerCase(Locale.ROOT), f.getValue()));
    }
    synchronized (this) {
      headers = list;
      status = response.getStatus();
    }
    drive();
  }

  @Override
  public void onContentSource(Response response, Content.Source contentSource) {
    synchronized (this) {
      source = contentSource;
    }
    drive();
  }

  @Override
  public void onComplete(Result result) {
    synchronized (this) {
      if (result.isFailed()) {
        if (failure == null) {
          failure = result.getFailure();
        }
      } else {
        succeeded = true;
      }
    }
    drive();
  }

  private void onSourceReady() {
    synchronized (this) {
      sourceWaiting = false;
    }
    drive();
  }

  // ---- the driver ----

  private enum Step { RESPOND, READ, FAIL, COMPLETE }

  /** Runs the next steps while there are any, unless another thread already does. */
  private void drive() {
    synchronized (this) {
      if (driving) {
        return; // the driver re-reads the state before it lets go
      }
      driving = true;
    }
    while (true) {
      Step step;
      int code = 0;
      List<Map.Entry<String, String>> fields = null;
      Content.Source s = null;
      Throwable error = null;
      synchronized (this) {
        step = next();
        if (step == null) {
          driving = false;
          return;
        }
        switch (step) {
          case RESPOND:
            code = status;
            fields = headers;
            status = -1;
            headers = null;
            responded = true;
            break;
          case READ:
            s = source;
            break;
          case FAIL:
            error = connectTimeout(failure, responded);
            terminated = true;
            break;
          default:
            terminated = true;
        }
      }
      switch (step) {
        case RESPOND:
          listener.onResponse(code, fields);
          break;
        case READ:
          read(s);
          break;
        case FAIL:
          listener.onFailure(error);
          break;
        default:
          listener.onComplete();
      }
    }
  }

  /** Under the lock: what to do next, or null for nothing. */
  private Step next() {
    if (terminated) {
      return null;
    }
    if (status >= 0) {
      return Step.RESPOND;
    }
    if (failure != null) {
      return Step.FAIL;
    }
    if (sourceEnded || succeeded && source == null) {
      return Step.COMPLETE; // (a response without content never gets a source)
    }
    if (demand > 0 && source != null && !sourceWaiting) {
      return Step.READ;
    }
    return null;
  }

  /** Reads at most one chunk with bytes; called by the driver only. */
  private void read(Content.Source s) {
    Content.Chunk chunk = s.read();
    if (chunk == null) {
      synchronized (this) {
        sourceWaiting = true;
      }
      s.demand(onSourceReady);
      return;
    }
    if (Content.Chunk.isFailure(chunk)) {
      Throwable cause = chunk.getFailure();
      synchronized (this) {
        if (failure == null) {
          failure = cause;
        }
      }
      if (!chunk.isLast()) {
        request.abort(cause); // a transient failure: Sluice gives up (it owns the timeouts)
      }
      return;
    }
    ByteBuffer copy = null;
    if (chunk.hasRemaining()) {
      ByteBuffer b = chunk.getByteBuffer();
      copy = ByteBuffer.allocate(b.remaining());
      copy.put(b.duplicate()).flip();
    }
    boolean last = chunk.isLast();
    chunk.release(); // pooled: back to Jetty at once, the listener has its own copy
    synchronized (this) {
      sourceEnded = last;
      if (copy != null) {
        demand--;
      }
      if (terminated) {
        return;
      }
    }
    if (copy != null) {
      listener.onData(List.of(copy));
    }
  }

  /** Jetty reports a connect timeout as a SocketTimeoutException; the contract wants this one. */
  private static Throwable connectTimeout(Throwable error, boolean responded) {
    if (error instanceof SocketTimeoutException && !responded
        && String.valueOf(error.getMessage()).toLowerCase(Locale.ROOT).contains("connect")) {
      HttpConnectTimeoutException e = new HttpConnectTimeoutException(error.getMessage());
      e.initCause(error);
      return e;
    }
    return error;
  }
}
