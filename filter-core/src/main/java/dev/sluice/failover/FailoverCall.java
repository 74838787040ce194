package dev.sluice.failover;

import dev.sluice.hook.Attempt;
import dev.sluice.upstream.UpstreamCall;
import dev.sluice.upstream.UpstreamListener;
import dev.sluice.upstream.UpstreamRequest;
import java.net.http.HttpConnectTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One exchange's attempt loop. Until an attempt is committed, the exchange's listener hears
 * nothing: a retryable status, a connection failure, or a retryable error event before the first
 * content event discards the attempt (its call cancelled) and starts the next one. Once
 * committed, the attempt's head and every byte after it reach the listener as upstream sent
 * them.
 *
 * <p>All state is guarded by {@code this}. Calls to the exchange's listener are made under the
 * lock (that is what keeps them from being concurrent, as {@link UpstreamListener} promises);
 * calls into the attempts' own {@link UpstreamCall}s are made after it is released.
 */
final class FailoverCall implements UpstreamCall {
  private final FailoverTransport owner;
  private final Plan plan;
  private final UpstreamRequest request;
  private final UpstreamListener listener;
  private final long startNanos = System.nanoTime();
  private final Set<Long> tried = new HashSet<>();
  private final List<Try> tries = new ArrayList<>();

  private boolean started;
  private boolean cancelled;
  private ScheduledFuture<?> pending; // the next attempt, waiting out its backoff
  private Try committed;
  private List<ByteBuffer> queued; // committed bytes the listener has not demanded yet
  private Runnable end; // the committed attempt's end, due after queued
  private boolean listenerWants; // the listener demanded and got nothing yet
  private boolean upstreamAsked; // the committed call was asked for data and has not answered

  /** One attempt. Guarded by the enclosing call's lock. */
  private final class Try implements UpstreamListener {
    final int entry;
    final int key;
    UpstreamCall call;
    int status;
    List<Map.Entry<String, String>> headers = List.of();
    Gate gate;
    ScheduledFuture<?> gateTimer;
    boolean asked;
    boolean done;
    long stoppedNanos = -1;
    String error = "";
    Attempt.Ending ending;

    Try(int entry, int key) {
      this.entry = entry;
      this.key = key;
    }

    @Override
    public void onResponse(int status, List<Map.Entry<String, String>> headers) {
      List<Runnable> after = new ArrayList<>();
      synchronized (FailoverCall.this) {
        if (live(this)) {
          response(this, status, headers, after);
        }
      }
      run(after);
    }

    @Override
    public void onData(List<ByteBuffer> data) {
      List<Runnable> after = new ArrayList<>();
      synchronized (FailoverCall.this) {
        if (live(this)) {
          data(this, data, after);
        }
      }
      run(after);
    }

    @Override
    public void onComplete() {
      synchronized (FailoverCall.this) {
        if (live(this)) {
          if (committed != this) {
            commitHeld(this, false); // the stream ended before any content: relay it as it is
          }
          stop(this);
          endWith(listener::onComplete);
        }
      }
    }

    @Override
    public void onFailure(Throwable error) {
      List<Runnable> after = new ArrayList<>();
      synchronized (FailoverCall.this) {
        if (live(this)) {
          failure(this, error, after);
        }
      }
      run(after);
    }
  }

  FailoverCall(FailoverTransport owner, UpstreamRequest request, UpstreamListener listener) {
    this.owner = owner;
    this.plan = owner.plan;
    this.request = request;
    this.listener = listener;
  }

  // ---- UpstreamCall, for the exchange ----

  @Override
  public void start() {
    List<Runnable> after = new ArrayList<>();
    synchronized (this) {
      if (cancelled || started) {
        return;
      }
      started = true;
      launch(after);
    }
    run(after);
  }

  @Override
  public void demand() {
    List<Runnable> after = new ArrayList<>();
    synchronized (this) {
      if (cancelled || committed == null) {
        return;
      }
      if (queued != null) {
        List<ByteBuffer> q = queued;
        queued = null;
        listener.onData(q);
        deliverEnd();
      } else if (end != null) {
        deliverEnd();
      } else {
        listenerWants = true;
        if (!upstreamAsked && !committed.done) {
          upstreamAsked = true;
          after.add(committed.call::demand);
        }
      }
    }
    run(after);
  }

  @Override
  public void cancel() {
    List<Runnable> after = new ArrayList<>();
    synchronized (this) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      if (pending != null) {
        pending.cancel(false);
      }
      Try t = current();
      if (t != null && !t.done) {
        if (t != committed) {
          t.ending = Attempt.Ending.CANCELLED;
        }
        stop(t);
        after.add(t.call::cancel);
      }
    }
    run(after);
  }

  /** A snapshot of the attempts so far, for the exchange record. */
  synchronized List<Attempt> attempts() {
    List<Attempt> out = new ArrayList<>(tries.size());
    long now = System.nanoTime() - startNanos;
    for (Try t : tries) {
      Attempt.Ending ending = t.ending != null ? t.ending
          : t == committed ? Attempt.Ending.RELAYED : Attempt.Ending.CANCELLED;
      out.add(new Attempt(plan.entries.get(t.entry).host(), plan.keyId(t.entry, t.key), t.status,
          t.error, t.stoppedNanos >= 0 ? t.stoppedNanos : now, ending));
    }
    return out;
  }

  // ---- the attempt loop, under the lock ----

  private Try current() {
    return tries.isEmpty() ? null : tries.get(tries.size() - 1);
  }

  private boolean live(Try t) {
    return !cancelled && !t.done && t == current();
  }

  private void launch(List<Runnable> after) {
    Plan.Choice c = plan.choose(tried, plan.millis.getAsLong());
    tried.add(Plan.pair(c.entry(), c.key()));
    Try t = new Try(c.entry(), c.key());
    tries.add(t);
    try {
      t.call = owner.delegate.open(plan.request(request, c.entry(), c.key()), t);
    } catch (RuntimeException e) {
      t.call = NOT_OPENED;
      after.add(() -> t.onFailure(e)); // as if the connection failed: the next entry may serve
      return;
    }
    after.add(t.call::start);
  }

  private void response(Try t, int status, List<Map.Entry<String, String>> headers,
      List<Runnable> after) {
    t.status = status;
    t.headers = headers;
    if (status >= 300 && Backoff.retryable(status, headers, plan.policy.statuses())) {
      coolDown(t, status, Backoff.retryAfterNanos(headers, plan.millis.getAsLong()));
      if (retry(t, "status", after)) {
        return;
      }
      commitHead(t);
      return;
    }
    if (status == 200 && gated() && isEventStream(headers)) {
      t.gate = new Gate(plan.policy.gateBytes());
      t.gateTimer = owner.timer.schedule(() -> gateExpired(t), plan.policy.gate().toNanos(),
          TimeUnit.NANOSECONDS);
      askFor(t, after);
      return;
    }
    if (status < 300) {
      plan.health.succeeded(t.entry, t.key);
    }
    commitHead(t);
  }

  private void data(Try t, List<ByteBuffer> data, List<Runnable> after) {
    if (committed == t) {
      upstreamAsked = false;
      if (listenerWants) {
        listenerWants = false;
        listener.onData(data);
      } else if (queued == null) {
        queued = new ArrayList<>(data);
      } else {
        queued.addAll(data);
      }
      return;
    }
    t.asked = false;
    switch (t.gate.add(data)) {
      case MORE:
        askFor(t, after);
        return;
      case RETRYABLE_ERROR:
        String type = t.gate.errorType();
        if (type.equals("overloaded_error")) {
          coolDown(t, 529, -1);
        }
        if (retry(t, type, after)) {
          return;
        }
        commitHeld(t, false);
        return;
      default:
        plan.health.succeeded(t.entry, t.key);
        commitHeld(t, false);
    }
  }

  private void failure(Try t, Throwable error, List<Runnable> after) {
    boolean beforeHead = t.status == 0;
    if (committed != t) {
      if (beforeHead) {
        coolDown(t, 0, -1);
      }
      if (retry(t, beforeHead ? failureType(error) : "connection_cut", after)) {
        return;
      }
      if (beforeHead) {
        committed = t;
        t.ending = Attempt.Ending.RELAYED;
        t.error = failureType(error);
        stop(t);
        listener.onFailure(error); // the exchange answers with its own 502 or 504
        return;
      }
      commitHeld(t, false);
      t.error = "connection_cut";
    }
    stop(t);
    endWith(() -> listener.onFailure(error));
  }

  private void gateExpired(Try t) {
    synchronized (this) {
      if (live(t) && committed != t && t.gate != null) {
        plan.health.succeeded(t.entry, t.key); // slow to start is not unhealthy
        commitHeld(t, t.asked);
      }
    }
  }

  /**
   * Discards {@code t} and schedules the next attempt, when max-attempts and the budget allow
   * one; returns false (and leaves {@code t} alone) when they do not.
   */
  private boolean retry(Try t, String why, List<Runnable> after) {
    if (tries.size() >= plan.maxAttempts) {
      return false;
    }
    long now = plan.millis.getAsLong();
    Plan.Choice next = plan.choose(tried, now);
    long delay = 0;
    if (!next.fresh() || next.openAt() > now) {
      delay = Math.max(
          Backoff.delayNanos(tries.size(), plan.policy.backoff(), plan.policy.backoffMax(),
              ThreadLocalRandom.current()::nextDouble),
          TimeUnit.MILLISECONDS.toNanos(next.openAt() - now));
    }
    if (System.nanoTime() + delay - startNanos > plan.policy.budget().toNanos()) {
      return false;
    }
    t.error = why;
    t.ending = Attempt.Ending.RETRIED;
    stop(t);
    after.add(t.call::cancel);
    if (delay == 0) {
      launch(after);
    } else {
      pending = owner.timer.schedule(this::launchLater, delay, TimeUnit.NANOSECONDS);
    }
    return true;
  }

  private void launchLater() {
    List<Runnable> after = new ArrayList<>();
    synchronized (this) {
      if (cancelled) {
        return;
      }
      pending = null;
      launch(after);
    }
    run(after);
  }

  /** 429 cools the key down; 529, an in-stream overload and a failed connection the entry. */
  private void coolDown(Try t, int status, long retryAfterNanos) {
    int scope = status == 429 ? t.key : -1;
    long coolNanos;
    if (retryAfterNanos >= 0) {
      coolNanos = Math.min(retryAfterNanos, plan.policy.cooldownMax().toNanos());
    } else if (status == 429 || status == 529 || status == 0) {
      int failures = plan.health.failed(t.entry, scope);
      coolNanos = Backoff.delayNanos(failures, plan.policy.backoff(), plan.policy.backoffMax(),
          ThreadLocalRandom.current()::nextDouble);
    } else {
      return; // other statuses: retried, but no reason to avoid the entry
    }
    plan.health.coolDown(t.entry, scope,
        plan.millis.getAsLong() + TimeUnit.NANOSECONDS.toMillis(coolNanos));
  }

  private void commitHead(Try t) {
    committed = t;
    t.ending = Attempt.Ending.RELAYED;
    listener.onResponse(t.status, t.headers);
  }

  /** Relays the held head and bytes; {@code asked}: the call still owes us data. */
  private void commitHeld(Try t, boolean asked) {
    if (t.gateTimer != null) {
      t.gateTimer.cancel(false);
    }
    List<ByteBuffer> held = t.gate == null ? List.of() : t.gate.held();
    t.gate = null;
    queued = held.isEmpty() ? null : new ArrayList<>(held);
    upstreamAsked = asked;
    commitHead(t);
  }

  private void askFor(Try t, List<Runnable> after) {
    t.asked = true;
    after.add(t.call::demand);
  }

  private void stop(Try t) {
    t.done = true;
    t.stoppedNanos = System.nanoTime() - startNanos;
    if (t.gateTimer != null) {
      t.gateTimer.cancel(false);
    }
  }

  private void endWith(Runnable r) {
    end = r;
    if (queued == null) {
      deliverEnd();
    }
  }

  private void deliverEnd() {
    Runnable r = end;
    if (r != null && queued == null) {
      end = null;
      r.run();
    }
  }

  private boolean gated() {
    return plan.maxAttempts > 1 && !plan.policy.gate().isZero();
  }

  private static boolean isEventStream(List<Map.Entry<String, String>> headers) {
    String type = Backoff.first(headers, "content-type");
    return type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
  }

  private static String failureType(Throwable error) {
    return error instanceof HttpConnectTimeoutException ? "connect_timeout" : "connect_failed";
  }

  private static void run(List<Runnable> after) {
    for (Runnable r : after) {
      r.run();
    }
  }

  private static final UpstreamCall NOT_OPENED = new UpstreamCall() {
    @Override
    public void start() {}

    @Override
    public void demand() {}

    @Override
    public void cancel() {}
  };
}
