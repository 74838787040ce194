package dev.sluice;

import dev.sluice.upstream.UpstreamTransport;
import java.util.concurrent.ScheduledExecutorService;

/** What every exchange of one filter shares. */
record Relay(SluiceConfig config, UpstreamTransport transport, ScheduledExecutorService timer) {}
