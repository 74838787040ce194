package dev.sluice.bench;

import dev.sluice.bench.Config.Scenario;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
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

    ScenarioResult(Scenario scenario) {
      this.scenario = scenario;
    }
  }

  private final Config config;
  private final PrintStream out;
  private final boolean console = System.console() != null;

  Bench(Config config, PrintStream out) {
    this.config = config;
    this.out = out;
  }

  /**
   * Starts the mock and every target once, warms each up for {@code --warmup-seconds}, then runs
   * the scenarios one after the other on the same processes.
   */
  List<ScenarioResult> runAll() throws IOException {
    List<ScenarioResult> results = new ArrayList<>();
    Path logs = Files.createDirectories(config.out().resolve("bench-logs"));
    Path tmp = Files.createDirectories(config.out().resolve("bench-tmp"));
    Map<String, Targets.Running> running = new LinkedHashMap<>();
    Map<String, RssSampler> samplers = new LinkedHashMap<>();
    Map<String, String[]> status = new LinkedHashMap<>(); // name -> {description, status, note}
    try (Targets.ProcessRunning mock = Targets.startMock(config, logs)) {
      out.println("mock upstream " + mock.uri() + " (pid " + mock.pids().get(0) + ")");
      // JIT-compile the mock before anything is measured, so that no target pays for it.
      warmFor("mock warm-up (direct)", mock.address(), (config.warmupSeconds() + 1) / 2);
      try {
        for (String name : config.targets()) {
          Targets.Plan plan = Targets.plan(name, config, mock.uri(), tmp);
          if (plan.skipped()) {
            status.put(name, new String[] {plan.description(), "skipped", plan.skipReason()});
            out.println(name + ": skipped: " + plan.skipReason());
            continue;
          }
          plan = withJfr(plan);
          try {
            Targets.Running r = Targets.start(plan, mock.address(), logs);
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
              warmFor(name + " warm-up", r.address(),
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
      }
    }
    return results;
  }

  private ScenarioResult run(Scenario s, Map<String, Targets.Running> running,
      Map<String, RssSampler> samplers, Map<String, String[]> status,
      Targets.ProcessRunning mock) throws IOException {
    long began = System.nanoTime();
    ScenarioResult result = new ScenarioResult(s);
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
        tr.runs.add(measure(s, name, rep, running.get(name), samplers.get(name), mock));
      }
    }
    for (TargetResult tr : result.targets.values()) {
      aggregate(tr);
    }
    result.seconds = (System.nanoTime() - began) / 1e9;
    return result;
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

  /** Burst-shaped load (64 deltas, 20 at a time) for a while, not measured. */
  private void warmFor(String label, InetSocketAddress address, int seconds) throws IOException {
    int deltas = config.quick() ? 16 : 64;
    byte[] request = LoadClient.request(address, BODY, List.of("x-mock-scenario: paced",
        "x-mock-deltas: " + deltas));
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

    if (s.warmup() > 0) {
      byte[] warm = LoadClient.request(address, BODY, List.of("x-mock-scenario: paced",
          "x-mock-deltas: " + s.warmupDeltas()));
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

    List<String> headers = new ArrayList<>(List.of("x-mock-scenario: paced",
        "x-mock-deltas: " + s.deltas()));
    if (s.delayMs() > 0) {
      headers.add("x-mock-delay-ms: " + s.delayMs());
    }
    byte[] request = LoadClient.request(address, BODY, headers);
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
    m.put("requests", (double) rr.requests);
    m.put("failed", (double) (rr.requests - rr.ok));
    m.put("ttft_p50_ms", Stats.percentile(ttft, 50));
    m.put("ttft_p95_ms", Stats.percentile(ttft, 95));
    m.put("ttft_p99_ms", Stats.percentile(ttft, 99));
    m.put("total_p50_ms", Stats.percentile(total, 50));
    m.put("total_p95_ms", Stats.percentile(total, 95));
    m.put("wall_s", wall);
    m.put("req_per_s", rr.ok / wall);
    m.put("deltas_per_s", deltas / wall);
    boolean proxied = !pids.isEmpty();
    m.put("proxy_cpu_s", proxied ? proxyCpu : Double.NaN);
    m.put("proxy_cpu_s_per_1k", proxied ? proxyCpu / rr.requests * 1000 : Double.NaN);
    m.put("mock_cpu_s_per_1k", mockCpu / rr.requests * 1000);
    m.put("client_cpu_s_per_1k", selfCpu / rr.requests * 1000);
    m.put("client_cpu_util", selfCpu / wall);
    m.put("proxy_ctx_switches_per_req", proxied ? ctx / (double) rr.requests : Double.NaN);
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
    report(label, rr);
    return rr;
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
