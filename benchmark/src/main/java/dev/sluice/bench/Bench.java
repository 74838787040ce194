package dev.sluice.bench;

import dev.sluice.bench.Config.Scenario;
import java.io.IOException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs the scenarios: for each one a fresh mock JVM and a fresh JVM (or nginx) per target, then
 * {@code repeats} rounds in which every target gets a warm-up and one measured run, the order
 * rotating from round to round so that no target always runs first or right after another.
 */
final class Bench {
  static final String BODY = "{\"model\":\"claude-sonnet-4-5-20250929\",\"max_tokens\":1024,"
      + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}";

  /** One measured run of one target: its metrics, plus raw data the report draws from. */
  static final class RunResult {
    final String target;
    final int rep;
    final Map<String, Double> metrics = new LinkedHashMap<>();
    int requests;
    int ok;
    String firstError;
    String disturbedBy;
    double[] ttftSorted = new double[0];
    List<RssSampler.Point> rssPoints = List.of();

    RunResult(String target, int rep) {
      this.target = target;
      this.rep = rep;
    }
  }

  /** Everything measured for one target in one scenario. */
  static final class TargetResult {
    final String name;
    final String description;
    String status = "ok"; // ok | skipped | failed
    String note;
    final List<RunResult> runs = new ArrayList<>();
    final Map<String, Double> median = new LinkedHashMap<>();
    double[] ttftPooledSorted = new double[0];

    TargetResult(String name, String description) {
      this.name = name;
      this.description = description;
    }

    int requests() {
      return runs.stream().mapToInt(r -> r.requests).sum();
    }

    int failed() {
      return runs.stream().mapToInt(r -> r.requests - r.ok).sum();
    }

    double m(String metric) {
      return median.getOrDefault(metric, Double.NaN);
    }
  }

  static final class ScenarioResult {
    final Scenario scenario;
    final Map<String, TargetResult> targets = new LinkedHashMap<>();
    double seconds;
    String wrk; // the burst's load generator, null: the project's client
    String upstream; // what served the upstream bytes

    ScenarioResult(Scenario scenario) {
      this.scenario = scenario;
    }
  }

  private final Config config;
  private final PrintStream out;
  private final boolean console = System.console() != null;
  /** wrk's path, or null: burst is then driven by the project's own client (client-bound). */
  private final String wrk;
  private Upstream upstream;
  private int eventsPerResponse = 1;
  private Path tmp;

  Bench(Config config, PrintStream out) {
    this.config = config;
    this.out = out;
    this.wrk = config.noWrk() ? null : Wrk.binary();
  }

  /** wrk's path, or null when burst runs on the project's client. */
  String wrk() {
    return wrk;
  }

  /** Where the upstream's bytes came from, for the report. */
  String upstreamKind() {
    return upstream == null ? "?" : upstream.kind;
  }

  int burstDeltas() {
    return config.scenarios().stream().filter(x -> x.name().equals("burst")).findFirst()
        .map(Scenario::deltas).orElse(config.quick() ? 16 : 64);
  }

  /**
   * Starts the mock and every target once, warms each up for {@code --warmup-seconds}, then runs
   * the scenarios one after the other on the same processes.
   */
  List<ScenarioResult> runAll() throws IOException {
    List<ScenarioResult> results = new ArrayList<>();
    Path logs = Files.createDirectories(config.out().resolve("bench-logs"));
    tmp = Files.createDirectories(config.out().resolve("bench-tmp"));
    Map<String, Targets.Running> running = new LinkedHashMap<>();
    Map<String, RssSampler> samplers = new LinkedHashMap<>();
    Map<String, String[]> status = new LinkedHashMap<>(); // name -> {description, status, note}
    try (Targets.ProcessRunning mock = Targets.startMock(config, logs)) {
      out.println("mock upstream " + mock.uri() + " (pid " + mock.pids().get(0) + ")");
      // JIT-compile the mock before anything is measured, so that no target pays for it.
      warmFor("mock warm-up (direct)", mock.address(), Targets.MESSAGES,
          (config.warmupSeconds() + 1) / 2);
      upstream = Upstream.start(mock, burstDeltas(), tmp, logs);
      byte[] canned = Files.readAllBytes(upstream.body);
      eventsPerResponse = Math.max(1, count(canned, "event:".getBytes(
          java.nio.charset.StandardCharsets.US_ASCII)));
      out.println("upstream: " + upstream.kind + " at " + upstream.http
          + (upstream.https == null ? "" : " and " + upstream.https) + "; burst response "
          + canned.length + " bytes, " + eventsPerResponse + " events");
      out.println("burst load: " + (wrk != null ? Wrk.describe(wrk)
          : "the project's client (no wrk installed: apt-get install wrk); expect client-bound"));
      try {
        for (String name : config.targets()) {
          Targets.Plan plan = Targets.plan(name, config, upstream, tmp);
          if (plan.skipped()) {
            status.put(name, new String[] {plan.description(), "skipped", plan.skipReason()});
            out.println(name + ": skipped: " + plan.skipReason());
            continue;
          }
          plan = withJfr(plan);
          try {
            Targets.Running r = Targets.start(plan,
                plan.tls() ? upstream.httpsAddress : upstream.httpAddress, logs);
            running.put(name, r);
            samplers.put(name, new RssSampler(r::pids, config.sampleMs()));
            status.put(name, new String[] {plan.description(), "ok", null});
            out.println(name + ": " + plan.description() + ", port " + r.address().getPort()
                + (r.pids().isEmpty() ? "" : ", pids " + r.pids()));
            if (!r.pids().isEmpty()) {
              // Until the JIT has compiled the hot paths a JVM is several times slower, and on a
              // machine whose cores are all busy the compiler threads need a while to get there.
              // nginx only needs its connections and caches warm.
              boolean jvm = plan.command().get(0).equals(config.java());
              warmFor(name + " warm-up", r.address(), r.path(),
                  jvm ? config.warmupSeconds() : Math.min(5, config.warmupSeconds()));
            }
          } catch (IOException | RuntimeException e) {
            status.put(name, new String[] {plan.description(), "failed",
                "did not start: " + e.getMessage()});
            out.println(name + ": FAILED to start: " + e.getMessage());
          }
        }
        for (Scenario s : config.scenarios()) {
          results.add(run(s, running, samplers, status, mock));
        }
      } finally {
        for (RssSampler sampler : samplers.values()) {
          sampler.close();
        }
        for (Targets.Running r : running.values()) {
          r.close();
        }
        upstream.close();
      }
    }
    return results;
  }

  private ScenarioResult run(Scenario s, Map<String, Targets.Running> running,
      Map<String, RssSampler> samplers, Map<String, String[]> status,
      Targets.ProcessRunning mock) throws IOException {
    long began = System.nanoTime();
    ScenarioResult result = new ScenarioResult(s);
    result.wrk = s.name().equals("burst") ? wrk : null;
    result.upstream = upstream.kind;
    out.printf(Locale.ROOT, "== %s: %s%n", s.name(), describe(s));
    for (Map.Entry<String, String[]> e : status.entrySet()) {
      TargetResult tr = new TargetResult(e.getKey(), e.getValue()[0]);
      tr.status = e.getValue()[1];
      tr.note = e.getValue()[2];
      result.targets.put(e.getKey(), tr);
    }
    for (int rep = 0; rep < s.repeats(); rep++) {
      List<String> order = new ArrayList<>(running.keySet());
      if (!order.isEmpty()) {
        java.util.Collections.rotate(order, -(rep % order.size()));
      }
      for (String name : order) {
        TargetResult tr = result.targets.get(name);
        String why = notMeasured(s, name);
        if (why != null) {
          tr.status = "skipped";
          tr.note = why;
          continue;
        }
        tr.runs.add(s.name().equals("hold")
            ? hold(s, name, rep, running.get(name), samplers.get(name))
            : measure(s, name, rep, running.get(name), samplers.get(name), mock));
      }
    }
    for (TargetResult tr : result.targets.values()) {
      aggregate(tr);
    }
    result.seconds = (System.nanoTime() - began) / 1e9;
    return result;
  }

  /** Why a target has no figures in a scenario, or null when it has. */
  private String notMeasured(Scenario s, String name) {
    if (name.equals("direct-tls") && (wrk == null || !s.name().equals("burst"))) {
      return "only wrk speaks TLS to the upstream (burst)";
    }
    if (name.startsWith("ceiling-") && !s.name().equals("burst") && !s.name().equals("hold")) {
      return "the ceiling answers the burst shape only";
    }
    if (s.name().equals("hold") && name.startsWith("direct")) {
      return "nothing to hold";
    }
    return null;
  }

  private static int count(byte[] hay, byte[] needle) {
    int n = 0;
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      n++;
    }
    return n;
  }

  /** Foreign processes using more than this many cores disturb a measurement. */
  static final double FOREIGN_LIMIT = 0.1;

  /**
   * Waits (up to {@code --quiet-wait-s}) until processes other than the benchmark's use less than
   * {@link #FOREIGN_LIMIT} cores over a one-second window, so that, say, a build running on the
   * same machine does not end up in the numbers.
   */
  private void awaitQuiet(String label) {
    if (config.quietWaitSeconds() == 0) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.quietWaitSeconds());
    boolean said = false;
    while (true) {
      Set<Long> ours = Procs.ours();
      Map<Long, long[]> before = Procs.snapshotAll();
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      Map.Entry<Double, String> f = Procs.foreign(before, Procs.snapshotAll(), ours);
      if (f.getKey() < FOREIGN_LIMIT || System.nanoTime() > deadline) {
        if (said) {
          out.printf(Locale.ROOT, "   %s: %s%n", label, f.getKey() < FOREIGN_LIMIT
              ? "machine quiet again" : "still busy; measuring anyway");
        }
        return;
      }
      if (!said) {
        clearLine();
        out.printf(Locale.ROOT, "   %s: waiting: other processes use %.2f cores (busiest: %s)%n",
            label, f.getKey(), f.getValue());
        said = true;
      }
    }
  }

  /** Burst-shaped load (the burst's deltas, 20 at a time) for a while, not measured. */
  private void warmFor(String label, InetSocketAddress address, String path, int seconds)
      throws IOException {
    int deltas = burstDeltas();
    if (wrk != null && upstream != null && seconds > 0) {
      Wrk.Result w = Wrk.run(wrk, URI.create("http://127.0.0.1:" + address.getPort() + path),
          Upstream.burstHeaders(deltas), 2, 20, seconds, tmp);
      out.printf(Locale.ROOT, "   %s: %d s of wrk, %d requests, %.0f req/s%s%n", label, seconds,
          w.requests(), w.reqPerSec(), w.non2xx() + w.socketErrors() == 0 ? ""
              : ", " + w.non2xx() + " not 2xx, " + w.socketErrors() + " socket errors");
      return;
    }
    byte[] request = LoadClient.request(address, path, BODY, Upstream.burstHeaders(deltas));
    LoadClient.Progress progress = new LoadClient.Progress();
    long stop = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<LoadClient.Sample> w = withProgress(label, progress, () -> LoadClient.run(
        new LoadClient.Spec(address, request, deltas, Integer.MAX_VALUE, 20, false, 300_000,
            stop, 0), progress));
    clearLine();
    long bad = w.stream().filter(x -> !x.ok()).count();
    long last = System.nanoTime() - TimeUnit.SECONDS.toNanos(3);
    long recent = w.stream().filter(x -> x.ok() && x.endNanos() - last >= 0).count();
    out.printf(Locale.ROOT, "   %s: %d s, %d requests, %.0f req/s over the last 3 s%s%n", label,
        seconds, w.size(), recent / 3.0, bad == 0 ? "" : ", " + bad + " FAILED, e.g. "
            + w.stream().filter(x -> !x.ok()).findFirst().get().error());
  }

  private Targets.Plan withJfr(Targets.Plan plan) throws IOException {
    if (!config.jfr() || plan.command().isEmpty() || !plan.command().get(0).equals(config.java())) {
      return plan;
    }
    Path dir = Files.createDirectories(config.out().resolve("jfr"));
    List<String> cmd = new ArrayList<>(plan.command());
    cmd.add(1, "-XX:StartFlightRecording=filename=" + dir.resolve(plan.name() + ".jfr")
        + ",settings=profile,dumponexit=true");
    return new Targets.Plan(plan.name(), cmd, plan.env(), plan.workDir(), null,
        plan.description());
  }

  static String describe(Scenario s) {
    return switch (s.name()) {
      case "burst" -> String.format(Locale.ROOT,
          "%d text deltas, no delays, %d requests, concurrency %d, warm-up %d, %d repeats",
          s.deltas(), s.requests(), s.concurrency(), s.warmup(), s.repeats());
      case "paced" -> String.format(Locale.ROOT,
          "%d streams (%d open at once, opened over %d ms) x %d deltas %d ms apart, warm-up %d, "
              + "%d repeats", s.requests(), s.concurrency(), s.rampMs(), s.deltas(), s.delayMs(),
          s.warmup(), s.repeats());
      default -> String.format(Locale.ROOT,
          "%d stream(s) of %d deltas, no delays, warm-up %d stream(s) of %d, %d repeats",
          s.requests(), s.deltas(), s.warmup(), s.warmupDeltas(), s.repeats());
    };
  }

  private RunResult measure(Scenario s, String name, int rep, Targets.Running target,
      RssSampler sampler, Targets.ProcessRunning mock) throws IOException {
    InetSocketAddress address = target.address();
    LoadClient.Progress progress = new LoadClient.Progress();
    String label = String.format(Locale.ROOT, "[%s %d/%d] %s", s.name(), rep + 1, s.repeats(),
        name);
    RunResult rr = new RunResult(name, rep);

    boolean tlsClient = name.equals("direct-tls");
    if (s.name().equals("burst") && wrk != null) {
      wrkRun(s, rr, target, label, mock);
    }
    if (tlsClient) { // the project's client speaks plain HTTP only
      rr.requests = (int) rr.metrics.getOrDefault("requests", 0.0).doubleValue();
      rr.ok = rr.requests - (int) rr.metrics.getOrDefault("failed", 0.0).doubleValue();
      return rr;
    }
    if (s.warmup() > 0) {
      byte[] warm = LoadClient.request(address, target.path(), BODY,
          Upstream.burstHeaders(s.warmupDeltas()));
      int conc = Math.min(s.name().equals("burst") ? s.concurrency() : 20, s.warmup());
      List<LoadClient.Sample> w = withProgress(label + " warm-up", progress, () -> LoadClient.run(
          new LoadClient.Spec(address, warm, s.warmupDeltas(), s.warmup(), conc, false, 300_000),
          progress));
      long bad = w.stream().filter(x -> !x.ok()).count();
      if (bad > 0) {
        rr.metrics.put("warmup_failed", (double) bad);
        out.println("   " + label + ": " + bad + " warm-up requests failed, e.g. "
            + w.stream().filter(x -> !x.ok()).findFirst().get().error());
      }
    }

    List<String> headers = new ArrayList<>(s.name().equals("burst")
        ? Upstream.burstHeaders(s.deltas())
        : List.of("x-mock-scenario: paced", "x-mock-deltas: " + s.deltas()));
    if (s.delayMs() > 0) {
      headers.add("x-mock-delay-ms: " + s.delayMs());
    }
    byte[] request = LoadClient.request(address, target.path(), BODY, headers);
    long timeout = 300_000L + (long) s.deltas() * s.delayMs() * 2;
    LoadClient.Spec spec = new LoadClient.Spec(address, request, s.deltas(), s.requests(),
        s.concurrency(), s.name().equals("paced"), timeout, 0, s.rampMs());

    List<Long> pids = target.pids();
    awaitQuiet(label);
    Set<Long> ours = Procs.ours();
    Map<Long, long[]> all0 = Procs.snapshotAll();
    if (sampler != null) {
      sampler.begin();
    }
    double proxyCpu0 = Procs.cpuSeconds(pids);
    double mockCpu0 = Procs.cpuSeconds(mock.pids());
    double selfCpu0 = Procs.selfCpuSeconds();
    double busy0 = Procs.machineBusySeconds();
    Map<Long, Long> ctx0 = Procs.contextSwitches(pids);
    List<LoadClient.Sample> samples = withProgress(label, progress,
        () -> LoadClient.run(spec, progress));
    double proxyCpu = Procs.cpuSeconds(pids) - proxyCpu0;
    double mockCpu = Procs.cpuSeconds(mock.pids()) - mockCpu0;
    double selfCpu = Procs.selfCpuSeconds() - selfCpu0;
    double busy = Procs.machineBusySeconds() - busy0;
    Map.Entry<Double, String> foreign = Procs.foreign(all0, Procs.snapshotAll(), ours);
    long ctx = Procs.switchesBetween(ctx0, Procs.contextSwitches(pids));
    RssSampler.Window rss = sampler != null ? sampler.end() : null;

    rr.requests = s.requests();
    List<LoadClient.Sample> good = samples.stream().filter(LoadClient.Sample::ok).toList();
    rr.ok = good.size();
    rr.firstError = samples.stream().filter(x -> !x.ok()).map(LoadClient.Sample::error)
        .findFirst().orElse(null);
    double[] ttft = Stats.sorted(good.stream().mapToDouble(LoadClient.Sample::ttftMs).toArray());
    double[] total = Stats.sorted(good.stream().mapToDouble(LoadClient.Sample::totalMs).toArray());
    rr.ttftSorted = ttft;
    long firstSend = samples.stream().mapToLong(LoadClient.Sample::sendNanos).min().orElse(0);
    long lastEnd = samples.stream().mapToLong(LoadClient.Sample::endNanos).max().orElse(0);
    double wall = Math.max(1e-9, (lastEnd - firstSend) / 1e9);
    long deltas = good.stream().mapToLong(LoadClient.Sample::deltas).sum();

    Map<String, Double> m = rr.metrics;
    int loadRequests = rr.requests;
    int loadOk = rr.ok;
    m.put("requests", m.getOrDefault("requests", 0.0) + loadRequests);
    m.put("failed", m.getOrDefault("failed", 0.0) + (loadRequests - loadOk));
    m.put("ttft_p50_ms", Stats.percentile(ttft, 50));
    m.put("ttft_p95_ms", Stats.percentile(ttft, 95));
    m.put("ttft_p99_ms", Stats.percentile(ttft, 99));
    m.put("total_p50_ms", Stats.percentile(total, 50));
    m.put("total_p95_ms", Stats.percentile(total, 95));
    m.put("wall_s", wall);
    m.put("req_per_s", loadOk / wall);
    m.put("deltas_per_s", deltas / wall);
    boolean proxied = !pids.isEmpty();
    m.put("proxy_cpu_s", proxied ? proxyCpu : Double.NaN);
    m.put("proxy_cpu_s_per_1k", proxied ? proxyCpu / loadRequests * 1000 : Double.NaN);
    m.put("mock_cpu_s_per_1k", mockCpu / loadRequests * 1000);
    m.put("client_cpu_s_per_1k", selfCpu / loadRequests * 1000);
    m.put("client_cpu_util", selfCpu / wall);
    m.put("proxy_ctx_switches_per_req", proxied ? ctx / (double) loadRequests : Double.NaN);
    // Machine CPU not charged to proxy, mock or client: kernel softirq work of the loopback
    // network, plus anything else running on the machine (which would disturb the results).
    m.put("other_cpu_s", busy - (proxied ? proxyCpu : 0) - mockCpu - selfCpu);
    m.put("machine_cpu_util", busy / wall / Runtime.getRuntime().availableProcessors());
    // Other processes on the machine during the run: they take CPU from the measurement.
    m.put("foreign_cpu_cores", foreign.getKey() / wall);
    if (foreign.getKey() / wall > FOREIGN_LIMIT) {
      rr.disturbedBy = foreign.getValue();
    }
    if (rss != null && proxied) {
      m.put("rss_start_mb", rss.startKb() / 1024.0);
      m.put("rss_peak_mb", rss.peakKb() / 1024.0);
      m.put("rss_end_mb", rss.endKb() / 1024.0);
      m.put("rss_hwm_mb", Procs.hwmKb(pids) / 1024.0);
      rr.rssPoints = downsample(rss.points(), 300);
    }
    if (s.name().equals("paced")) {
      paced(s, good, m, rss, proxied);
    }
    if (s.name().equals("long") && rss != null && proxied) {
      m.put("rss_growth_mb", (rss.endKb() - rss.startKb()) / 1024.0);
    }
    rr.requests = (int) (double) m.get("requests");
    rr.ok = rr.requests - (int) (double) m.get("failed");
    report(label, rr);
    return rr;
  }

  /**
   * One wrk run of the burst shape: req/s, latency percentiles of whole responses, the target's
   * CPU per request and per event (/proc), and, from the example's diagnostics, the bytes its
   * threads allocated per request.
   */
  private void wrkRun(Scenario s, RunResult rr, Targets.Running target, String label,
      Targets.ProcessRunning mock) throws IOException {
    URI url = URI.create((target.pids().isEmpty() && target.address().equals(
        upstream.httpsAddress) ? "https" : "http") + "://127.0.0.1:" + target.address().getPort()
        + target.path());
    List<Long> pids = target.pids();
    // warm-up at the run's load, then the measured run
    Wrk.run(wrk, url, Upstream.burstHeaders(s.deltas()), 2, s.concurrency(),
        Math.max(1, config.wrkSeconds() / 5), tmp);
    awaitQuiet(label);
    Set<Long> ours = Procs.ours();
    Map<Long, long[]> all0 = Procs.snapshotAll();
    long alloc0 = allocated(target);
    double cpu0 = Procs.cpuSeconds(pids);
    double up0 = Procs.cpuSeconds(upstream.pids().isEmpty() ? mock.pids() : upstream.pids());
    double busy0 = Procs.machineBusySeconds();
    Wrk.Result w = Wrk.run(wrk, url, Upstream.burstHeaders(s.deltas()), 2, s.concurrency(),
        config.wrkSeconds(), tmp);
    double cpu = Procs.cpuSeconds(pids) - cpu0;
    double up = Procs.cpuSeconds(upstream.pids().isEmpty() ? mock.pids() : upstream.pids()) - up0;
    double busy = Procs.machineBusySeconds() - busy0;
    long alloc1 = allocated(target);
    Map.Entry<Double, String> foreign = Procs.foreign(all0, Procs.snapshotAll(), ours);
    long bodyBytes = Files.size(upstream.body);
    Map<String, Double> m = rr.metrics;
    long failed = w.failed(bodyBytes);
    m.put("requests", (double) w.requests());
    m.put("failed", (double) failed);
    m.put("wrk_req_per_s", w.reqPerSec());
    m.put("wrk_p50_ms", w.p50Ms());
    m.put("wrk_p90_ms", w.p90Ms());
    m.put("wrk_p99_ms", w.p99Ms());
    boolean proxied = !pids.isEmpty();
    double n = Math.max(1, w.requests());
    m.put("cpu_us_per_req", proxied ? cpu / n * 1e6 : Double.NaN);
    m.put("cpu_us_per_event", proxied ? cpu / n / eventsPerResponse * 1e6 : Double.NaN);
    m.put("upstream_cpu_us_per_req", up / n * 1e6);
    m.put("wrk_machine_cpu_util", busy / w.seconds() / Runtime.getRuntime()
        .availableProcessors());
    m.put("alloc_bytes_per_req", alloc0 >= 0 && alloc1 >= 0 ? (alloc1 - alloc0) / n
        : Double.NaN);
    m.put("wrk_foreign_cpu_cores", foreign.getKey() / w.seconds());
    if (foreign.getKey() / w.seconds() > FOREIGN_LIMIT) {
      rr.disturbedBy = foreign.getValue();
    }
    if (failed > 0 && rr.firstError == null) {
      rr.firstError = "wrk: " + w.non2xx() + " not 2xx, " + w.socketErrors()
          + " socket errors, " + (long) (w.bytesRead() / n) + " bytes per response (body "
          + bodyBytes + ")";
    }
    clearLine();
    out.printf(Locale.ROOT, "   %s: wrk %.0f req/s, p50 %.2f ms p99 %.2f ms, %s CPU/req, "
        + "%s B allocated/req%s%n", label, w.reqPerSec(), w.p50Ms(), w.p99Ms(),
        proxied ? String.format(Locale.ROOT, "%.0f us", cpu / n * 1e6) : "-",
        Double.isNaN(m.get("alloc_bytes_per_req")) ? "-"
            : String.format(Locale.ROOT, "%.0f", m.get("alloc_bytes_per_req")),
        failed == 0 ? "" : ", " + failed + " FAILED (" + rr.firstError + ")");
  }

  /** The target's JVM-wide allocated bytes, or -1 without diagnostics. */
  private static long allocated(Targets.Running target) {
    JsonNode d = diag(target, false);
    return d == null || !d.has("allocatedBytes") ? -1 : d.get("allocatedBytes").asLong();
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode diag(Targets.Running target, boolean gc) {
    if (target.diagnostics() == null) {
      return null;
    }
    try {
      HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(
          target.diagnostics() + (gc ? "?gc=true" : ""))).timeout(Duration.ofSeconds(30))
          .build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * Memory per open stream: {@code s.requests()} streams held open at once (paced from the mock,
   * or the ceiling servlet's hold), then the live heap after a full GC ({@code System.gc()} via
   * the diagnostics; G1 by default) and RSS, compared with just before.
   */
  private RunResult hold(Scenario s, String name, int rep, Targets.Running target,
      RssSampler sampler) throws IOException {
    String label = String.format(Locale.ROOT, "[%s %d/%d] %s", s.name(), rep + 1, s.repeats(),
        name);
    RunResult rr = new RunResult(name, rep);
    long holdMs = (long) s.deltas() * s.delayMs();
    List<String> headers = new ArrayList<>(List.of("x-mock-scenario: paced",
        "x-mock-deltas: " + s.deltas(), "x-mock-delay-ms: " + s.delayMs(),
        "x-ceiling-hold-ms: " + holdMs));
    byte[] request = LoadClient.request(target.address(), target.path(), BODY, headers);
    int expected = name.startsWith("ceiling-") ? burstDeltas() : s.deltas();
    LoadClient.Spec spec = new LoadClient.Spec(target.address(), request, expected,
        s.requests(), s.concurrency(), true, holdMs + 120_000, 0, s.rampMs());
    long rss0 = Procs.rssKb(target.pids());
    JsonNode before = diag(target, true);
    LoadClient.Progress progress = new LoadClient.Progress();
    java.util.concurrent.CompletableFuture<List<LoadClient.Sample>> run =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try {
            return LoadClient.run(spec, progress);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }, r -> new Thread(r, "hold-client").start());
    // every stream open (the ramp), plus a margin, and well before the first ends
    Targets.sleep(s.rampMs() + Math.min(2000, holdMs / 3));
    long rss1 = Procs.rssKb(target.pids()); // before the GC: G1 gives memory back in a full GC
    JsonNode at = diag(target, true);
    List<LoadClient.Sample> samples;
    try {
      samples = run.get(holdMs + 180_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IOException("hold run failed", e);
    }
    rr.requests = s.requests();
    rr.ok = (int) samples.stream().filter(LoadClient.Sample::ok).count();
    rr.firstError = samples.stream().filter(x -> !x.ok()).map(LoadClient.Sample::error)
        .findFirst().orElse(null);
    Map<String, Double> m = rr.metrics;
    m.put("requests", (double) rr.requests);
    m.put("failed", (double) (rr.requests - rr.ok));
    m.put("streams", (double) s.requests());
    if (!target.pids().isEmpty()) {
      m.put("rss_per_stream_kib", (rss1 - rss0) / (double) s.requests());
    }
    if (before != null && at != null) {
      m.put("heap_per_stream_kib", (at.get("heapUsedBytes").asLong()
          - before.get("heapUsedBytes").asLong()) / 1024.0 / s.requests());
      m.put("open_exchanges_at_peak", at.get("openExchanges").asDouble());
    }
    clearLine();
    out.printf(Locale.ROOT, "   %s: %d/%d ok, heap %s KiB and RSS %s KiB per open stream%s%n",
        label, rr.ok, rr.requests, f1(m.get("heap_per_stream_kib")),
        f1(m.get("rss_per_stream_kib")), rr.firstError == null ? ""
            : "; first failure: " + rr.firstError);
    return rr;
  }

  private static String f1(Double v) {
    return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%.1f", v);
  }

  /**
   * Per-event timing of paced streams. For every delta after a stream's first: its gap jitter
   * (arrival minus the previous delta's arrival, minus the mock's pacing interval) and its lag
   * (arrival minus the stream's first delta, minus k intervals). See the README for why these and
   * how they compare with {@code direct}.
   */
  private static void paced(Scenario s, List<LoadClient.Sample> good, Map<String, Double> m,
      RssSampler.Window rss, boolean proxied) {
    int n = 0;
    for (LoadClient.Sample x : good) {
      n += Math.max(0, x.arrivals().length - 1);
    }
    double[] jitter = new double[n];
    double[] lag = new double[n];
    double interval = s.delayMs();
    int i = 0;
    for (LoadClient.Sample x : good) {
      long[] a = x.arrivals();
      for (int k = 1; k < a.length; k++) {
        jitter[i] = (a[k] - a[k - 1]) / 1e6 - interval;
        lag[i] = (a[k] - a[0]) / 1e6 - k * interval;
        i++;
      }
    }
    jitter = Stats.sorted(jitter);
    lag = Stats.sorted(lag);
    m.put("jitter_p50_ms", Stats.percentile(jitter, 50));
    m.put("jitter_p99_ms", Stats.percentile(jitter, 99));
    m.put("jitter_p999_ms", Stats.percentile(jitter, 99.9));
    m.put("lag_p50_ms", Stats.percentile(lag, 50));
    m.put("lag_p99_ms", Stats.percentile(lag, 99));
    if (rss != null && proxied) {
      m.put("rss_per_stream_kb", (rss.peakKb() - rss.startKb()) / (double) s.concurrency());
    }
  }

  private static List<RssSampler.Point> downsample(List<RssSampler.Point> points, int max) {
    if (points.size() <= max) {
      return points;
    }
    List<RssSampler.Point> out = new ArrayList<>();
    double step = points.size() / (double) max;
    for (int i = 0; i < max; i++) {
      out.add(points.get((int) (i * step)));
    }
    out.add(points.get(points.size() - 1));
    return out;
  }

  private void report(String label, RunResult rr) {
    Map<String, Double> m = rr.metrics;
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "   %s: %d/%d ok, TTFT p50 %.2f ms p99 %.2f ms, %.0f req/s",
        label, rr.ok, rr.requests, m.get("ttft_p50_ms"), m.get("ttft_p99_ms"),
        m.get("req_per_s")));
    if (m.containsKey("jitter_p99_ms")) {
      sb.append(String.format(Locale.ROOT, ", gap jitter p50 %.3f p99 %.3f ms",
          m.get("jitter_p50_ms"), m.get("jitter_p99_ms")));
    }
    if (!Double.isNaN(m.get("proxy_cpu_s"))) {
      sb.append(String.format(Locale.ROOT, ", proxy CPU %.2f s", m.get("proxy_cpu_s")));
    }
    if (m.containsKey("rss_peak_mb")) {
      sb.append(String.format(Locale.ROOT, ", RSS peak %.0f MB", m.get("rss_peak_mb")));
    }
    if (!Double.isNaN(m.get("proxy_ctx_switches_per_req"))) {
      sb.append(String.format(Locale.ROOT, ", %.0f ctx switches/req",
          m.get("proxy_ctx_switches_per_req")));
    }
    sb.append(String.format(Locale.ROOT, ", client CPU %.0f%%, machine %.0f%% busy",
        100 * m.get("client_cpu_util"), 100 * m.get("machine_cpu_util")));
    if (rr.firstError != null) {
      sb.append("; first failure: ").append(rr.firstError);
    }
    if (rr.disturbedBy != null) {
      sb.append(String.format(Locale.ROOT, "; DISTURBED: other processes used %.2f cores (%s)",
          m.get("foreign_cpu_cores"), rr.disturbedBy));
    }
    clearLine();
    out.println(sb);
  }

  interface Job {
    List<LoadClient.Sample> run() throws IOException;
  }

  /** Runs a job while a progress line ticks: in place on a terminal, sparse in a log. */
  List<LoadClient.Sample> withProgress(String label, LoadClient.Progress p, Job job)
      throws IOException {
    Thread ticker = new Thread(() -> {
      long last = System.nanoTime();
      int lastDone = 0;
      long lastPrint = System.nanoTime();
      while (!Thread.currentThread().isInterrupted()) {
        try {
          Thread.sleep(console ? 250 : 1000);
        } catch (InterruptedException e) {
          return;
        }
        long now = System.nanoTime();
        int done = p.done.get();
        double rate = (done - lastDone) / ((now - last) / 1e9);
        last = now;
        lastDone = done;
        String line = String.format(Locale.ROOT, "   %s: %d%s done, %d failed, %.0f req/s",
            label, done, p.total == Integer.MAX_VALUE ? "" : "/" + p.total, p.failed.get(), rate);
        if (console) {
          out.print("\r" + line + "          ");
          out.flush();
        } else if (now - lastPrint > 10_000_000_000L) {
          out.println(line);
          lastPrint = now;
        }
      }
    }, "progress");
    ticker.setDaemon(true);
    ticker.start();
    try {
      return job.run();
    } finally {
      ticker.interrupt();
      try {
        ticker.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  void clearLine() {
    if (console) {
      out.print("\r" + " ".repeat(120) + "\r");
    }
  }

  private static void aggregate(TargetResult tr) {
    if (tr.runs.isEmpty()) {
      return;
    }
    for (String key : tr.runs.get(0).metrics.keySet()) {
      List<Double> values = new ArrayList<>();
      for (RunResult r : tr.runs) {
        values.add(r.metrics.getOrDefault(key, Double.NaN));
      }
      tr.median.put(key, key.equals("failed") || key.equals("requests")
          ? values.stream().mapToDouble(Double::doubleValue).sum() : Stats.median(values));
    }
    int n = tr.runs.stream().mapToInt(r -> r.ttftSorted.length).sum();
    double[] pooled = new double[n];
    int i = 0;
    for (RunResult r : tr.runs) {
      System.arraycopy(r.ttftSorted, 0, pooled, i, r.ttftSorted.length);
      i += r.ttftSorted.length;
    }
    tr.ttftPooledSorted = Stats.sorted(pooled);
  }
}
