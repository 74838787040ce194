package dev.sluice.upstream;

import java.time.Duration;

/**
 * Sends one request to the upstream API and streams its response back with demand-driven flow
 * control. The filter owns timeouts other than connect; a transport only moves bytes: no
 * redirects, no cookies, no decompression, no headers of its own beyond {@code host} and
 * {@code content-length} (no {@code user-agent}, no {@code accept-encoding}).
 *
 * <p>Threads: one instance serves every exchange of a filter, so it must be thread-safe.
 * {@link #open} and the {@link UpstreamCall} methods are called from container threads, the
 * filter's timer and the transport's own threads, and must never block the caller. The
 * transport calls its {@link UpstreamListener}s on threads of its own; the listener never blocks
 * (the filter guarantees it), so I/O threads may call it directly.
 *
 * <p>Choose one with the {@code transport} setting (see {@link UpstreamTransportProvider}) or
 * hand one to {@code SluiceFilter}'s constructor.
 */
public interface UpstreamTransport extends AutoCloseable {

  /**
   * Prepares {@code request}; nothing is sent, and {@code listener} hears nothing, until
   * {@link UpstreamCall#start()}. That split lets the caller publish the call before callbacks
   * that need it can arrive on other threads.
   */
  UpstreamCall open(UpstreamRequest request, UpstreamListener listener);

  /**
   * Releases threads and connections; called once, from {@code Filter.destroy}, after which no
   * exchange uses the transport. Threads the transport started must not outlive it where the
   * runtime allows (they would pin the web app's class loader after undeploy).
   */
  @Override
  default void close() {}

  /**
   * The default transport ({@code transport=jetty}): Jetty 12's {@code HttpClient} over HTTP/1.1,
   * reading upstream only on demand, callbacks on the thread that read the bytes (no thread per
   * request, no hand-off), a keep-alive pool of up to 16,384 connections per upstream, no
   * redirects, no cookies, no decompression. {@code connect-timeout} is its connect timeout.
   */
  static UpstreamTransport jetty(UpstreamTransportProvider.Settings settings) {
    return JettyTransport.start(settings.connectTimeout(), JettyTransport.POOLED_IDLE_TIMEOUT);
  }

  /**
   * The JDK's {@code java.net.http.HttpClient} over HTTP/1.1 (its HTTP/2 fails fast past a
   * server's stream limit, JDK-8225647), no redirects, no cookies, no decompression: the
   * transport setting {@code transport=jdk}. It needs no dependency, but costs several times the
   * CPU of {@link #jetty} per request, and on JDK 17 to 25 it completes every request through
   * {@code CompletableFuture}'s default executor: a new thread per request on a machine with 1
   * or 2 CPUs (RATIONALE.md, "Why this default transport?").
   */
  static UpstreamTransport jdk(Duration connectTimeout) {
    return JdkHttpTransport.create(connectTimeout);
  }

  /**
   * The default transport configured from a filter's settings: {@code connect-timeout}, and
   * {@code jdk-executor} ({@code direct}, the default: callbacks on the client's selector thread;
   * {@code pool}: one callback thread per core; {@code cached}: the unbounded pool of Sluice 0.1,
   * for benchmarks).
   */
  static UpstreamTransport jdk(UpstreamTransportProvider.Settings settings) {
    return JdkHttpTransport.create(settings.connectTimeout(),
        JdkHttpTransport.ExecutorKind.parse(settings.get("jdk-executor")));
  }
}
