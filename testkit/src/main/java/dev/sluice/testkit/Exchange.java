package dev.sluice.testkit;

import dev.sluice.testkit.RecordedRequest.Outcome;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Writes one payload: optional header delay, optional early header flush and first-event delay,
 * then one non-blocking write per event (or per {@code x-mock-chunk-bytes} slice), with the
 * inter-event delay and the {@code x-mock-hold} gate in between.
 *
 * <p>{@link IteratingCallback} keeps the loop flat: a write that completes at once does not
 * recurse.
 * Waits (timers, holds) look to it like pending writes; whichever of "wake up" and "abort" claims
 * the wait token first completes that step, so a client that goes away during a wait ends the
 * exchange without waiting for the timer or the release.
 */
final class Exchange extends IteratingCallback {

  /** Thrown into the callback to cut the connection for {@code abrupt_close}. */
  static final class MockAbort extends Exception {
    MockAbort(String message) {
      super(message, null, false, false);
    }
  }

  private enum Stage {
    HEADER_DELAY,
    COMMIT,
    FIRST_DELAY,
    EVENTS
  }

  private final Response response;
  private final Callback callback;
  private final Payload payload;
  private final Knobs knobs;
  private final RecordedRequest record;
  private final Scheduler scheduler;
  private final Executor executor;
  private final Holds holds;
  private final Consumer<Exchange> onEnd;
  private final int segments;
  private final int holdBefore;
  private final AtomicReference<Object> waiting = new AtomicReference<>();

  private Stage stage = Stage.HEADER_DELAY;
  private int next;
  private boolean delayed;
  private boolean held;
  private long inFlight;
  private volatile Scheduler.Task timer;
  private volatile PeerCloseProbe probe;

  Exchange(
      Response response,
      Callback callback,
      Payload payload,
      Knobs knobs,
      RecordedRequest record,
      Scheduler scheduler,
      Executor executor,
      Holds holds,
      Consumer<Exchange> onEnd) {
    this.response = response;
    this.callback = callback;
    this.payload = payload;
    this.knobs = knobs;
    this.record = record;
    this.scheduler = scheduler;
    this.executor = executor;
    this.holds = holds;
    this.onEnd = onEnd;
    this.segments = countSegments();
    this.holdBefore = knobs.hold() == null ? -1 : holdPoint();
  }

  /** Watches for the client hanging up while this exchange waits; see {@link PeerCloseProbe}. */
  void watch(PeerCloseProbe probe) {
    this.probe = probe;
  }

  /** Whether the exchange ever sits idle, so that a peer close needs a probe to be noticed. */
  boolean waits() {
    return knobs.hold() != null
        || payload.hangs()
        || knobs.headerDelayMs() > 0
        || knobs.firstDelayMs() > 0
        || knobs.delayMs() > 0;
  }

  /** Ends the exchange early; safe from any thread, at any time, more than once. */
  void fail(Throwable cause) {
    abort(cause);
  }

  @Override
  protected Action process() throws Throwable {
    record.addBytesSent(inFlight);
    inFlight = 0;
    while (true) {
      switch (stage) {
        case HEADER_DELAY:
          stage = Stage.COMMIT;
          if (knobs.headerDelayMs() > 0) {
            return sleep(knobs.headerDelayMs());
          }
          break;
        case COMMIT:
          stage = Stage.FIRST_DELAY;
          if (knobs.firstDelayMs() > 0) {
            // An empty non-last write commits and flushes the status line and headers now.
            response.write(false, BufferUtil.EMPTY_BUFFER, this);
            return Action.SCHEDULED;
          }
          break;
        case FIRST_DELAY:
          stage = Stage.EVENTS;
          if (knobs.firstDelayMs() > 0) {
            return sleep(knobs.firstDelayMs());
          }
          break;
        case EVENTS:
          return nextEvent();
      }
    }
  }

  private Action nextEvent() throws MockAbort {
    if (next == holdBefore && !held) {
      held = true;
      return hold(holds.gate(knobs.hold()));
    }
    if (next == segments) {
      if (payload.hangs()) {
        return hold(new CompletableFuture<>()); // until the client goes: see onAborted
      }
      if (payload.aborts()) {
        throw new MockAbort("x-mock-scenario asked for an abrupt close");
      }
      return Action.SUCCEEDED;
    }
    if (next > 0 && knobs.delayMs() > 0 && !delayed) {
      delayed = true;
      return sleep(knobs.delayMs());
    }
    delayed = false;
    int start = segmentStart(next);
    int end = segmentEnd(next);
    next++;
    boolean last = next == segments && !payload.aborts() && !payload.hangs();
    if (last) {
      // Once the client has the last byte it may reuse the connection; the probe must not read
      // its next request. From here on the final write itself reports a peer close.
      disarmProbe();
    }
    inFlight = end - start;
    // A read-only view: the cached bytes are shared by every request for this payload.
    ByteBuffer slice = ByteBuffer.wrap(payload.bytes(), start, end - start).slice();
    response.write(last, slice.asReadOnlyBuffer(), this);
    return Action.SCHEDULED;
  }

  private Action sleep(long millis) {
    Object token = new Object();
    waiting.set(token);
    timer = scheduler.schedule(() -> wake(token), millis, TimeUnit.MILLISECONDS);
    return Action.SCHEDULED;
  }

  private Action hold(CompletableFuture<Void> gate) {
    Object token = new Object();
    waiting.set(token);
    // Resume on a pool thread, not on whichever thread called release().
    gate.thenRunAsync(() -> wake(token), executor);
    return Action.SCHEDULED;
  }

  private void wake(Object token) {
    if (waiting.compareAndSet(token, null)) {
      succeeded();
    }
  }

  @Override
  protected void onAborted(Throwable cause) {
    // Complete a pending wait now; a pending write is failed by Jetty itself.
    if (waiting.getAndSet(null) != null) {
      Scheduler.Task t = timer;
      if (t != null) {
        t.cancel();
      }
      succeeded();
    }
  }

  @Override
  protected void onCompleteSuccess() {
    record.addBytesSent(inFlight);
    inFlight = 0;
    record.end(Outcome.COMPLETED);
    onEnd.accept(this);
    disarmProbe();
    callback.succeeded();
    PeerCloseProbe p = probe;
    if (p != null) {
      p.closeIfTainted();
    }
  }

  @Override
  protected void onCompleteFailure(Throwable cause) {
    boolean mock = cause instanceof MockAbort || cause instanceof TimeoutException;
    record.end(mock ? Outcome.ABORTED_BY_MOCK : Outcome.CLIENT_CLOSED_EARLY);
    onEnd.accept(this);
    disarmProbe();
    // Failing the callback after the response is committed makes Jetty cut the connection,
    // so the client sees a truncated body (no terminal chunk / short Content-Length).
    callback.failed(cause);
  }

  private void disarmProbe() {
    PeerCloseProbe p = probe;
    if (p != null) {
      p.disarm();
    }
  }

  private int countSegments() {
    int chunk = knobs.chunkBytes();
    if (chunk > 0) {
      return (int) ((payload.sendLimit() + (long) chunk - 1) / chunk);
    }
    // Every event that starts before the limit; the last one may be cut (a half JSON body).
    int n = 0;
    while (n < payload.eventEnds().length && segmentStart(n) < payload.sendLimit()) {
      n++;
    }
    return n;
  }

  private int segmentStart(int i) {
    return i == 0 ? 0 : segmentEnd(i - 1);
  }

  private int segmentEnd(int i) {
    int chunk = knobs.chunkBytes();
    if (chunk > 0) {
      return (int) Math.min((long) (i + 1) * chunk, payload.sendLimit());
    }
    return Math.min(payload.eventEnds()[i], payload.sendLimit());
  }

  /**
   * The segment to hold before: the one after message_start has been fully written. A
   * non-streaming body is a single event, so it is held before anything is sent.
   */
  private int holdPoint() {
    if (payload.contentLength()) {
      return 0;
    }
    int firstEventEnd = payload.eventEnds()[0];
    for (int i = 0; i < segments; i++) {
      if (segmentEnd(i) >= firstEventEnd) {
        return Math.min(i + 1, segments);
      }
    }
    return segments;
  }

  @Override
  public String toString() {
    return "Exchange{" + record.requestId() + ", " + next + "/" + segments + "}";
  }
}
