package dev.sluice.example;

import dev.sluice.testkit.MockUpstream;
import jakarta.servlet.Servlet;
import java.io.PrintStream;
import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code main} of the runnable example jars: parses the {@link Options}, starts the mock
 * Anthropic API in-process when no {@code --upstream} is given (so the examples work offline),
 * starts the app, prints where it listens, and keeps running until the JVM is stopped (Ctrl-C,
 * SIGTERM), when a shutdown hook stops the app and the mock. Bad arguments exit with 2, a failed
 * start (port taken, invalid setting, unknown hook) with 1.
 */
public final class ExampleMain {

  /** Starts one container with the example app; see {@code JettyExample.start}. */
  @FunctionalInterface
  public interface Starter {
    /**
     * @param servlets servlets to mount beside the app's own, by path (empty unless
     *     {@code --diagnostics})
     * @throws IllegalStateException when the container or the web app fails to start
     */
    RunningApp start(int port, URI upstream, Map<String, String> settings,
        Map<String, Servlet> servlets);
  }

  private ExampleMain() {}

  /**
   * Runs {@code program} ({@code jetty-example}: the jar's name, and the prefix of every error
   * line) with {@code args}; returns only for {@code --help}.
   */
  public static void main(String program, String[] args, Starter starter)
      throws InterruptedException {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(program + ": " + e.getMessage());
      System.err.println(Options.usage(program));
      System.exit(2);
      return;
    }
    if (options.help()) {
      System.out.println(Options.usage(program));
      return;
    }
    try {
      run(program, options, starter, System.out);
    } catch (IllegalStateException e) {
      // Typically the port is taken: say so in one line rather than with a stack trace.
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println(program + ": " + e.getMessage() + ": " + cause);
      System.exit(1);
      return;
    }
    // Tomcat's threads are daemon threads (Jetty's are not): keep the JVM up until it is stopped,
    // when the shutdown hook stops the app and the mock.
    new CountDownLatch(1).await();
  }

  /** Starts the app (and the mock, without {@code --upstream}) and prints the start-up lines. */
  static RunningApp run(String program, Options options, Starter starter, PrintStream out) {
    MockUpstream mock = null;
    URI upstream = options.upstream();
    if (upstream == null) {
      mock = MockUpstream.start();
      upstream = mock.baseUri();
      out.println("No --upstream given: started the mock Anthropic API at " + upstream);
    }
    Map<String, String> settings = options.effectiveSettings();
    RunningApp running;
    try {
      running = starter.start(options.port(), upstream, settings, servlets(options));
    } catch (RuntimeException e) {
      if (mock != null) mock.close();
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(shutdown(running, mock), program + "-stop"));
    out.println("Sluice example listening on " + running.baseUri() + " (upstream " + upstream + ")");
    out.println("  try: curl " + running.baseUri() + "/hello");
    if (options.diagnostics()) {
      out.println("  diagnostics: " + running.baseUri() + DiagnosticsServlet.PATH);
    }
    if (options.metrics()) {
      out.println("  metrics: " + running.baseUri() + MetricsServlet.PATH);
    }
    if (options.ceiling() != null) {
      out.println("  ceiling: POST " + running.baseUri() + CeilingServlet.PATH + " answers "
          + options.ceiling() + " itself (no upstream call)");
    }
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
    return running;
  }

  /** The servlets the flags ask for beside the app's own: diagnostics, metrics, ceiling. */
  static Map<String, Servlet> servlets(Options options) {
    Map<String, Servlet> servlets = new LinkedHashMap<>();
    if (options.diagnostics()) {
      servlets.put(DiagnosticsServlet.PATH, new DiagnosticsServlet());
    }
    if (options.metrics()) {
      servlets.put(MetricsServlet.PATH, MetricsServlet.create());
    }
    if (options.ceiling() != null) {
      servlets.put(CeilingServlet.PATH, new CeilingServlet(options.ceiling()));
    }
    return servlets;
  }

  /**
   * What the filter will read for {@code setting}: system property {@code sluice.<setting>}, then
   * {@code SLUICE_<SETTING>}, then the context init-param the app sets (the filter's own lookup
   * order; the examples' web.xml declares no filter init-params).
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

  private static Runnable shutdown(RunningApp running, MockUpstream mock) {
    return () -> {
      running.close();
      if (mock != null) mock.close();
    };
  }
}
