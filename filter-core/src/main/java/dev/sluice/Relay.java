package dev.sluice;

import dev.sluice.cost.Pricing;
import dev.sluice.upstream.UpstreamTransport;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every exchange of one filter shares. {@code open}: exchanges started and not yet
 * completed (one increment and one decrement per exchange), for leak checks. {@code disconnects}:
 * how a client that leaves is noticed.
 */
record Relay(SluiceConfig config, UpstreamTransport transport, ScheduledExecutorService timer,
    HookRegistry hooks, Pricing pricing, ExecutorService completions, AtomicInteger open,
    Disconnects disconnects) {

  Relay(SluiceConfig config, UpstreamTransport transport, ScheduledExecutorService timer,
      HookRegistry hooks, Pricing pricing, ExecutorService completions) {
    this(config, transport, timer, hooks, pricing, completions, Disconnects.NONE);
  }

  Relay(SluiceConfig config, UpstreamTransport transport, ScheduledExecutorService timer,
      HookRegistry hooks, Pricing pricing, ExecutorService completions, Disconnects disconnects) {
    this(config, transport, timer, hooks, pricing, completions, new AtomicInteger(), disconnects);
  }

  int maxFollowUps() {
    return config.maxFollowUps();
  }
}
