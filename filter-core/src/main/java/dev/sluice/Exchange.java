package dev.sluice;

import dev.sluice.upstream.UpstreamCall;
import dev.sluice.upstream.UpstreamListener;
import dev.sluice.upstream.UpstreamRequest;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One relayed request, from the client's body to the end of upstream's response.
 *
 * <p>Upstream callbacks (transport threads), container callbacks ({@code onWritePossible},
 * {@code onError}) and the timer all enter through {@code synchronized} methods, so the servlet
 * streams, which are not thread-safe, are only ever touched by one thread at a time. Side effects
 * that call out of this object (demand, cancel, complete) run after the lock is released.
 *
 * <p>Flow control: upstream is asked for the next chunk only after the previous one was written
 * and flushed, so at most one chunk per exchange is held here, whatever the client's speed.
 */
final class Exchange implements UpstreamListener, WriteListener, AsyncListener, BodyReader.Callback {
  private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);

  enum Outcome { COMPLETED, UPSTREAM_FAILED, TIMED_OUT, CLIENT_CANCELLED, REJECTED }

  private final Relay relay;
  private final HttpServletRequest request;
  private final HttpServletResponse response;
  private final URI target;
  private final long startNanos = System.nanoTime();
  private AsyncContext async; // null when the chain does not support async: blocking mode
  private final CountDownLatch blockingDone = new CountDownLatch(1);

  // All guarded by this.
  private UpstreamCall call;
  private ServletOutputStream out;
  private boolean responding;
  private boolean eventStream;
  private List<ByteBuffer> pending;
  private int pendingIndex;
  private boolean needFlush;
  private boolean awaitingData;
  private boolean upstreamDone;
  private boolean finished;
  private Outcome outcome;
  private int tail; // the last bytes written, to know whether the stream sits between events
  private long written;
  private byte[] scratch;
  private ScheduledFuture<?> timer;
  private volatile long lastActivityNanos;

  // Deferred side effects, handed from inside the lock to runDeferred().
  private boolean demandDue;
  private boolean cancelDue;
  private boolean completeDue;

  Exchange(Relay relay, HttpServletRequest request, HttpServletResponse response, URI target) {
    this.relay = relay;
    this.request = request;
    this.response = response;
    this.target = target;
  }

  /** Runs the exchange; in blocking mode, returns only when it has ended. */
  void start() {
    boolean nonBlocking = request.isAsyncSupported();
    if (nonBlocking) {
      async = request.startAsync(request, response);
      async.setTimeout(0); // the container's 30 s default would cut long streams; we own timeouts
      async.addListener(this);
    }
    long declared = request.getContentLengthLong();
    if (declared > relay.config().maxRequestBytes()) {
      onTooLarge();
    } else {
      try {
        BodyReader.read(request.getInputStream(), declared, relay.config().maxRequestBytes(),
            nonBlocking, this);
      } catch (IOException e) {
        onReadError(e);
      }
    }
    if (!nonBlocking) {
      awaitBlocking();
    }
  }

  // ---- request body ----

  @Override
  public void onBody(byte[] body, int length) {
    UpstreamRequest upstream = new UpstreamRequest(target,
        HeaderRules.toUpstream(request, relay.config().apiKey()), body, length);
    UpstreamCall c;
    synchronized (this) {
      if (finished) {
        return;
      }
      c = relay.transport().open(upstream, this);
      call = c;
      schedule(relay.config().headersTimeout().toNanos());
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} {} -> {} ({} request bytes)", request.getMethod(), request.getRequestURI(),
          target, length);
    }
    c.start();
  }

  @Override
  public void onTooLarge() {
    synchronized (this) {
      respondLocally(413, "Request body is larger than max-request-bytes ("
          + relay.config().maxRequestBytes() + " bytes)", Outcome.REJECTED);
    }
    runDeferred();
  }

  @Override
  public void onReadError(Throwable error) {
    synchronized (this) {
      finish(Outcome.CLIENT_CANCELLED);
    }
    runDeferred();
  }

  // ---- upstream ----

  @Override
  public void onResponse(int status, List<Map.Entry<String, String>> headers) {
    synchronized (this) {
      if (finished || responding) { // responding: a timeout already answered for upstream
        return;
      }
      responding = true;
      response.setStatus(status);
      HeaderRules.toClient(headers, response);
      String type = response.getContentType();
      eventStream = type != null && type.regionMatches(true, 0, "text/event-stream", 0, 17);
      if (eventStream && !response.containsHeader("x-accel-buffering")) {
        response.setHeader("x-accel-buffering", "no"); // tells nginx in front not to buffer
      }
      schedule(relay.config().idleTimeout().toNanos());
      if (startWriter()) {
        requestData();
      }
    }
    runDeferred();
  }

  @Override
  public void onData(List<ByteBuffer> data) {
    synchronized (this) {
      if (finished || upstreamDone) {
        return;
      }
      awaitingData = false;
      lastActivityNanos = System.nanoTime();
      pending = data;
      pendingIndex = 0;
      drain();
    }
    runDeferred();
  }

  @Override
  public void onComplete() {
    synchronized (this) {
      if (finished || upstreamDone) {
        return;
      }
      awaitingData = false;
      upstreamDone = true;
      drain();
    }
    runDeferred();
  }

  @Override
  public void onFailure(Throwable error) {
    synchronized (this) {
      failUpstream(error instanceof HttpConnectTimeoutException,
          error instanceof HttpConnectTimeoutException
              ? "Timed out connecting to the upstream API"
              : "Upstream connection failed: " + error.getClass().getSimpleName());
    }
    runDeferred();
  }

  // ---- client ----

  @Override
  public void onWritePossible() {
    synchronized (this) {
      drain();
    }
    runDeferred();
  }

  @Override
  public void onError(Throwable t) {
    clientGone();
  }

  @Override
  public void onError(AsyncEvent event) {
    clientGone();
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    clientGone();
  }

  @Override
  public void onComplete(AsyncEvent event) {
    clientGone(); // a no-op unless the container ended the exchange before we did
  }

  @Override
  public void onStartAsync(AsyncEvent event) {}

  private void clientGone() {
    synchronized (this) {
      finish(Outcome.CLIENT_CANCELLED);
    }
    runDeferred();
  }

  // ---- inside the lock ----

  /** Writes what is pending while the client takes it; then asks upstream for more. */
  private void drain() {
    if (finished || out == null) {
      return;
    }
    try {
      if (pending != null) {
        while (pendingIndex < pending.size()) {
          ByteBuffer b = pending.get(pendingIndex);
          if (b.hasRemaining()) {
            if (!ready()) {
              return; // resumes in onWritePossible
            }
            write(b);
          }
          pendingIndex++;
        }
        pending = null;
        needFlush = true;
      }
      if (needFlush) {
        if (!ready()) {
          return;
        }
        out.flush(); // one flush per upstream chunk: an event never waits for the next one
        needFlush = false;
      }
      if (upstreamDone) {
        if (ready()) {
          finish(outcome == null ? Outcome.COMPLETED : outcome);
        }
        return;
      }
      requestData();
    } catch (IOException | IllegalStateException e) {
      finish(Outcome.CLIENT_CANCELLED);
    }
  }

  private void requestData() {
    if (!awaitingData && responding && !upstreamDone) {
      awaitingData = true;
      lastActivityNanos = System.nanoTime();
      demandDue = true;
    }
  }

  private boolean ready() {
    return async == null || out.isReady();
  }

  private void write(ByteBuffer b) throws IOException {
    int n = b.remaining();
    byte[] array;
    int offset;
    if (b.hasArray()) {
      array = b.array();
      offset = b.arrayOffset() + b.position();
    } else {
      if (scratch == null || scratch.length < n) {
        scratch = new byte[Math.max(n, 16384)];
      }
      b.duplicate().get(scratch, 0, n);
      array = scratch;
      offset = 0;
    }
    b.position(b.limit());
    written += n;
    tail = foldTail(tail, array, offset, n);
    out.write(array, offset, n);
  }

  private static int foldTail(int tail, byte[] array, int offset, int n) {
    for (int i = Math.max(offset, offset + n - 4); i < offset + n; i++) {
      tail = (tail << 8) | (array[i] & 0xff);
    }
    return tail;
  }

  /**
   * True when the bytes written so far, followed by {@code rest}, end with a complete SSE event
   * (or are empty): a blank line in any of the three line-ending styles.
   */
  private boolean betweenEvents(List<ByteBuffer> rest) {
    int t = tail;
    long total = written;
    for (ByteBuffer b : rest) {
      ByteBuffer d = b.duplicate();
      byte[] last = new byte[Math.min(4, d.remaining())];
      d.position(d.limit() - last.length).get(last);
      t = foldTail(t, last, 0, last.length);
      total += b.remaining();
    }
    return total == 0 || (t & 0xffff) == 0x0a0a || (t & 0xffff) == 0x0d0d || t == 0x0d0a0d0a;
  }

  /** Returns false when the writer could not start because the client is already gone. */
  private boolean startWriter() {
    try {
      out = response.getOutputStream();
      if (async != null) {
        out.setWriteListener(this); // the container then calls onWritePossible
      }
      return true;
    } catch (IOException | IllegalStateException e) {
      finish(Outcome.CLIENT_CANCELLED);
      return false;
    }
  }

  private void failUpstream(boolean timeout, String message) {
    if (finished) {
      return;
    }
    cancelDue = true;
    Outcome result = timeout ? Outcome.TIMED_OUT : Outcome.UPSTREAM_FAILED;
    if (!responding) {
      respondLocally(timeout ? 504 : 502, message, result);
      return;
    }
    outcome = result;
    upstreamDone = true;
    awaitingData = false;
    if (eventStream) {
      // Never a silent cut: end with the error event the SDKs raise as an exception.
      List<ByteBuffer> rest = new ArrayList<>();
      if (pending != null) {
        rest.addAll(pending.subList(pendingIndex, pending.size()));
      }
      if (!betweenEvents(rest)) {
        rest.add(ByteBuffer.wrap(new byte[] {'\n', '\n'})); // close the cut event first
      }
      rest.add(ByteBuffer.wrap(Errors.event(timeout ? "timeout_error" : "api_error", message)));
      pending = rest;
      pendingIndex = 0;
    }
    drain();
  }

  /** Answers with Sluice's own Anthropic-shaped error; only before any upstream response. */
  private void respondLocally(int status, String message, Outcome result) {
    if (finished || responding) {
      return;
    }
    responding = true;
    outcome = result;
    pending = List.of(ByteBuffer.wrap(Errors.prepare(response, status, message)));
    pendingIndex = 0;
    upstreamDone = true;
    if (startWriter() && async == null) {
      drain();
    }
    LOG.debug("{} {} answered {} ({})", request.getMethod(), request.getRequestURI(), status,
        message);
  }

  private void finish(Outcome result) {
    if (finished) {
      return;
    }
    finished = true;
    outcome = result;
    if (timer != null) {
      timer.cancel(false);
    }
    cancelDue |= result != Outcome.COMPLETED && result != Outcome.REJECTED;
    completeDue = true;
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} {} ended {} after {} ms, {} response bytes", request.getMethod(),
          request.getRequestURI(), result,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), written);
    }
  }

  // ---- timeouts: one pending timer task per exchange ----

  private void schedule(long delayNanos) {
    if (timer != null) {
      timer.cancel(false);
    }
    timer = relay.timer().schedule(this::onTimer, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void onTimer() {
    synchronized (this) {
      if (finished) {
        return;
      }
      if (!responding) {
        failUpstream(true, "Upstream did not answer within headers-timeout ("
            + Settings.format(relay.config().headersTimeout()) + ")");
      } else {
        long idle = relay.config().idleTimeout().toNanos();
        long quiet = System.nanoTime() - lastActivityNanos;
        if (awaitingData && quiet >= idle) {
          failUpstream(true, "Upstream sent nothing for idle-timeout ("
              + Settings.format(relay.config().idleTimeout()) + ")");
        } else {
          schedule(awaitingData ? idle - quiet : idle);
        }
      }
    }
    runDeferred();
  }

  // ---- outside the lock ----

  private void runDeferred() {
    boolean demand;
    boolean cancel;
    boolean complete;
    UpstreamCall c;
    synchronized (this) {
      demand = demandDue;
      cancel = cancelDue;
      complete = completeDue;
      demandDue = cancelDue = completeDue = false;
      c = call;
    }
    if (cancel && c != null) {
      c.cancel();
    }
    if (complete) {
      complete();
    } else if (demand && c != null) {
      c.demand();
    }
  }

  private void complete() {
    if (async == null) {
      blockingDone.countDown();
      return;
    }
    try {
      async.complete();
    } catch (IllegalStateException alreadyCompleted) {
      // The container ended it first (client gone); nothing left to release.
    }
  }

  private void awaitBlocking() {
    try {
      blockingDone.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      clientGone();
    }
  }
}
