package dev.sluice.example.jetty;

import dev.sluice.testkit.MockUpstream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
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
  public interface Running extends AutoCloseable {
    /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
    URI baseUri();

    int port();

    @Override
    void close();
  }

  /**
   * Starts the example app on {@code 127.0.0.1}.
   *
   * @param port the port to bind, or 0 for an ephemeral one
   * @param upstream the Anthropic API (or a mock) that Sluice relays to; becomes the context
   *     init-param {@code sluice.upstream}
   * @param settings further Sluice settings, each becoming the context init-param {@code
   *     sluice.<key>} (for example {@code "idle-timeout" -> "5m"})
   */
  public static Running start(int port, URI upstream, Map<String, String> settings) {
    Objects.requireNonNull(upstream, "upstream == null");
    Objects.requireNonNull(settings, "settings == null");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);

    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.setIdleTimeout(CONNECTOR_IDLE_TIMEOUT.toMillis());
    server.addConnector(connector);
    server.setHandler(newWebApp(server, upstream, settings));

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
    params.put("sluice.upstream", upstream.toString());
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
   * {@code java -jar jetty-example.jar [--port N] [--upstream URL] [--hooks a,b]
   * [--model-aliases a=m]}. Without {@code --upstream} a mock Anthropic API runs in-process, so
   * the example works offline. Without {@code --model-aliases} the example sets {@code
   * model-aliases} to {@value Options#DEFAULT_MODEL_ALIASES}.
   */
  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("jetty-example: " + e.getMessage());
      System.err.println(Options.USAGE);
      System.exit(2);
      return;
    }
    if (options.help()) {
      System.out.println(Options.USAGE);
      return;
    }
    try {
      run(options, System.out);
    } catch (IllegalStateException e) {
      // Typically the port is taken: say so in one line rather than with a stack trace.
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("jetty-example: " + e.getMessage() + ": " + cause);
      System.exit(1);
    }
  }

  private static void run(Options options, PrintStream out) {
    MockUpstream mock = null;
    URI upstream = options.upstream();
    if (upstream == null) {
      mock = MockUpstream.start();
      upstream = mock.baseUri();
      out.println("No --upstream given: started the mock Anthropic API at " + upstream);
    }
    Map<String, String> settings = options.effectiveSettings();
    Running running;
    try {
      running = start(options.port(), upstream, settings);
    } catch (RuntimeException e) {
      if (mock != null) mock.close();
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(shutdown(running, mock), "jetty-example-stop"));
    out.println("Sluice example listening on " + running.baseUri() + " (upstream " + upstream + ")");
    out.println("  try: curl " + running.baseUri() + "/hello");
    String hooks = effective("hooks", settings);
    if (hooks.isEmpty()) {
      out.println("  hooks: none (pure byte relay); enable some with --hooks, e.g. "
          + "--hooks usage-log,cost-in-usage,model-alias,blocked-words");
    } else {
      out.println("  hooks: " + hooks);
      List<String> names = Arrays.stream(hooks.split(",")).map(String::trim).toList();
      if (names.contains("model-alias") || names.contains("*")) {
        String aliases = effective("model-aliases", settings);
        out.println("  model-aliases: " + (aliases.isEmpty() ? "(none)" : aliases));
      }
    }
    out.flush();
  }

  /**
   * What the filter will read for {@code setting}: system property {@code sluice.<setting>}, then
   * {@code SLUICE_<SETTING>}, then the context init-param this class sets (the filter's own
   * lookup order; web.xml declares no filter init-params).
   */
  static String effective(String setting, Map<String, String> settings) {
    String env = "SLUICE_" + setting.toUpperCase(Locale.ROOT).replace('-', '_');
    for (String value :
        new String[] {System.getProperty("sluice." + setting), System.getenv(env),
            settings.get(setting)}) {
      if (value != null && !value.isBlank()) return value.trim();
    }
    return "";
  }

  private static Runnable shutdown(Running running, MockUpstream mock) {
    return () -> {
      running.close();
      if (mock != null) mock.close();
    };
  }
}
