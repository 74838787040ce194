package dev.sluice.bench;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parsed command line. */
record Config(
    Path root,
    Path out,
    String java,
    List<String> jvmOpts,
    List<String> mockJvmOpts,
    String selfJar,
    List<String> targets,
    List<Scenario> scenarios,
    boolean quick,
    boolean jfr,
    boolean noWrk,
    int wrkSeconds,
    int warmupSeconds,
    int quietWaitSeconds,
    long sampleMs,
    SoakSize soak,
    List<String> args) {

  /** One scenario's shape. {@code warmupDeltas}: deltas per warm-up request. */
  record Scenario(String name, int requests, int concurrency, int warmup, int warmupDeltas,
      int repeats, int deltas, int delayMs, int rampMs) {}

  /**
   * The soak's shape ({@code --scenario soak}): {@code concurrency} requests in flight for
   * {@code seconds}, {@code faultPercent}% of them faults, normal streams of {@code deltas}
   * deltas {@code delayMs} apart; then {@code hold} streams open at once (0: skip).
   */
  record SoakSize(int seconds, int concurrency, int faultPercent, int deltas, int delayMs,
      int hold) {}

  /** The soak runs on the example apps: they serve the diagnostics it reads. */
  static final List<String> SOAK_TARGETS = List.of("sluice-jetty", "sluice-tomcat");

  /** The JVM's own defaults (G1 and its default heap): what users run. */
  static final List<String> DEFAULT_JVM_OPTS = List.of();
  static final List<String> MOCK_JVM_OPTS =
      List.of("-Xms512m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:-UsePerfData");

  static final String USAGE = String.join(System.lineSeparator(),
      "usage: java -jar benchmark/target/benchmark.jar [options]",
      "  --scenario S       burst | paced | long | hold | all (default all), or soak (not in",
      "                     all): streams with injected faults, then a leak check, then --hold",
      "                     streams open at once (default targets sluice-jetty,sluice-tomcat)",
      "  --seconds N        burst with wrk: seconds per measured run (default 10, --quick 2)",
      "  --no-wrk           drive burst with the project's client even when wrk is installed",
      "  --targets a,b      default: " + String.join(",", Targets.DEFAULT),
      "                     also: " + String.join(",", Targets.EXTRA),
      "                     (sluice-tomcat and nginx are skipped with a note when missing)",
      "  --requests N       requests per measured run (paced: streams)",
      "  --concurrency N    requests in flight (paced default: all streams at once;",
      "                     soak: 200, --quick: 50)",
      "  --warmup N         warm-up requests before each measured run (not measured)",
      "  --warmup-seconds N load on each target right after its start, so that the JIT has",
      "                     compiled the hot paths before any run (default 40, --quick 2;",
      "                     soak: 10, --quick 5)",
      "  --repeats N        measured runs per target; targets are interleaved, medians reported",
      "  --deltas N         text deltas per response",
      "  --delay-ms N       paced: milliseconds between events (default 20)",
      "  --ramp-ms N        paced: open the streams evenly over N ms (default 1000)",
      "  --duration-s N     soak: seconds of load (default 60; --quick: 10)",
      "  --faults P         soak: percent of requests with an injected fault (default 10)",
      "  --hold N           soak: streams held open at once afterwards (default 1000;",
      "                     --quick: 100; 0 skips)",
      "  --quick            tiny configuration (the mvn verify smoke test)",
      "  --jvm-opts '...'   JVM options of every Java target (default: none, the JVM's",
      "                     defaults: G1, heap 1/4 of RAM)",
      "  --quiet-wait-s N   before each measured run, wait up to N s until other processes on",
      "                     the machine use < 0.1 cores (default 120; --quick: 0); runs they",
      "                     disturbed anyway are flagged in the report",
      "  --jfr              record a JFR profile of each Java target into <out>/jfr/",
      "  --sample-ms N      RSS sampling period (default 20)",
      "  --root DIR         project root (default: found from this jar's location)",
      "  --out DIR          where the report goes (default <root>/benchmark/target)",
      "  --jmh [args]       run the JMH microbenchmarks instead; args go to JMH",
      "                     (e.g. --jmh -prof gc; --jmh -h for JMH's own help)",
      "  --help");

  static Scenario defaults(String name, boolean quick) {
    return switch (name) {
      // LiteLLM's benchmark shape: 64 text deltas, no delays, 500 requests, 20 at a time.
      case "burst" -> quick
          ? new Scenario(name, 60, 4, 10, 16, 1, 16, 0, 0)
          : new Scenario(name, 500, 20, 80, 64, 5, 64, 0, 0);
      case "paced" -> quick
          ? new Scenario(name, 20, 20, 10, 16, 1, 20, 20, 100)
          : new Scenario(name, 1000, 1000, 80, 64, 3, 200, 20, 2000);
      // Memory per open stream: N streams held open at once, heap after a full GC.
      case "hold" -> quick
          ? new Scenario(name, 20, 20, 0, 0, 1, 16, 100, 200)
          : new Scenario(name, 1000, 1000, 0, 0, 1, 64, 100, 2000);
      case "long" -> quick
          ? new Scenario(name, 1, 1, 1, 1000, 1, 5000, 0, 0)
          : new Scenario(name, 1, 1, 1, 10_000, 3, 100_000, 0, 0);
      default -> throw new IllegalArgumentException(
          "--scenario must be burst, paced, long, hold, all or soak, got " + name);
    };
  }

  static Config parse(String[] args) {
    Map<String, String> opts = new LinkedHashMap<>();
    boolean quick = false;
    boolean jfr = false;
    boolean noWrk = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String name = a;
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        name = a.substring(0, eq);
        value = a.substring(eq + 1);
      }
      switch (name) {
        case "--quick" -> quick = true;
        case "--jfr" -> jfr = true;
        case "--no-wrk" -> noWrk = true;
        case "--scenario", "--targets", "--requests", "--concurrency", "--warmup", "--repeats",
            "--deltas", "--delay-ms", "--ramp-ms", "--jvm-opts", "--sample-ms", "--root", "--out",
            "--warmup-seconds", "--quiet-wait-s", "--duration-s", "--faults", "--hold",
            "--seconds" -> {
          if (value == null) {
            if (i + 1 >= args.length) {
              throw new IllegalArgumentException(name + " needs a value");
            }
            value = args[++i];
          }
          opts.put(name, value);
        }
        default -> throw new IllegalArgumentException("unknown option: " + a);
      }
    }
    Path root = opts.containsKey("--root") ? Path.of(opts.get("--root")) : findRoot();
    root = root.toAbsolutePath().normalize();
    Path out = opts.containsKey("--out") ? Path.of(opts.get("--out"))
        : root.resolve("benchmark/target");
    String scenario = opts.getOrDefault("--scenario", "all");
    boolean soaking = scenario.equals("soak");
    List<String> names = scenario.equals("all") ? List.of("burst", "paced", "long", "hold")
        : soaking ? List.of() : List.of(scenario);
    List<Scenario> scenarios = new ArrayList<>();
    for (String n : names) {
      Scenario d = defaults(n, quick);
      int requests = intOpt(opts, "--requests", d.requests(), 1);
      int concurrency = intOpt(opts, "--concurrency",
          n.equals("paced") || n.equals("hold") ? requests : d.concurrency(), 1);
      scenarios.add(new Scenario(n, requests, concurrency,
          intOpt(opts, "--warmup", d.warmup(), 0), d.warmupDeltas(),
          intOpt(opts, "--repeats", d.repeats(), 1), intOpt(opts, "--deltas", d.deltas(), 1),
          n.equals("paced") ? intOpt(opts, "--delay-ms", d.delayMs(), 1) : d.delayMs(),
          n.equals("paced") ? intOpt(opts, "--ramp-ms", d.rampMs(), 0) : d.rampMs()));
    }
    List<String> targets = opts.containsKey("--targets")
        ? Arrays.stream(opts.get("--targets").split(",")).map(String::trim)
            .filter(s -> !s.isEmpty()).toList()
        : soaking ? SOAK_TARGETS : Targets.DEFAULT;
    for (String t : targets) {
      if (!Targets.ALL.contains(t)) {
        throw new IllegalArgumentException("unknown target: " + t + " (known: "
            + String.join(",", Targets.ALL) + ")");
      }
      if (soaking && !t.startsWith("sluice-")) {
        throw new IllegalArgumentException("the soak runs on sluice-* targets only, not " + t
            + ": it reads the example apps' diagnostics");
      }
    }
    SoakSize soak = !soaking ? null : new SoakSize(
        intOpt(opts, "--duration-s", quick ? 10 : 60, 1),
        intOpt(opts, "--concurrency", quick ? 50 : 200, 1),
        intOpt(opts, "--faults", 10, 0),
        intOpt(opts, "--deltas", quick ? 50 : 100, 2),
        intOpt(opts, "--delay-ms", 20, 1),
        intOpt(opts, "--hold", quick ? 100 : 1000, 0));
    if (soak != null && soak.faultPercent() > 100) {
      throw new IllegalArgumentException("--faults must be a percentage, got "
          + soak.faultPercent());
    }
    List<String> jvmOpts = opts.containsKey("--jvm-opts")
        ? Arrays.stream(opts.get("--jvm-opts").trim().split("\\s+")).filter(s -> !s.isEmpty())
            .toList()
        : DEFAULT_JVM_OPTS;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new Config(root, out.toAbsolutePath().normalize(), java, jvmOpts, MOCK_JVM_OPTS,
        locateSelfJar(), targets, scenarios, quick, jfr, noWrk,
        intOpt(opts, "--seconds", quick ? 2 : 10, 1),
        intOpt(opts, "--warmup-seconds", soaking ? (quick ? 5 : 10) : quick ? 2 : 40, 0),
        intOpt(opts, "--quiet-wait-s", quick ? 0 : 120, 0), intOpt(opts, "--sample-ms", 20, 1),
        soak, List.of(args));
  }

  private static int intOpt(Map<String, String> opts, String name, int fallback, int min) {
    String v = opts.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v.replace("_", "").replace(",", ""));
      if (n >= min) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(name + " must be an integer >= " + min + ", got " + v);
  }

  /** This jar (or classes directory): the class path of the mock and jetty-proxy JVMs. */
  static String locateSelfJar() {
    try {
      return Path.of(Config.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException | RuntimeException e) {
      return System.getProperty("java.class.path").split(File.pathSeparator)[0];
    }
  }

  /** The directory holding jetty-example/, looked up from this jar's location, then the cwd. */
  static Path findRoot() {
    List<Path> starts = new ArrayList<>();
    starts.add(Path.of(locateSelfJar()).toAbsolutePath());
    starts.add(Path.of("").toAbsolutePath());
    for (Path start : starts) {
      for (Path p = start; p != null; p = p.getParent()) {
        if (Files.isDirectory(p.resolve("jetty-example"))
            && Files.isRegularFile(p.resolve("pom.xml"))) {
          return p;
        }
      }
    }
    return Path.of("").toAbsolutePath();
  }
}
