package dev.sluice.example.jetty;

import dev.sluice.example.ExampleMain;
import dev.sluice.example.Options;
import dev.sluice.example.RunningApp;
import jakarta.servlet.Servlet;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.webapp.Configuration;
import org.eclipse.jetty.ee10.webapp.WebAppConfiguration;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.ee10.webapp.WebInfConfiguration;
import org.eclipse.jetty.ee10.webapp.WebXmlConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * An "existing web app" on embedded Jetty 12 (ee10) with Sluice added the way a user would add
 * it: one {@code <filter>} in {@code WEB-INF/web.xml}. The web app itself is a classpath resource
 * ({@code webapp/}), so the same code serves it from {@code target/classes} and from the shaded
 * jar.
 *
 * <p>Run {@code java -jar jetty-example.jar --help} for the command line.
 */
public final class JettyExample {

  /**
   * Jetty's default connector idle timeout is 30 s. An SSE stream can be silent for longer than
   * that (a long thinking block before the first delta, or a slow upstream between pings), and an
   * idle timeout would cut the client off mid-stream. Sluice owns its own upstream timeouts
   * (headers-timeout, idle-timeout), so the container only needs a generous backstop here.
   */
  static final Duration CONNECTOR_IDLE_TIMEOUT = Duration.ofMinutes(10);

  private static final String WEBAPP_RESOURCE = "webapp/";

  private JettyExample() {}

  /** A started server. {@link #close()} stops it; it is safe to call more than once. */
  public interface Running extends RunningApp {}

  /**
   * Starts the example app on {@code 127.0.0.1}.
   *
   * @param port the port to bind, or 0 for an ephemeral one
   * @param upstream the Anthropic API (or a mock) that Sluice relays to; becomes the context
   *     init-param {@code sluice.upstream} (unless {@code settings} has an {@code upstream} list)
   * @param settings further Sluice settings, each becoming the context init-param {@code
   *     sluice.<key>} (for example {@code "idle-timeout" -> "5m"})
   */
  public static Running start(int port, URI upstream, Map<String, String> settings) {
    return start(port, upstream, settings, Map.of());
  }

  /**
   * {@link #start(int, URI, Map)}, with further servlets mounted beside the app's own, by path
   * (the {@code --diagnostics} servlet).
   */
  public static Running start(int port, URI upstream, Map<String, String> settings,
      Map<String, Servlet> servlets) {
    Objects.requireNonNull(upstream, "upstream == null");
    Objects.requireNonNull(settings, "settings == null");
    Objects.requireNonNull(servlets, "servlets == null");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);

    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.setIdleTimeout(CONNECTOR_IDLE_TIMEOUT.toMillis());
    server.addConnector(connector);
    WebAppContext webapp = newWebApp(server, upstream, settings);
    servlets.forEach((path, servlet) -> {
      ServletHolder holder = new ServletHolder(servlet);
      holder.setAsyncSupported(true); // the ceiling servlet holds requests open
      webapp.addServlet(holder, path);
    });
    server.setHandler(webapp);

    try {
      server.start();
    } catch (Exception e) {
      stopQuietly(server);
      throw new IllegalStateException("Jetty failed to start on 127.0.0.1:" + port, e);
    }
    return new JettyRunning(server, connector.getLocalPort());
  }

  static WebAppContext newWebApp(Server server, URI upstream, Map<String, String> settings) {
    WebAppContext webapp = new WebAppContext();
    webapp.setContextPath("/");
    webapp.setBaseResource(webappResource(server));
    // Only web.xml: no annotation scanning, no JSP, no fragments or jetty-web.xml. Jetty's
    // defaults descriptor still adds its DefaultServlet (index.html, welcome files) and a *.jsp
    // mapping it logs as "NO JSP Support" and never uses.
    webapp.setConfigurations(
        new Configuration[] {
          new WebInfConfiguration(), new WebXmlConfiguration(), new WebAppConfiguration()
        });
    // The filter and the app's servlet come from the application class path (the shaded jar, or
    // target/classes in tests), not from a WEB-INF/lib of their own.
    webapp.setParentLoaderPriority(true);
    // A filter that fails init (an invalid Sluice setting, a 'hooks' name no jar provides) fails
    // start, instead of leaving a running server whose web app answers 503 to everything.
    webapp.setThrowUnavailableOnStartupException(true);
    webapp.setInitParameter("org.eclipse.jetty.servlet.Default.dirAllowed", "false");

    Map<String, String> params = new LinkedHashMap<>();
    settings.forEach((key, value) -> params.put("sluice." + key, value));
    params.putIfAbsent("sluice.upstream", upstream.toString()); // a list in settings wins
    params.forEach(webapp::setInitParameter);
    return webapp;
  }

  private static Resource webappResource(Server server) {
    // Look up through this class's own loader only: ResourceFactory.newClassLoaderResource merges
    // every match on the context, Jetty and system loaders into one combined resource, which in
    // the shaded jar lists the same folder three times and would overlay any other jar's webapp/.
    URL url = JettyExample.class.getClassLoader().getResource(WEBAPP_RESOURCE);
    if (url == null) {
      throw new IllegalStateException("classpath resource '" + WEBAPP_RESOURCE + "' not found");
    }
    // Bound to the server's lifecycle, so the jar mount (shaded jar) is released on stop.
    return ResourceFactory.of(server).newResource(url);
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception ignored) {
      // Already failing; the start exception is the one worth reporting.
    }
  }

  private static final class JettyRunning implements Running {
    private final Server server;
    private final int port;

    JettyRunning(Server server, int port) {
      this.server = server;
      this.port = port;
    }

    @Override
    public URI baseUri() {
      return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public int port() {
      return port;
    }

    @Override
    public void close() {
      try {
        server.stop();
      } catch (Exception e) {
        throw new IllegalStateException("Jetty failed to stop", e);
      }
    }

    @Override
    public String toString() {
      return "JettyExample" + baseUri();
    }
  }

  /**
   * {@code java -jar jetty-example.jar [--port N] [--upstream URL[,URL...]] [--hooks a,b]
   * [--model-aliases a=m] [--diagnostics]}. Without {@code --upstream} a mock Anthropic API runs
   * in-process, so the example works offline. Without {@code --model-aliases} the example sets
   * {@code model-aliases} to {@value Options#DEFAULT_MODEL_ALIASES}; see {@link ExampleMain}.
   */
  public static void main(String[] args) throws InterruptedException {
    ExampleMain.main("jetty-example", args, JettyExample::start);
  }
}
