package dev.sluice;

import dev.sluice.client.DisconnectDetector.Watch;
import dev.sluice.hook.Outcome;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
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
 *
 * <p>No callback ever blocks the thread that calls it, so transports may call in from their I/O
 * threads. In blocking mode (a filter in front is not async-supported) the writes block: there,
 * upstream and timer callbacks are queued to the request's own thread, which waits in
 * {@link #start()} anyway, and run there.
 */
final class Exchange implements UpstreamListener, WriteListener, AsyncListener, BodyReader.Callback {
  private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);

  private final Relay relay;
  private final HttpServletRequest request;
  private final HttpServletResponse response;
  private final URI target;
  private final Stages stages; // null when no hook is enabled: the pure byte relay
  // The web app's class loader (the request thread's context loader): hooks see it as their
  // context class loader on transport and timer threads too. Unused without hooks.
  private final ClassLoader appLoader = Thread.currentThread().getContextClassLoader();
  private final long startNanos = System.nanoTime();
  private AsyncContext async; // null when the chain does not support async: blocking mode
  /** Blocking mode only: callbacks for the request thread to run; {@link #DONE} ends the wait. */
  private final BlockingQueue<Runnable> inbox;
  private static final Runnable DONE = () -> {};

  // All guarded by this.
  private UpstreamCall call;
  private ClientWriter writer; // null until the response starts
  private boolean responding;
  private boolean eventStream;
  private boolean awaitingData;
  private boolean upstreamDone;
  private boolean followUpPending;
  private boolean hookWaiting; // a request hook's onRequestAsync has not completed
  private boolean finished;
  private Outcome outcome;
  private ScheduledFuture<?> timer;
  private long timerGeneration;
  private Watch watch = Watch.NONE; // the disconnect detector's, from the body's end to the last write
  private volatile long lastActivityNanos;

  private static final byte[] PING =
      "event: ping\ndata: {\"type\": \"ping\"}\n\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  // Deferred side effects, handed from inside the lock to runDeferred().
  private boolean demandDue;
  private boolean startDue;
  private boolean cancelDue;
  private boolean completeDue;

  Exchange(Relay relay, HttpServletRequest request, HttpServletResponse response, URI target,
      String path) {
    this.relay = relay;
    this.request = request;
    this.response = response;
    this.target = target;
    this.stages = relay.hooks().needsPipeline() ? new Stages(relay, path) : null;
    this.inbox = request.isAsyncSupported() ? null : new LinkedBlockingQueue<>();
  }

  /** Runs the exchange; in blocking mode, returns only when it has ended. */
  void start() {
    boolean nonBlocking = inbox == null;
    if (nonBlocking) {
      async = request.startAsync(request, response);
      async.setTimeout(0); // the container's 30 s default would cut long streams; we own timeouts
      async.addListener(this);
    }
    relay.open().incrementAndGet(); // after startAsync: an exchange it refused never opened
    if (stages != null) {
      stages.arrive(); // on the request's own thread, where the app's tracing context is current
    }
    long declared = request.getContentLengthLong();
    if (BodyReader.refuseUnread(declared, relay.config().maxRequestBytes(),
        "100-continue".equalsIgnoreCase(request.getHeader("expect")))) {
      onTooLarge(false);
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
    List<Map.Entry<String, String>> headers =
        HeaderRules.toUpstream(request, relay.config().apiKey());
    // Containers refuse CR and LF in header values; a wrapper in front of Sluice might not.
    String invalid = HeaderRules.invalidLine(headers);
    // Outside the lock: a detector may report a client already gone from inside arm().
    Watch armed = async == null || invalid != null ? Watch.NONE
        : relay.disconnects().arm(request, this::clientGone);
    try {
      synchronized (this) {
        watch = armed;
        if (finished) {
          disarm();
          return;
        }
        if (invalid != null) {
          respondLocally(400, Errors.typeFor(400), "Invalid request header " + invalid,
              Outcome.REJECTED);
        } else {
          relay(headers, body, length);
        }
      }
    } catch (RuntimeException e) {
      internalError(e); // a transport that throws must not leave the exchange hanging
    }
    runDeferred();
  }

  private void relay(List<Map.Entry<String, String>> headers, byte[] body, int length) {
    proceed(stages == null
        ? new UpstreamRequest(target, headers, body, length)
        : stages.request(target, headers, body, length, this::requestHookSettled));
  }

  /** After the request hooks: send, answer a rejection, or wait for a hook still working. */
  private void proceed(UpstreamRequest upstream) {
    if (upstream == Stages.WAITING) {
      if (!hookWaiting) { // one bound for all of a request's waits
        hookWaiting = true;
        schedule(relay.config().requestHookTimeout().toNanos());
      }
      return;
    }
    hookWaiting = false;
    if (upstream == null) {
      RequestStage r = stages.rejection();
      respondLocally(r.rejectStatus(), r.rejectType(), r.rejectMessage(), Outcome.REJECTED);
    } else {
      send(upstream);
      if (LOG.isDebugEnabled()) {
        // The upstream base, not the target: a query string may carry what a client thought
        // was a good place for a key.
        LOG.debug("{} {} -> {} ({} request bytes)", request.getMethod(),
            request.getRequestURI(), relay.config().upstream(), upstream.bodyLength());
      }
    }
  }

  /** A parked request hook's stage completed, on whatever thread completed it. */
  private void requestHookSettled() {
    if (inbox != null) {
      inbox.add(this::resumeRequest);
    } else {
      resumeRequest();
    }
  }

  private void resumeRequest() {
    ClassLoader caller = enterApp();
    try {
      try {
        synchronized (this) {
          if (finished || !hookWaiting) {
            return; // the client left, or the wait was given up
          }
          proceed(stages.resumeRequest());
        }
      } catch (RuntimeException e) {
        internalError(e);
      }
      runDeferred();
    } finally {
      leaveApp(caller);
    }
  }

  private void send(UpstreamRequest upstream) {
    call = relay.transport().open(upstream, inbox == null ? this : new OnRequestThread());
    if (stages != null) {
      stages.sent(call); // the record lists its attempts (failover)
    }
    startDue = true;
    schedule(relay.config().headersTimeout().toNanos());
  }

  @Override
  public void onTooLarge(boolean drained) {
    synchronized (this) {
      if (!drained && !finished && !responding) {
        response.setHeader("connection", "close"); // the rest of the body is still on its way
      }
      respondLocally(413, Errors.typeFor(413), "Request body is larger than max-request-bytes ("
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
    ClassLoader caller = enterApp();
    try {
      try {
        synchronized (this) {
          if (finished) {
            return;
          }
          if (followUpPending) {
            followUpResponse(status);
            return;
          }
          if (responding) { // a timeout already answered for upstream
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
          if (stages != null) {
            stages.onResponse(status, headers, eventStream);
            if (stages.mayChangeLength()) {
              response.setContentLengthLong(-1); // a hook may change the body: length known at end
            }
          }
          if (startWriter(List.of())) {
            watchdog();
            requestData();
          }
        }
      } catch (RuntimeException e) {
        internalError(e);
      }
      runDeferred();
    } finally {
      leaveApp(caller);
    }
  }

  @Override
  public void onData(List<ByteBuffer> data) {
    ClassLoader caller = enterApp();
    try {
      try {
        synchronized (this) {
          if (finished || upstreamDone) {
            return;
          }
          awaitingData = false;
          lastActivityNanos = System.nanoTime();
          if (stages == null) {
            writer.add(data);
            drain();
          } else {
            List<ByteBuffer> out = stages.onChunk(data);
            if (out.isEmpty()) {
              requestData(); // nothing to send yet (a partial event, or a body being held)
            } else {
              writer.add(out);
              drain();
            }
            if (!finished) { // a write that found the client gone ended the exchange
              stages.afterWrite();
            }
          }
        }
      } catch (RuntimeException e) {
        internalError(e);
      }
      runDeferred();
    } finally {
      leaveApp(caller);
    }
  }

  @Override
  public void onComplete() {
    ClassLoader caller = enterApp();
    try {
      try {
        synchronized (this) {
          if (finished || upstreamDone) {
            return;
          }
          awaitingData = false;
          Stages.End end = stages == null ? null : stages.onEnd();
          if (end != null) {
            writer.add(end.out());
          }
          if (end != null && end.followUp() != null) {
            followUpPending = true; // the next turn streams into this same response
            send(end.followUp());
          } else {
            if (stages != null && stages.buffersBody() && !response.isCommitted()) {
              response.setContentLengthLong(writer.remaining());
            }
            upstreamDone = true;
            disarm(); // before the last write: Jetty must find no read pending when it ends
          }
          drain();
        }
      } catch (RuntimeException e) {
        internalError(e);
      }
      runDeferred();
    } finally {
      leaveApp(caller);
    }
  }

  private void followUpResponse(int status) {
    followUpPending = false;
    if (status != 200) {
      failUpstream(false, "A follow-up request failed upstream with status " + status);
      return;
    }
    watchdog();
    drain();
  }

  @Override
  public void onFailure(Throwable error) {
    ClassLoader caller = enterApp();
    try {
      try {
        synchronized (this) {
          failUpstream(error instanceof HttpConnectTimeoutException, Errors.upstreamFailure(error));
          if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} upstream failed: {}", request.getMethod(), request.getRequestURI(),
                Errors.causes(error));
          }
        }
      } catch (RuntimeException e) {
        internalError(e);
      }
      runDeferred();
    } finally {
      leaveApp(caller);
    }
  }

  // ---- client ----

  @Override
  public void onWritePossible() {
    if (Thread.holdsLock(this)) {
      // Called back from inside setWriteListener (Tomcat does so off a container thread): the
      // caller holds the lock and runs the deferred side effects when it releases it.
      drain();
      return;
    }
    try {
      synchronized (this) {
        drain();
      }
    } catch (RuntimeException e) {
      internalError(e);
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

  /** A bug in Sluice must still end the exchange (and cancel upstream), never hang it. */
  private void internalError(RuntimeException e) {
    LOG.error("Sluice failed while relaying {} {}", request.getMethod(), request.getRequestURI(),
        e);
    synchronized (this) {
      try {
        failUpstream(false, "Internal error in the Sluice gateway");
      } catch (RuntimeException again) {
        finish(Outcome.UPSTREAM_FAILED);
      }
    }
  }

  private void clientGone() {
    synchronized (this) {
      if (!deliveredWhole()) {
        finish(Outcome.CLIENT_CANCELLED);
      }
    }
    runDeferred();
  }

  /**
   * Whether the client has had the whole response: a Content-Length body written in full. A
   * client that then closes (seen by a disconnect detector, or the container's error after it)
   * is done, not gone: the exchange ends as usual when upstream's end arrives, which can come
   * just after its last bytes.
   */
  private boolean deliveredWhole() {
    if (finished || writer == null || !writer.idle()) {
      return false;
    }
    String length = response.getHeader("content-length");
    try {
      return length != null && writer.written() >= Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return false;
    }
  }

  // ---- inside the lock ----

  /** Writes what is pending while the client takes it; then asks upstream for more. */
  private void drain() {
    if (finished || writer == null) {
      return;
    }
    try {
      if (!writer.drain()) {
        return; // resumes in onWritePossible
      }
      if (upstreamDone) {
        if (writer.ready()) {
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

  /**
   * Creates the writer with {@code first} already queued, then registers for writes. The order
   * matters: Tomcat may call onWritePossible from inside setWriteListener, and a drain that finds
   * nothing queued after upstream is done would end the exchange before the body is written.
   * Returns false when the writer could not start because the client is already gone.
   */
  private boolean startWriter(List<ByteBuffer> first) {
    try {
      ServletOutputStream out = response.getOutputStream();
      writer = new ClientWriter(out, async != null);
      writer.add(first);
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
      int status = timeout ? 504 : 502;
      respondLocally(status, Errors.typeFor(status), message, result);
      return;
    }
    outcome = result;
    upstreamDone = true;
    disarm();
    awaitingData = false;
    followUpPending = false;
    if (stages != null) {
      writer.add(stages.onCut()); // what the pipeline held back goes out before the error
    }
    if (eventStream) {
      // Never a silent cut: end with the error event the SDKs raise as an exception.
      if (!writer.betweenEvents()) {
        writer.add(List.of(ByteBuffer.wrap(new byte[] {'\n', '\n'}))); // close the cut event
      }
      writer.add(List.of(ByteBuffer.wrap(
          Errors.event(timeout ? "timeout_error" : "api_error", message))));
    }
    drain();
  }

  /** Answers with Sluice's own Anthropic-shaped error; only before any upstream response. */
  private void respondLocally(int status, String type, String message, Outcome result) {
    if (finished || responding) {
      return;
    }
    responding = true;
    outcome = result;
    byte[] body = Errors.prepare(response, status, type, message);
    if (stages != null) {
      stages.answeredLocally(response.getHeader("request-id"));
    }
    upstreamDone = true;
    disarm();
    if (startWriter(List.of(ByteBuffer.wrap(body))) && async == null) {
      drain();
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} {} answered {} ({})", request.getMethod(), request.getRequestURI(), status,
          message);
    }
  }

  private void finish(Outcome result) {
    if (finished) {
      return;
    }
    finished = true;
    outcome = result;
    disarm(); // before complete(), which runs after the lock is released
    if (timer != null) {
      timer.cancel(false);
    }
    cancelDue |= result != Outcome.COMPLETED && result != Outcome.REJECTED;
    completeDue = true;
    if (stages != null) {
      stages.finish(result, responding ? response.getStatus() : 0);
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} {} ended {} after {} ms, {} response bytes", request.getMethod(),
          request.getRequestURI(), result,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
          writer == null ? 0 : writer.written());
    }
  }

  /** Withdraws the disconnect detector's read interest; once, whichever path ends first. */
  private void disarm() {
    Watch w = watch;
    watch = Watch.NONE;
    w.disarm();
  }

  // ---- timeouts: one pending timer task per exchange ----

  private void schedule(long delayNanos) {
    if (timer != null) {
      timer.cancel(false);
    }
    long generation = ++timerGeneration;
    Runnable task = () -> onTimer(generation);
    timer = relay.timer().schedule(inbox == null ? task : () -> inbox.add(task),
        delayNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * {@code generation}: the schedule it was set by. A task that was already running when a newer
   * one replaced it (cancel does not stop it; it waits for the lock) is stale and does nothing:
   * a keep-alive tick must not be read as a headers timeout of the follow-up sent meanwhile.
   */
  private void onTimer(long generation) {
    ClassLoader caller = enterApp();
    try {
      try {
        synchronized (this) {
          if (finished || generation != timerGeneration) {
            return;
          }
          if (hookWaiting) {
            proceed(stages.requestHookTimedOut());
          } else if (!responding || followUpPending) {
            failUpstream(true, "Upstream did not answer within headers-timeout ("
                + Settings.format(relay.config().headersTimeout()) + ")");
          } else {
            long now = System.nanoTime();
            if (awaitingData && now - lastActivityNanos >= relay.config().idleTimeout().toNanos()) {
              failUpstream(true, "Upstream sent nothing for idle-timeout ("
                  + Settings.format(relay.config().idleTimeout()) + ")");
            } else {
              keepAlive(now);
              watchdog();
            }
          }
        }
      } catch (RuntimeException e) {
        internalError(e);
      }
      runDeferred();
    } finally {
      leaveApp(caller);
    }
  }

  /**
   * While upstream is silent, a {@code ping} event (the bytes Anthropic sends) every
   * keepalive-interval keeps clients, proxies and load balancers from giving up on a thinking
   * model, and finds a client that left. Only between events, and only on an event stream.
   */
  private void keepAlive(long now) {
    long every = relay.config().keepaliveInterval().toNanos();
    if (every > 0 && awaitingData && eventStream && writer.idle() && writer.betweenEvents()
        && now - writer.lastWriteNanos() >= every) {
      writer.add(List.of(ByteBuffer.wrap(PING)));
      drain();
    }
  }

  /** Schedules the next check: the idle deadline or the next keep-alive, whichever is first. */
  private void watchdog() {
    long now = System.nanoTime();
    long idle = relay.config().idleTimeout().toNanos();
    long next = awaitingData ? idle - (now - lastActivityNanos) : idle;
    long every = relay.config().keepaliveInterval().toNanos();
    if (every > 0 && eventStream) {
      next = Math.min(next, every - (now - writer.lastWriteNanos()));
    }
    schedule(Math.max(next, TimeUnit.MILLISECONDS.toNanos(1)));
  }

  /**
   * Upstream and timer callbacks run on transport or timer threads, whose context class loader is
   * not the web app's. With hooks enabled, they run with the app's loader (what a hook would see
   * on a request thread); without hooks nothing is swapped. Returns the loader to restore.
   */
  private ClassLoader enterApp() {
    if (stages == null) {
      return null;
    }
    Thread t = Thread.currentThread();
    ClassLoader caller = t.getContextClassLoader();
    if (caller == appLoader) {
      return null;
    }
    t.setContextClassLoader(appLoader);
    return caller;
  }

  private void leaveApp(ClassLoader caller) {
    if (caller != null) {
      Thread.currentThread().setContextClassLoader(caller);
    }
  }

  // ---- outside the lock ----

  private void runDeferred() {
    boolean demand;
    boolean start;
    boolean cancel;
    boolean complete;
    UpstreamCall c;
    synchronized (this) {
      demand = demandDue;
      start = startDue;
      cancel = cancelDue;
      complete = completeDue;
      demandDue = startDue = cancelDue = completeDue = false;
      c = call;
    }
    if (cancel && c != null) {
      c.cancel();
    }
    if (complete) {
      complete();
      if (stages != null) {
        stages.recordAfterEnd(); // after the response ended, never before
      }
      return;
    }
    if (start && c != null) {
      c.start();
    }
    if (demand && c != null) {
      c.demand();
    }
  }

  /** Runs once per exchange (finish() sets completeDue once): the exchange is closed. */
  private void complete() {
    relay.open().decrementAndGet();
    if (async == null) {
      inbox.add(DONE);
      return;
    }
    try {
      async.complete();
    } catch (IllegalStateException alreadyCompleted) {
      // The container ended it first (client gone); nothing left to release.
    }
  }

  /** Blocking mode: runs the exchange's callbacks on this (the request's) thread until it ends. */
  private void awaitBlocking() {
    try {
      for (Runnable r = inbox.take(); r != DONE; r = inbox.take()) {
        r.run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      synchronized (this) {
        finish(Outcome.CLIENT_CANCELLED);
      }
      runDeferred();
    }
  }

  /** Blocking mode: hands each upstream callback to the request thread (the order is kept). */
  private final class OnRequestThread implements UpstreamListener {
    @Override
    public void onResponse(int status, List<Map.Entry<String, String>> headers) {
      inbox.add(() -> Exchange.this.onResponse(status, headers));
    }

    @Override
    public void onData(List<ByteBuffer> data) {
      inbox.add(() -> Exchange.this.onData(data));
    }

    @Override
    public void onComplete() {
      inbox.add(Exchange.this::onComplete);
    }

    @Override
    public void onFailure(Throwable error) {
      inbox.add(() -> Exchange.this.onFailure(error));
    }
  }
}
