package dev.sluice;

import dev.sluice.cost.Pricing;
import dev.sluice.upstream.UpstreamTransport;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/** What every exchange of one filter shares. */
record Relay(SluiceConfig config, UpstreamTransport transport, ScheduledExecutorService timer,
    HookRegistry hooks, Pricing pricing, ExecutorService completions) {

  int maxFollowUps() {
    return config.maxFollowUps();
  }
}
