package dev.sluice.bench;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The {@code jetty-proxy} baseline: Jetty 12's own {@link ProxyServlet.Transparent} (ee10) in
 * front of the upstream, on the same Jetty version and with the same connector settings as the
 * jetty example app. Run in its own JVM by the benchmark:
 * {@code java -cp benchmark.jar dev.sluice.bench.JettyProxyMain --port 0 --upstream URL}.
 *
 * <p>Out of the box ProxyServlet writes each upstream chunk into the servlet output buffer and
 * does not flush it, so small SSE events would sit in the buffer until it fills; a proxy for SSE
 * must flush every chunk, as {@link Flushing} does. Its writes are blocking, on the HttpClient's
 * threads (ProxyServlet's documented mode; AsyncProxyServlet is the non-blocking variant).
 */
public final class JettyProxyMain {
  private JettyProxyMain() {}

  /** ProxyServlet.Transparent, flushing every chunk so SSE events go out as they arrive. */
  public static final class Flushing extends ProxyServlet.Transparent {
    @Override
    protected void onResponseContent(HttpServletRequest request, HttpServletResponse response,
        Response proxyResponse, byte[] buffer, int offset, int length, Callback callback) {
      try {
        var out = response.getOutputStream();
        out.write(buffer, offset, length);
        out.flush();
        callback.succeeded();
      } catch (Throwable x) {
        callback.failed(x);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    int port = 0;
    String upstream = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--upstream" -> upstream = args[++i];
        default -> {
          System.err.println("usage: JettyProxyMain [--port N] --upstream URL");
          System.exit(2);
        }
      }
    }
    if (upstream == null) {
      System.err.println("usage: JettyProxyMain [--port N] --upstream URL");
      System.exit(2);
    }
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.setIdleTimeout(Duration.ofMinutes(10).toMillis());
    server.addConnector(connector);

    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    ServletHolder proxy = new ServletHolder(Flushing.class);
    proxy.setAsyncSupported(true);
    proxy.setInitParameter("proxyTo", upstream);
    proxy.setInitParameter("prefix", "/");
    // HttpClient's default of 64 connections per destination would queue long streams.
    proxy.setInitParameter("maxConnections", "100000");
    proxy.setInitParameter("idleTimeout", Long.toString(Duration.ofMinutes(10).toMillis()));
    proxy.setInitParameter("timeout", "0");
    context.addServlet(proxy, "/*");
    server.setHandler(context);
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.stop();
      } catch (Exception ignored) {
        // exiting
      }
    }, "jetty-proxy-stop"));
    System.out.println("jetty-proxy listening on http://127.0.0.1:" + connector.getLocalPort()
        + " (upstream " + upstream + ")");
    System.out.flush();
    server.join();
  }
}
