package dev.sluice.example;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line of the runnable example jars ({@code jetty-example.jar},
 * {@code tomcat-example.jar}). {@code upstream} is null when not given; with a list of upstreams
 * it is the first, and {@code settings} holds the whole list as {@code upstream}. {@code diagnostics}:
 * mount {@link DiagnosticsServlet} (off by default: it runs a full GC on request). {@code ceiling}:
 * the file {@link CeilingServlet} answers with, or null (not mounted). {@code
 * metrics}: enable the {@code micrometer} hook and serve its meters at {@link MetricsServlet#PATH}
 * in Prometheus's format.
 */
public record Options(int port, URI upstream, Map<String, String> settings, boolean diagnostics,
    Path ceiling, boolean help, boolean metrics) {

  public static final int DEFAULT_PORT = 8080;

  /**
   * The examples' {@code model-aliases} when {@code --model-aliases} is not given: a made-up name
   * that shows the {@code model-alias} hook at work. It is passed as the lowest-priority source
   * (a context init-param), so {@code -Dsluice.model-aliases} or {@code SLUICE_MODEL_ALIASES}
   * still override it; {@code --model-aliases=} (empty) turns it off.
   */
  public static final String DEFAULT_MODEL_ALIASES = "claude-fast=claude-haiku-4-5";

  public Options {
    settings = Map.copyOf(settings);
  }

  /** The usage text, for {@code java -jar <program>.jar}. */
  public static String usage(String program) {
    String head = "usage: java -jar " + program + ".jar ";
    return String.join(
        System.lineSeparator(),
        head + "[--port N] [--upstream URL[,URL...]] [--hooks a,b]",
        " ".repeat(head.length()) + "[--model-aliases alias=model,...] [--diagnostics] [--metrics]",
        " ".repeat(head.length()) + "[--ceiling FILE]",
        "  --port N            port to listen on, on 127.0.0.1 (default 8080; 0 = any free port)",
        "  --upstream URL      Anthropic API to relay to, e.g. https://api.anthropic.com",
        "                      (default: start a mock Anthropic API in-process); several,",
        "                      comma-separated, fail over in that order (the 'upstream' setting)",
        "  --hooks a,b         Sluice hooks to enable (the 'hooks' setting; '*' = all), from:",
        "                      usage-log, cost-in-usage, model-alias, strip-empty-text,",
        "                      micrometer, blocked-words (the sample plugin jar)",
        "  --model-aliases a=m the 'model-aliases' setting of the model-alias hook",
        "                      (default " + DEFAULT_MODEL_ALIASES + ")",
        "  --diagnostics       serve GET " + DiagnosticsServlet.PATH + ": threads, heap (after a",
        "                      full GC with ?gc=true) and Sluice's open exchanges, as JSON",
        "                      (for the benchmark's soak; not for production)",
        "  --metrics           enable the micrometer hook and serve GET " + MetricsServlet.PATH,
        "                      in Prometheus's text format",
        "  --ceiling FILE      also serve POST " + CeilingServlet.PATH + ": FILE's bytes as an",
        "                      SSE response, no upstream call (the benchmark's ceiling target)",
        "  --help              print this and exit");
  }

  /** Parses {@code args}, accepting {@code --name value} and {@code --name=value}. */
  public static Options parse(String... args) {
    int port = DEFAULT_PORT;
    URI upstream = null;
    Map<String, String> settings = new LinkedHashMap<>();
    boolean diagnostics = false;
    boolean metrics = false;
    Path ceiling = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      switch (name) {
        case "--help":
        case "-h":
          if (value != null) throw new IllegalArgumentException(name + " takes no value");
          return new Options(port, upstream, settings, diagnostics, ceiling, true, metrics);
        case "--port":
          port = parsePort(value != null ? value : next(args, ++i, name));
          break;
        case "--upstream":
          String list = value != null ? value : next(args, ++i, name);
          for (String entry : list.split(",")) {
            URI u = parseUpstream(entry.trim().split(";")[0]);
            upstream = upstream == null ? u : upstream;
          }
          if (list.indexOf(',') >= 0 || list.indexOf(';') >= 0) {
            settings.put("upstream", list); // the whole list; upstream() is its first entry
          }
          break;
        case "--hooks":
          settings.put("hooks", value != null ? value : next(args, ++i, name));
          break;
        case "--model-aliases":
          settings.put("model-aliases", value != null ? value : next(args, ++i, name));
          break;
        case "--diagnostics":
          if (value != null) throw new IllegalArgumentException(name + " takes no value");
          diagnostics = true;
          break;
        case "--metrics":
          if (value != null) throw new IllegalArgumentException(name + " takes no value");
          metrics = true;
          break;
        case "--ceiling":
          ceiling = Path.of(value != null ? value : next(args, ++i, name));
          break;
        default:
          throw new IllegalArgumentException("unknown argument: " + arg);
      }
    }
    return new Options(port, upstream, settings, diagnostics, ceiling, false, metrics);
  }

  /**
   * The settings to start the app with: the ones given, plus the examples' defaults for those
   * not given ({@code model-aliases}), and the {@code micrometer} hook with {@code --metrics}.
   */
  public Map<String, String> effectiveSettings() {
    Map<String, String> effective = new LinkedHashMap<>(settings);
    effective.putIfAbsent("model-aliases", DEFAULT_MODEL_ALIASES);
    if (metrics) {
      String hooks = effective.getOrDefault("hooks", "").trim();
      List<String> names = Arrays.stream(hooks.split(",")).map(String::trim).toList();
      if (!names.contains("micrometer") && !names.contains("*")) {
        effective.put("hooks", hooks.isEmpty() ? "micrometer" : hooks + ",micrometer");
      }
    }
    return effective;
  }

  private static String next(String[] args, int i, String name) {
    if (i >= args.length) throw new IllegalArgumentException(name + " needs a value");
    return args[i];
  }

  private static int parsePort(String value) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) return port;
    } catch (NumberFormatException ignored) {
      // Reported below.
    }
    throw new IllegalArgumentException("--port must be 0..65535, got '" + value + "'");
  }

  private static URI parseUpstream(String value) {
    try {
      URI uri = new URI(value);
      String scheme = uri.getScheme();
      if (("http".equals(scheme) || "https".equals(scheme)) && uri.getHost() != null) return uri;
    } catch (URISyntaxException ignored) {
      // Reported below.
    }
    throw new IllegalArgumentException("--upstream must be an http(s) URL, got '" + value + "'");
  }
}
