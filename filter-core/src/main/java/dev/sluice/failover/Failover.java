package dev.sluice.failover;

import dev.sluice.hook.Attempt;
import dev.sluice.upstream.UpstreamCall;
import dev.sluice.upstream.UpstreamTransport;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Retries and failover as an {@link UpstreamTransport} decorator: several upstream entries in
 * priority order, key pools, cool-downs, and the commit gate that holds a 200 stream until its
 * first content event. The filter installs it only when it has something to do ({@link #acts});
 * otherwise exchanges go straight to the transport.
 */
public final class Failover {
  private Failover() {}

  /**
   * Whether the decorator has work: several entries, several keys for an entry, or more than one
   * attempt asked for explicitly. With one upstream and one key nothing is retried by default:
   * the SDKs retry 429 and 529 themselves.
   */
  public static boolean acts(List<UpstreamEntry> entries, List<String> filterKeys,
      RetryPolicy policy) {
    if (entries.size() > 1 || policy.maxAttempts() > 1) {
      return true;
    }
    for (int n : Plan.keyCounts(entries, filterKeys)) {
      if (n > 1) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code transport} behind the attempt loop. {@code primary} is the base the filter builds each
   * request's URI on (the first entry's); {@code timer} runs the backoffs and the gate's deadline
   * (it is the caller's to shut down). Closing the result closes {@code transport}.
   */
  public static UpstreamTransport decorate(UpstreamTransport transport, URI primary,
      List<UpstreamEntry> entries, List<String> filterKeys, RetryPolicy policy,
      ScheduledExecutorService timer) {
    Objects.requireNonNull(transport, "transport == null");
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("no upstream entries");
    }
    Plan plan = new Plan(primary, entries, filterKeys, policy,
        new MemoryHealth(Plan.keyCounts(entries, filterKeys)), System::currentTimeMillis);
    return new FailoverTransport(transport, plan, Objects.requireNonNull(timer, "timer == null"));
  }

  /**
   * Each entry's cool-downs now, in the order of {@code entries}: those of the decorator's health
   * when {@code transport} is one {@link #decorate} made, else open entries (nothing is tracked
   * without failover).
   */
  public static List<UpstreamStatus> status(UpstreamTransport transport,
      List<UpstreamEntry> entries, List<String> filterKeys) {
    if (transport instanceof FailoverTransport) {
      return ((FailoverTransport) transport).plan.status();
    }
    return entries.stream().map(e -> UpstreamStatus.open(e,
        e.keys().isEmpty() ? filterKeys.size() : e.keys().size())).toList();
  }

  /** The attempts of a call the decorator opened, so far; empty for any other call. */
  public static List<Attempt> attempts(UpstreamCall call) {
    return call instanceof FailoverCall ? ((FailoverCall) call).attempts() : List.of();
  }
}
