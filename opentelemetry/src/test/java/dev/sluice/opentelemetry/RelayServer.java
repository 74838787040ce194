package dev.sluice.opentelemetry;

import dev.sluice.SluiceConfig;
import dev.sluice.SluiceFilter;
import dev.sluice.hook.Hook;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.net.URI;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real Jetty 12 (ee10) on 127.0.0.1 with {@code front} in front of a Sluice filter whose
 * keep-alive pings (every 100 ms) notice a client that left a held stream.
 */
final class RelayServer implements AutoCloseable {
  private final Server server;
  final URI base;

  private RelayServer(Server server, URI base) {
    this.server = server;
    this.base = base;
  }

  static RelayServer start(URI upstream, Filter front, Map<String, String> initParams,
      Hook... hooks) throws Exception {
    return start(SluiceConfig.builder().upstream(upstream), front, initParams, hooks);
  }

  static RelayServer start(SluiceConfig.Builder config, Filter front,
      Map<String, String> initParams, Hook... hooks) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    FilterHolder first = new FilterHolder(front);
    first.setAsyncSupported(true);
    context.addFilter(first, "/*", EnumSet.of(DispatcherType.REQUEST));
    FilterHolder sluice = new FilterHolder(new SluiceFilter(
        config.keepaliveInterval(java.time.Duration.ofMillis(100)).build(), List.of(hooks)));
    sluice.setAsyncSupported(true);
    sluice.setInitParameters(initParams);
    context.addFilter(sluice, "/*", EnumSet.of(DispatcherType.REQUEST));
    server.setHandler(context);
    server.start();
    return new RelayServer(server, URI.create("http://127.0.0.1:" + connector.getLocalPort()));
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
