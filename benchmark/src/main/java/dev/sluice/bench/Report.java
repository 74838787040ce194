package dev.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sluice.bench.Bench.ScenarioResult;
import dev.sluice.bench.Bench.TargetResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** Writes the markdown table, the JSON file and the SVG chart. */
final class Report {
  static final String MD = "benchmark-results.md";
  static final String JSON = "benchmark-results.json";
  static final String SVG = "benchmark-results.svg";

  private final Config config;
  private final List<ScenarioResult> results;
  private final Map<String, String> env = new LinkedHashMap<>();

  Report(Config config, List<ScenarioResult> results) {
    this.config = config;
    this.results = results;
    env.put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    env.put("command", "java -jar benchmark/target/benchmark.jar " + String.join(" ", config.args()));
    env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty(
        "java.runtime.version") + " (" + System.getProperty("java.vendor") + ")");
    env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    env.put("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
    env.put("target_jvm_opts", String.join(" ", config.jvmOpts()));
    env.put("mock_jvm_opts", String.join(" ", config.mockJvmOpts()));
    String nginx = Targets.findOnPath("nginx");
    env.put("nginx", nginx == null ? "not installed" : Targets.version(nginx));
  }

  List<Path> write() throws IOException {
    Files.createDirectories(config.out());
    Path md = config.out().resolve(MD);
    Path json = config.out().resolve(JSON);
    Path svg = config.out().resolve(SVG);
    Files.writeString(md, markdown());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(json.toFile(), jsonTree());
    Files.writeString(svg, svg());
    return List.of(md, json, svg);
  }

  // ---------------------------------------------------------------- markdown

  String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("# Sluice benchmark\n\n");
    sb.append("- date: ").append(env.get("date")).append('\n');
    sb.append("- command: `").append(env.get("command").trim()).append("`\n");
    sb.append("- java: ").append(env.get("java")).append('\n');
    sb.append("- machine: ").append(env.get("os")).append(", ").append(env.get("cpus"))
        .append(" CPUs; client, mock and proxy share them\n");
    sb.append("- each proxy in its own process; Java targets run with ")
        .append(env.get("target_jvm_opts").isEmpty() ? "the JVM's defaults (G1)"
            : "`" + env.get("target_jvm_opts") + "`").append("; nginx: ").append(env.get("nginx").replace('\n', ' '))
        .append('\n');
    sb.append("- every figure is the median over the repeats (each repeat: warm-up, then one "
        + "measured run; targets interleaved)\n");
    for (ScenarioResult r : results) {
      sb.append('\n');
      switch (r.scenario.name()) {
        case "burst" -> burst(sb, r);
        case "paced" -> paced(sb, r);
        case "hold" -> hold(sb, r);
        default -> longStream(sb, r);
      }
      notes(sb, r);
    }
    goals(sb);
    return sb.toString();
  }

  /** The ceiling of a target's container, or null. */
  private static TargetResult ceilingOf(ScenarioResult r, String target) {
    if (target.startsWith("sluice-tomcat")) {
      return ok(r, "ceiling-tomcat");
    }
    return target.startsWith("sluice-") ? ok(r, "ceiling-jetty") : null;
  }

  /** Targets that relay to the upstream (not direct, not a ceiling). */
  private static boolean proxy(String name) {
    return !name.startsWith("direct") && !name.startsWith("ceiling-");
  }

  /**
   * The client-bound check of one driver: {@code direct} (plain or TLS, as the proxies' upstream)
   * must reach at least 4x the req/s of the fastest proxy, or the client, not the proxy, set the
   * pace and the ratios mean nothing.
   */
  static String clientBound(ScenarioResult r, String metric, boolean tls) {
    TargetResult d = ok(r, tls ? "direct-tls" : "direct");
    double fastest = Double.NaN;
    String which = null;
    for (TargetResult t : r.targets.values()) {
      if (t.status.equals("ok") && !t.runs.isEmpty() && proxy(t.name)
          && t.name.endsWith("-tls") == tls && !Double.isNaN(t.m(metric))
          && (Double.isNaN(fastest) || t.m(metric) > fastest)) {
        fastest = t.m(metric);
        which = t.name;
      }
    }
    if (d == null || which == null || Double.isNaN(d.m(metric))) {
      return null;
    }
    double x = d.m(metric) / fastest;
    List<String> capped = new ArrayList<>();
    for (TargetResult t : r.targets.values()) {
      if (t.status.equals("ok") && !t.runs.isEmpty() && proxy(t.name)
          && t.name.endsWith("-tls") == tls && t.m(metric) * 4 > d.m(metric)) {
        capped.add("`" + t.name + "`");
      }
    }
    return String.format(Locale.ROOT, "`%s` %s req/s = %.1fx the fastest proxy (`%s`, %s): %s",
        d.name, f0(d.m(metric)), x, which, f0(fastest), x >= 4
            ? "**not client-bound** (>= 4x), the ratios measure the proxies"
            : "**CLIENT-BOUND** (< 4x): the load generator and the upstream, on the same cores, "
                + "set the pace of " + String.join(", ", capped) + ", whose req/s ratios mean "
                + "nothing; compare CPU per request for them. Targets below a quarter of "
                + "`" + d.name + "` are measured");
  }

  private void burst(StringBuilder sb, ScenarioResult r) {
    sb.append("## burst: ").append(Bench.describe(r.scenario)).append("\n\n");
    sb.append("Upstream: ").append(r.upstream).append(".\n\n");
    if (r.wrk != null) {
      sb.append("### Throughput (wrk -t2 -c").append(r.scenario.concurrency()).append(", ")
          .append(config.wrkSeconds()).append(" s per run)\n\n");
      for (boolean tls : new boolean[] {false, true}) {
        String verdict = clientBound(r, "wrk_req_per_s", tls);
        if (verdict != null) {
          sb.append("- Client-bound check").append(tls ? " (TLS)" : "").append(": ")
              .append(verdict).append('\n');
        }
      }
      sb.append('\n');
      TargetResult nginx = ok(r, "nginx");
      TargetResult jp = ok(r, "jetty-proxy");
      TargetResult plain = ok(r, "sluice-jetty");
      table(sb, r, List.of(
          col("req/s", t -> f0(t.m("wrk_req_per_s"))),
          col("p50 ms", t -> f2(t.m("wrk_p50_ms"))),
          col("p99 ms", t -> f2(t.m("wrk_p99_ms"))),
          col("CPU us / req", t -> f0(t.m("cpu_us_per_req"))),
          col("CPU us / event", t -> f1(t.m("cpu_us_per_event"))),
          col("alloc B / req", t -> f0(t.m("alloc_bytes_per_req"))),
          col("vs nginx", t -> proxy(t.name) || t.name.startsWith("ceiling")
              ? ratio(t, nginx, "wrk_req_per_s") : "-"),
          col("vs jetty-proxy", t -> proxy(t.name) ? ratio(t, jp, "wrk_req_per_s") : "-"),
          col("of its ceiling", t -> ratio(t, ceilingOf(r, t.name), "wrk_req_per_s")),
          col("CPU/req vs sluice-jetty", t -> t.name.startsWith("sluice")
              ? ratio(t, plain, "cpu_us_per_req") : "-"),
          col("failed", t -> f0(t.m("failed")) + "")));
      sb.append("\nCPU per request and per event: the target's processes' utime+stime "
          + "(/proc) over the run / responses (events: SSE events per response, from the canned "
          + "body). alloc: bytes the target JVM's threads allocated (ThreadMXBean, via the "
          + "example's diagnostics) per response. \"of its ceiling\": req/s over the same "
          + "container's ceiling target.\n\n");
    }
    sb.append(r.wrk != null ? "### Time to first token (the project's client, "
        + r.scenario.requests() + " requests, concurrency " + r.scenario.concurrency() + ")\n\n"
        : "### The project's client (no wrk installed: apt-get install wrk)\n\n");
    String verdict = clientBound(r, "req_per_s", false);
    if (verdict != null) {
      sb.append("- Client-bound check: ").append(verdict).append("\n\n");
    }
    table(sb, r, List.of(
        col("TTFT p50 ms", t -> f2(t.m("ttft_p50_ms"))),
        col("TTFT p95 ms", t -> f2(t.m("ttft_p95_ms"))),
        col("TTFT p99 ms", t -> f2(t.m("ttft_p99_ms"))),
        col("total p50 ms", t -> f2(t.m("total_p50_ms"))),
        col("req/s", t -> f0(t.m("req_per_s"))),
        col("proxy CPU s / 1k req", t -> f2(t.m("proxy_cpu_s_per_1k"))),
        col("proxy peak RSS MB", t -> f0(t.m("rss_peak_mb"))),
        col("failed", t -> t.failed() + "/" + t.requests())));
    sb.append('\n');
    sb.append(String.format(Locale.ROOT, "The rest of the machine, median over every run: mock "
        + "upstream %.2f s CPU per 1k requests, load client %.2f s (%.0f%% of a core while "
        + "driving `direct`), and %.0f%% of all CPUs busy.%n%n",
        overall(r, "mock_cpu_s_per_1k"), overall(r, "client_cpu_s_per_1k"),
        ok(r, "direct") == null ? Double.NaN : 100 * ok(r, "direct").m("client_cpu_util"),
        100 * overall(r, "machine_cpu_util")));
    comparisons(sb, r);
  }

  private void hold(StringBuilder sb, ScenarioResult r) {
    sb.append("## hold: ").append(r.scenario.requests()).append(" streams open at once (")
        .append(r.scenario.deltas()).append(" deltas ").append(r.scenario.delayMs())
        .append(" ms apart; the ceilings hold theirs as long), heap after a full GC\n\n");
    table(sb, r, List.of(
        col("live heap KiB / stream", t -> f1(t.m("heap_per_stream_kib"))),
        col("minus its ceiling", t -> {
          TargetResult c = ceilingOf(r, t.name);
          return c == null ? "-" : f1(t.m("heap_per_stream_kib") - c.m("heap_per_stream_kib"));
        }),
        col("RSS KiB / stream", t -> f1(t.m("rss_per_stream_kib"))),
        col("Sluice exchanges open at the peak", t -> f0(t.m("open_exchanges_at_peak"))),
        col("failed", t -> t.failed() + "/" + t.requests())));
    sb.append("\nLive heap: `/_diagnostics?gc=true` (System.gc(), then heap used) with every "
        + "stream open, minus the same just before. \"minus its ceiling\": Sluice's own share, "
        + "over the same container holding as many requests itself. RSS: the process's resident "
        + "set with every stream open (just before that GC, which may give memory back), minus "
        + "before the run (a JVM keeps pages it touched once, so this understates what a first "
        + "peak costs).\n");
  }

  private void comparisons(StringBuilder sb, ScenarioResult r) {
    TargetResult direct = ok(r, "direct");
    TargetResult jp = ok(r, "jetty-proxy");
    TargetResult legacy = ok(r, "sluice-legacy");
    sb.append("Compared (TTFT: added ms over `direct`; req/s and CPU: ratio of medians, "
        + "req/s > 1 and CPU < 1 are better):\n\n");
    table(sb, r, List.of(
        col("TTFT p50 +ms vs direct", t -> diff(t, direct, "ttft_p50_ms")),
        col("TTFT p99 +ms vs direct", t -> diff(t, direct, "ttft_p99_ms")),
        col("req/s vs direct", t -> ratio(t, direct, "req_per_s")),
        col("req/s vs jetty-proxy", t -> ratio(t, jp, "req_per_s")),
        col("req/s vs sluice-legacy", t -> ratio(t, legacy, "req_per_s")),
        col("CPU/req vs jetty-proxy", t -> ratio(t, jp, "proxy_cpu_s_per_1k")),
        col("CPU/req vs sluice-legacy", t -> ratio(t, legacy, "proxy_cpu_s_per_1k"))));
  }

  private void paced(StringBuilder sb, ScenarioResult r) {
    sb.append("## paced: ").append(Bench.describe(r.scenario)).append("\n\n");
    double client = Double.NaN;
    for (TargetResult t : r.targets.values()) {
      for (Bench.RunResult rr : t.runs) {
        double u = rr.metrics.getOrDefault("client_cpu_util", Double.NaN);
        client = Double.isNaN(client) || u > client ? u : client;
      }
    }
    sb.append(String.format(Locale.ROOT, "- Client-bound check: the project's client used at most "
        + "%.0f%% of a core in any run: %s%n%n", 100 * client, client < 0.5
        ? "**not client-bound** (< 50%)" : "**CLIENT-BOUND** (>= 50% of its one thread): "
            + "per-event figures include the client's own delays"));
    TargetResult direct = ok(r, "direct");
    table(sb, r, List.of(
        col("TTFT p50 ms", t -> f2(t.m("ttft_p50_ms"))),
        col("gap jitter p50 ms", t -> f3(t.m("jitter_p50_ms"))),
        col("gap jitter p99 ms", t -> f3(t.m("jitter_p99_ms"))),
        col("per-event added p50 ms", t -> diff3(t, direct, "jitter_p50_ms")),
        col("per-event added p99 ms", t -> diff3(t, direct, "jitter_p99_ms")),
        col("lag p99 ms", t -> f2(t.m("lag_p99_ms"))),
        col("proxy CPU s / 1k streams", t -> f2(t.m("proxy_cpu_s_per_1k"))),
        col("RSS idle MB", t -> f0(t.m("rss_start_mb"))),
        col("RSS peak MB", t -> f0(t.m("rss_peak_mb"))),
        col("KiB per open stream", t -> f0(t.m("rss_per_stream_kb"))),
        col("failed", t -> t.failed() + "/" + t.requests())));
    sb.append("\nGap jitter: each delta's arrival minus the previous delta's arrival on the same "
        + "stream, minus the " + r.scenario.delayMs() + " ms pacing; per-event added = target's "
        + "percentile minus `direct`'s. Lag: arrival minus the stream's first delta minus k "
        + "intervals (includes the mock's own timer drift). KiB per open stream: (peak RSS - RSS "
        + "before the run) / streams open at once.\n");
  }

  private void longStream(StringBuilder sb, ScenarioResult r) {
    sb.append("## long: ").append(Bench.describe(r.scenario)).append("\n\n");
    table(sb, r, List.of(
        col("total s", t -> f2(t.m("total_p50_ms") / 1000)),
        col("deltas/s", t -> f0(t.m("deltas_per_s"))),
        col("TTFT ms", t -> f2(t.m("ttft_p50_ms"))),
        col("RSS start MB", t -> f1(t.m("rss_start_mb"))),
        col("RSS peak MB", t -> f1(t.m("rss_peak_mb"))),
        col("RSS end MB", t -> f1(t.m("rss_end_mb"))),
        col("growth MB", t -> f1(t.m("rss_growth_mb"))),
        col("proxy CPU s", t -> f2(t.m("proxy_cpu_s"))),
        col("failed", t -> t.failed() + "/" + t.requests())));
    sb.append("\nRSS sampled every ").append(config.sampleMs()).append(" ms during the stream; "
        + "the JSON file has the curves.\n");
  }

  private void notes(StringBuilder sb, ScenarioResult r) {
    List<String> notes = new ArrayList<>();
    for (TargetResult t : r.targets.values()) {
      if (!t.status.equals("ok")) {
        notes.add("`" + t.name + "` " + t.status + ": " + t.note);
      } else if (t.failed() > 0) {
        String first = t.runs.stream().map(x -> x.firstError).filter(e -> e != null).findFirst()
            .orElse("?");
        notes.add("`" + t.name + "`: " + t.failed() + " failed requests, e.g. " + first);
      }
    }
    for (TargetResult t : r.targets.values()) {
      for (Bench.RunResult rr : t.runs) {
        if (rr.disturbedBy != null) {
          notes.add(String.format(Locale.ROOT, "`%s` repeat %d: other processes on the machine "
              + "used %.2f cores during the run (busiest: %s)", t.name, rr.rep + 1,
              rr.metrics.getOrDefault("foreign_cpu_cores",
                  rr.metrics.getOrDefault("wrk_foreign_cpu_cores", Double.NaN)), rr.disturbedBy));
        }
      }
    }
    TargetResult direct = ok(r, "direct");
    if (direct != null && direct.m("client_cpu_util") > 0.8) {
      notes.add(String.format(Locale.ROOT, "the load client used %.0f%% of a core during "
          + "`direct` runs: close to its limit", 100 * direct.m("client_cpu_util")));
    }
    if (!notes.isEmpty()) {
      sb.append('\n');
      for (String n : notes) {
        sb.append("- ").append(n).append('\n');
      }
    }
  }

  private void goals(StringBuilder sb) {
    ScenarioResult burst = scenario("burst");
    ScenarioResult paced = scenario("paced");
    ScenarioResult hold = scenario("hold");
    List<String[]> rows = new ArrayList<>();
    if (burst != null && burst.wrk != null) {
      TargetResult nginx = ok(burst, "nginx");
      TargetResult jp = ok(burst, "jetty-proxy");
      TargetResult sj = ok(burst, "sluice-jetty");
      TargetResult st = ok(burst, "sluice-tomcat");
      TargetResult hk = ok(burst, "sluice-hooks");
      TargetResult lg = ok(burst, "sluice-legacy");
      TargetResult cj = ok(burst, "ceiling-jetty");
      String m = "wrk_req_per_s";
      ratioGoal(rows, "sluice-jetty req/s >= 0.7x nginx", sj, nginx, m, 0.7, true);
      ratioGoal(rows, "sluice-jetty req/s >= 1.5x jetty-proxy", sj, jp, m, 1.5, true);
      ratioGoal(rows, "sluice-tomcat req/s >= 0.7x nginx", st, nginx, m, 0.7, true);
      ratioGoal(rows, "stretch: sluice-jetty req/s >= 0.9x nginx", sj, nginx, m, 0.9, true);
      ratioGoal(rows, "stretch: sluice-jetty >= 80% of ceiling-jetty", sj, cj, m, 0.8, true);
      ratioGoal(rows, "sluice-hooks req/s >= 0.8x sluice-jetty", hk, sj, m, 0.8, true);
      ratioGoal(rows, "sluice-hooks CPU/req <= 1.25x sluice-jetty", hk, sj, "cpu_us_per_req",
          1.25, false);
      ratioGoal(rows, "sluice-legacy req/s <= 0.4x sluice-hooks", lg, hk, m, 0.4, false);
    }
    if (burst != null) {
      TargetResult d = ok(burst, "direct");
      TargetResult sj = ok(burst, "sluice-jetty");
      if (d != null && sj != null) {
        double p50 = sj.m("ttft_p50_ms") - d.m("ttft_p50_ms");
        rows.add(goal("TTFT at c=" + burst.scenario.concurrency() + ": sluice-jetty p50 over "
            + "direct <= 0.5 ms (project's client)", f2(p50) + " ms", p50 <= 0.5));
      }
    }
    if (paced != null) {
      TargetResult d = ok(paced, "direct");
      TargetResult sj = ok(paced, "sluice-jetty");
      if (d != null && sj != null) {
        double p99 = sj.m("jitter_p99_ms") - d.m("jitter_p99_ms");
        rows.add(goal("paced (" + paced.scenario.requests() + " streams): sluice-jetty "
            + "per-event added p99 <= 2 ms", f3(p99) + " ms", p99 <= 2));
      }
    }
    if (hold != null) {
      for (String t : List.of("sluice-jetty", "sluice-tomcat")) {
        TargetResult x = ok(hold, t);
        TargetResult c = ceilingOf(hold, t);
        if (x != null && c != null) {
          double own = x.m("heap_per_stream_kib") - c.m("heap_per_stream_kib");
          rows.add(goal(t + ": Sluice's own live heap per open stream <= 8 KiB",
              f1(own) + " KiB", own <= 8));
        }
      }
    }
    if (rows.isEmpty()) {
      return;
    }
    sb.append("\n## Issue #10 targets (measured here, not asserted)\n\n");
    sb.append("| target | measured | |\n|---|---:|---|\n");
    for (String[] row : rows) {
      sb.append("| ").append(row[0]).append(" | ").append(row[1]).append(" | ").append(row[2])
          .append(" |\n");
    }
  }

  private static void ratioGoal(List<String[]> rows, String what, TargetResult a,
      TargetResult b, String metric, double bound, boolean atLeast) {
    if (a == null || b == null) {
      return;
    }
    double x = a.m(metric) / b.m(metric);
    rows.add(goal(what, f2(x) + "x", atLeast ? x >= bound : x <= bound));
  }

  private static String[] goal(String what, String measured, boolean met) {
    return new String[] {what, measured, met ? "met" : "**missed**"};
  }

  private record Col(String title, Function<TargetResult, String> value) {}

  private static Col col(String title, Function<TargetResult, String> value) {
    return new Col(title, value);
  }

  private static void table(StringBuilder sb, ScenarioResult r, List<Col> cols) {
    sb.append("| target |");
    for (Col c : cols) {
      sb.append(' ').append(c.title()).append(" |");
    }
    sb.append("\n|---|");
    for (int i = 0; i < cols.size(); i++) {
      sb.append("---:|");
    }
    sb.append('\n');
    for (TargetResult t : r.targets.values()) {
      sb.append("| ").append(t.name).append(" |");
      for (Col c : cols) {
        sb.append(' ').append(t.status.equals("ok") ? c.value().apply(t) : t.status).append(" |");
      }
      sb.append('\n');
    }
  }

  /** The median of a metric over every run of every target of a scenario. */
  private static double overall(ScenarioResult r, String metric) {
    List<Double> all = new ArrayList<>();
    for (TargetResult t : r.targets.values()) {
      for (Bench.RunResult rr : t.runs) {
        all.add(rr.metrics.getOrDefault(metric, Double.NaN));
      }
    }
    return Stats.median(all);
  }

  private static TargetResult ok(ScenarioResult r, String name) {
    TargetResult t = r.targets.get(name);
    return t != null && t.status.equals("ok") && !t.runs.isEmpty() ? t : null;
  }

  private ScenarioResult scenario(String name) {
    return results.stream().filter(r -> r.scenario.name().equals(name)).findFirst().orElse(null);
  }

  private static String diff(TargetResult t, TargetResult base, String metric) {
    if (base == null) {
      return "-";
    }
    double d = t.m(metric) - base.m(metric);
    return (d >= 0 ? "+" : "") + f2(d);
  }

  private static String diff3(TargetResult t, TargetResult base, String metric) {
    if (base == null) {
      return "-";
    }
    double d = t.m(metric) - base.m(metric);
    return (d >= 0 ? "+" : "") + f3(d);
  }

  private static String ratio(TargetResult t, TargetResult base, String metric) {
    if (base == null || Double.isNaN(t.m(metric)) || Double.isNaN(base.m(metric))
        || base.m(metric) == 0) {
      return "-";
    }
    return f2(t.m(metric) / base.m(metric)) + "x";
  }

  static String f0(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
  }

  static String f1(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
  }

  static String f2(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
  }

  static String f3(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
  }

  // ---------------------------------------------------------------- JSON

  private Map<String, Object> jsonTree() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("environment", env);
    List<Object> scenarios = new ArrayList<>();
    for (ScenarioResult r : results) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("name", r.scenario.name());
      s.put("config", r.scenario);
      s.put("description", Bench.describe(r.scenario));
      s.put("seconds", r.seconds);
      List<Object> targets = new ArrayList<>();
      for (TargetResult t : r.targets.values()) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("target", t.name);
        o.put("description", t.description);
        o.put("status", t.status);
        if (t.note != null) {
          o.put("note", t.note);
        }
        o.put("requests", t.requests());
        o.put("failed", t.failed());
        o.put("median", clean(t.median));
        if (t.ttftPooledSorted.length > 0) {
          Map<String, Double> dist = new LinkedHashMap<>();
          for (double p : new double[] {0, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9, 100}) {
            dist.put("p" + (p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p)),
                p == 0 ? t.ttftPooledSorted[0] : Stats.percentile(t.ttftPooledSorted, p));
          }
          o.put("ttft_ms_all_runs", dist);
        }
        List<Object> runs = new ArrayList<>();
        for (Bench.RunResult rr : t.runs) {
          Map<String, Object> run = new LinkedHashMap<>();
          run.put("repeat", rr.rep + 1);
          run.put("ok", rr.ok);
          run.put("requests", rr.requests);
          if (rr.firstError != null) {
            run.put("first_error", rr.firstError);
          }
          run.put("metrics", clean(rr.metrics));
          if (r.scenario.name().equals("long") && !rr.rssPoints.isEmpty()) {
            List<long[]> pts = new ArrayList<>();
            for (RssSampler.Point p : rr.rssPoints) {
              pts.add(new long[] {p.ms(), p.kb()});
            }
            run.put("rss_ms_kb", pts);
          }
          runs.add(run);
        }
        o.put("runs", runs);
        targets.add(o);
      }
      s.put("targets", targets);
      scenarios.add(s);
    }
    root.put("scenarios", scenarios);
    return root;
  }

  private static Map<String, Object> clean(Map<String, Double> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, v == null || v.isNaN() || v.isInfinite() ? null : v));
    return out;
  }

  // ---------------------------------------------------------------- SVG

  private static final String[] COLORS = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
      "#edc948", "#b07aa1", "#ff9da7"};

  /**
   * Up to three panels: TTFT distribution per target (whiskers p1-p99, box p25-p75, bar at p50,
   * tick at p95), requests/s bars, and (when paced ran) per-event gap jitter p50/p99 bars.
   */
  String svg() {
    ScenarioResult dist = scenario("burst") != null ? scenario("burst")
        : results.isEmpty() ? null : results.get(0);
    ScenarioResult paced = scenario("paced");
    int width = 900;
    int rowH = 34;
    StringBuilder body = new StringBuilder();
    int y = 20;
    body.append(text(20, y + 10, "Sluice benchmark, " + env.get("date").substring(0, 10), 16,
        "bold", "start"));
    y += 30;
    if (dist != null) {
      List<TargetResult> ts = dist.targets.values().stream()
          .filter(t -> t.status.equals("ok") && t.ttftPooledSorted.length > 0).toList();
      if (!ts.isEmpty()) {
        body.append(text(20, y + 10, dist.scenario.name() + ": time to first content_block_delta"
            + " (ms), all measured requests; whiskers p1-p99, box p25-p75, line p50, tick p95",
            13, "normal", "start"));
        y += 24;
        double max = ts.stream().mapToDouble(t -> Stats.percentile(t.ttftPooledSorted, 99))
            .max().orElse(1);
        max = niceMax(max);
        int x0 = 150;
        int x1 = width - 40;
        for (int i = 0; i < ts.size(); i++) {
          TargetResult t = ts.get(i);
          double[] s = t.ttftPooledSorted;
          int cy = y + i * rowH + rowH / 2;
          String color = COLORS[i % COLORS.length];
          body.append(text(x0 - 10, cy + 4, t.name, 12, "normal", "end"));
          double p1 = Stats.percentile(s, 1);
          double p25 = Stats.percentile(s, 25);
          double p50 = Stats.percentile(s, 50);
          double p75 = Stats.percentile(s, 75);
          double p95 = Stats.percentile(s, 95);
          double p99 = Stats.percentile(s, 99);
          body.append(line(sx(p1, max, x0, x1), cy, sx(p99, max, x0, x1), cy, color, 1.5));
          body.append(line(sx(p1, max, x0, x1), cy - 6, sx(p1, max, x0, x1), cy + 6, color, 1.5));
          body.append(line(sx(p99, max, x0, x1), cy - 6, sx(p99, max, x0, x1), cy + 6, color,
              1.5));
          double bx = sx(p25, max, x0, x1);
          body.append(String.format(Locale.ROOT,
              "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
                  + "fill-opacity=\"0.35\" stroke=\"%s\"/>%n",
              bx, cy - 10, Math.max(1, sx(p75, max, x0, x1) - bx), 20, color, color));
          body.append(line(sx(p50, max, x0, x1), cy - 10, sx(p50, max, x0, x1), cy + 10, "#000",
              2));
          body.append(line(sx(p95, max, x0, x1), cy - 5, sx(p95, max, x0, x1), cy + 5, "#000",
              1));
          body.append(text(x1 + 4, cy + 4, "", 10, "normal", "start"));
          body.append(text(sx(p99, max, x0, x1) + 6, cy + 4, "p50 " + f2(p50) + " / p99 "
              + f2(p99), 10, "normal", "start"));
        }
        int axisY = y + ts.size() * rowH + 4;
        axis(body, x0, x1, axisY, max, "ms");
        y = axisY + 40;

        body.append(text(20, y + 10, dist.scenario.name() + ": requests per second (median of "
            + "repeats)", 13, "normal", "start"));
        y += 24;
        double maxRps = niceMax(ts.stream().mapToDouble(t -> t.m("req_per_s")).max().orElse(1));
        for (int i = 0; i < ts.size(); i++) {
          TargetResult t = ts.get(i);
          int cy = y + i * rowH + rowH / 2;
          body.append(text(x0 - 10, cy + 4, t.name, 12, "normal", "end"));
          double w = sx(t.m("req_per_s"), maxRps, x0, x1) - x0;
          body.append(String.format(Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n", x0, cy - 10,
              Math.max(0, w), 20, COLORS[i % COLORS.length]));
          body.append(text(x0 + w + 6, cy + 4, f0(t.m("req_per_s")) + " req/s", 11, "normal",
              "start"));
        }
        axisY = y + ts.size() * rowH + 4;
        axis(body, x0, x1, axisY, maxRps, "req/s");
        y = axisY + 40;
      }
    }
    if (paced != null) {
      List<TargetResult> ts = paced.targets.values().stream()
          .filter(t -> t.status.equals("ok") && !t.runs.isEmpty()).toList();
      if (!ts.isEmpty()) {
        body.append(text(20, y + 10, "paced: per-event gap jitter (ms beyond the "
            + paced.scenario.delayMs() + " ms pacing); light p50, dark p99", 13, "normal",
            "start"));
        y += 24;
        int x0 = 150;
        int x1 = width - 40;
        double max = niceMax(ts.stream().mapToDouble(t -> Math.max(0, t.m("jitter_p99_ms")))
            .max().orElse(1));
        for (int i = 0; i < ts.size(); i++) {
          TargetResult t = ts.get(i);
          int cy = y + i * rowH + rowH / 2;
          String color = COLORS[i % COLORS.length];
          body.append(text(x0 - 10, cy + 4, t.name, 12, "normal", "end"));
          double w99 = sx(Math.max(0, t.m("jitter_p99_ms")), max, x0, x1) - x0;
          double w50 = sx(Math.max(0, t.m("jitter_p50_ms")), max, x0, x1) - x0;
          body.append(String.format(Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n", x0, cy - 10,
              Math.max(0, w99), 20, color));
          body.append(String.format(Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#fff\" "
                  + "fill-opacity=\"0.6\"/>%n", x0, cy - 10, Math.max(0, w50), 20));
          body.append(text(x0 + w99 + 6, cy + 4, "p50 " + f3(t.m("jitter_p50_ms")) + " / p99 "
              + f3(t.m("jitter_p99_ms")), 11, "normal", "start"));
        }
        int axisY = y + ts.size() * rowH + 4;
        axis(body, x0, x1, axisY, max, "ms");
        y = axisY + 40;
      }
    }
    int height = y + 10;
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height
        + "\" viewBox=\"0 0 " + width + " " + height + "\" font-family=\"sans-serif\">\n"
        + "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n" + body + "</svg>\n";
  }

  private static void axis(StringBuilder body, int x0, int x1, int y, double max, String unit) {
    body.append(line(x0, y, sx(max, max, x0, x1), y, "#444", 1));
    for (int k = 0; k <= 5; k++) {
      double v = max * k / 5;
      double x = sx(v, max, x0, x1);
      body.append(line(x, y, x, y + 4, "#444", 1));
      String label = max >= 50 ? f0(v) : max >= 5 ? f1(v) : f2(v);
      body.append(text(x, y + 16, label + (k == 5 ? " " + unit : ""), 10, "normal", "middle"));
    }
  }

  private static double sx(double v, double max, int x0, int x1) {
    if (Double.isNaN(v)) {
      return x0;
    }
    return x0 + Math.min(1, Math.max(0, v / max)) * (x1 - x0 - 160);
  }

  private static double niceMax(double v) {
    if (!(v > 0)) {
      return 1;
    }
    double mag = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * mag >= v) {
        return m * mag;
      }
    }
    return 10 * mag;
  }

  private static String line(double x1, double y1, double x2, double y2, String color,
      double w) {
    return String.format(Locale.ROOT,
        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
            + "stroke-width=\"%.1f\"/>%n", x1, y1, x2, y2, color, w);
  }

  private static String text(double x, double y, String s, int size, String weight,
      String anchor) {
    if (s.isEmpty()) {
      return "";
    }
    return String.format(Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" font-weight=\"%s\" text-anchor=\"%s\">%s"
            + "</text>%n", x, y, size, weight, anchor, escape(s));
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
