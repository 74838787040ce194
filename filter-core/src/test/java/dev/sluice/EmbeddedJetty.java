package dev.sluice;

import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A real Jetty 12 (ee10) with one filter instance registered programmatically. */
final class EmbeddedJetty implements AutoCloseable {
  private final Server server;
  private final URI base;

  private EmbeddedJetty(Server server, URI base) {
    this.server = server;
    this.base = base;
  }

  static EmbeddedJetty start(SluiceFilter filter) throws Exception {
    return start(filter, null, true);
  }

  /** With {@code before} registered in front of Sluice, async-supported or not. */
  static EmbeddedJetty start(SluiceFilter filter, jakarta.servlet.Filter before,
      boolean beforeIsAsync) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/app");
    if (before != null) {
      FilterHolder first = new FilterHolder(before);
      first.setAsyncSupported(beforeIsAsync);
      context.addFilter(first, "/*", EnumSet.of(DispatcherType.REQUEST));
    }
    FilterHolder holder = new FilterHolder(filter);
    holder.setAsyncSupported(true);
    context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
    server.setHandler(context);
    server.start();
    return new EmbeddedJetty(server, URI.create("http://127.0.0.1:" + connector.getLocalPort()
        + "/app"));
  }

  URI baseUri() {
    return base;
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
