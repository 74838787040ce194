package dev.sluice.transport.jetty;

import dev.sluice.upstream.UpstreamTransport;
import dev.sluice.upstream.UpstreamTransportProvider;

/**
 * The {@code jetty} transport: Jetty 12's {@code HttpClient} over HTTP/1.1, reading upstream only
 * on demand. Select it with the setting {@code transport=jetty} once this jar is on the web app's
 * class path (or the container's shared {@code lib/} next to {@code filter-core}).
 *
 * <p>Embedders can also make one directly:
 * {@code new SluiceFilter(config, new JettyTransportProvider().create(settings))}.
 */
public final class JettyTransportProvider implements UpstreamTransportProvider {

  /** For {@link java.util.ServiceLoader}. */
  public JettyTransportProvider() {}

  @Override
  public String name() {
    return "jetty";
  }

  /** Starts a client (its threads are daemon threads, stopped by the transport's close). */
  @Override
  public UpstreamTransport create(Settings settings) {
    return JettyTransport.start(settings.connectTimeout(), JettyTransport.POOLED_IDLE_TIMEOUT);
  }

  @Override
  public String toString() {
    return "jetty (Jetty HttpClient, HTTP/1.1)";
  }
}
