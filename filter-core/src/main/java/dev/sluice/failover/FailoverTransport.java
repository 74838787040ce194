package dev.sluice.failover;

import dev.sluice.upstream.UpstreamCall;
import dev.sluice.upstream.UpstreamListener;
import dev.sluice.upstream.UpstreamRequest;
import dev.sluice.upstream.UpstreamTransport;
import java.util.concurrent.ScheduledExecutorService;

/** The failover decorator: each exchange gets its own attempt loop over the shared plan. */
final class FailoverTransport implements UpstreamTransport {
  final UpstreamTransport delegate;
  final Plan plan;
  final ScheduledExecutorService timer;

  FailoverTransport(UpstreamTransport delegate, Plan plan, ScheduledExecutorService timer) {
    this.delegate = delegate;
    this.plan = plan;
    this.timer = timer;
  }

  @Override
  public UpstreamCall open(UpstreamRequest request, UpstreamListener listener) {
    return new FailoverCall(this, request, listener);
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return "failover over " + delegate;
  }
}
