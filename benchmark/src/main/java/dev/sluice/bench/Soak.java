package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.bench.Config.SoakSize;
import dev.sluice.bench.SoakMix.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --scenario soak}: for each Sluice target in turn, a fresh JVM started with
 * {@code --diagnostics} and a short idle-timeout, then
 *
 * <ol>
 *   <li>a warm-up with the soak's own mix at full concurrency (JIT, container pools and caches
 *       reach their working size), a settle, and the baseline: threads and heap after a full GC;
 *   <li>the soak: {@code concurrency} requests in flight for {@code seconds}, a share of them
 *       faults ({@link SoakMix}), each response checked against what its kind must give;
 *   <li>a settle, then what was left: upstream responses the mock is still writing, exchanges
 *       Sluice has open, threads outside the container's worker pool above the baseline, heap
 *       after GC above the baseline (+ {@link #HEAP_SLACK});
 *   <li>{@code hold} paced streams open at once, in rounds: Sluice's own count and the mock's
 *       must reach them, memory per stream is read at that plateau, and the same leak check
 *       follows. 1,000 connections leave more in caches than the soak's load did (the
 *       containers' buffers, and the HTTP client's 1,000 idle upstream connections with a read
 *       buffer each, which fill over the first two rounds), so heap is not compared with the
 *       baseline: rounds repeat, up to {@link #HOLD_ROUNDS}, while the heap after GC still grows
 *       by more than {@link #HEAP_SLACK} from one round to the next. A cache fills and stops; a
 *       leak grows in every round.
 * </ol>
 *
 * <p>Container worker pools (Jetty's {@code qtp*}, Tomcat's {@code *-exec}) grow with concurrency
 * and shrink only after a minute idle; they are bounded (200 threads by default), so they are
 * reported but not counted as leaks, and neither is the JVM's {@code Attach Listener} (it starts
 * when someone runs jcmd or jstack on the target). Every other thread group must be back to its
 * baseline size.
 */
final class Soak {
  /** The targets' idle-timeout: short, so that the idle fault ends within the soak. */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(3);
  /**
   * Heap after GC may end this much above its baseline without counting as a leak. The containers'
   * buffer pools keep what the busiest moment needed (Jetty's ArrayByteBufferPool up to 1/8 of the
   * heap), and the HTTP client keeps its idle upstream connections, so two readings after the same
   * load differ by a few MiB (measured: up to 3.7 MiB after the quick soak). A leak of 1.4 KiB per
   * exchange over the default soak's ~6,000 exchanges exceeds it.
   */
  static final long HEAP_SLACK = 8L << 20;
  /** The diagnostics servlet of the example apps ({@code DiagnosticsServlet.PATH}). */
  static final String DIAGNOSTICS = "/_diagnostics";
  /** How long the leftovers of a run get to end before they count as leaked. */
  private static final long SETTLE_MS = 30_000;
  private static final int HOLD_DELAY_MS = 50;
  static final int HOLD_ROUNDS = 4;
  private static final Pattern STATS = Pattern.compile("mock stats at (http://\\S+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the diagnostics servlet said. {@code heapBytes} is after a full GC when asked. */
  record Diag(int threads, Map<String, Integer> groups, long heapBytes, int filters, int open) {
    int outsidePools() {
      return groups.entrySet().stream().filter(e -> counted(e.getKey()))
          .mapToInt(Map.Entry::getValue).sum();
    }

    int inPools() {
      return threads - outsidePools();
    }
  }

  /** What the mock said. */
  record MockStats(int activeResponses, int openConnections) {}

  /** The state after a settle: the target (after a full GC), the mock, and how long it took. */
  record Settled(Diag diag, MockStats mock, double seconds) {}

  /** One target's soak. Counts are by {@link Kind} ordinal. */
  static final class TargetSoak {
    final String name;
    String description;
    String status = "ok"; // ok | skipped | failed
    String note;
    final int[] started = new int[Kind.values().length];
    final int[] expected = new int[Kind.values().length];
    final String[] firstFailure = new String[Kind.values().length];
    double seconds;
    double proxyCpuSeconds;
    double rssPeakMb;
    Diag baseline;
    MockStats baselineMock;
    Settled after;
    final List<String> leaks = new ArrayList<>();
    final List<Hold> holds = new ArrayList<>();

    TargetSoak(String name) {
      this.name = name;
    }

    int streams() {
      return java.util.Arrays.stream(started).sum();
    }

    int failed() {
      return streams() - java.util.Arrays.stream(expected).sum();
    }
  }

  /** The concurrency check: {@code streams} open at once; compared with {@code reference}. */
  static final class Hold {
    final int round;
    final Diag reference;
    final MockStats referenceMock;
    int streams;
    int ok;
    String firstFailure;
    int peakOpen;
    int peakMockActive;
    long rssBeforeKb;
    long rssPeakKb;
    long heapBefore;
    long heapPeak;
    Settled after;
    final List<String> leaks = new ArrayList<>();

    Hold(int round, Diag reference, MockStats referenceMock) {
      this.round = round;
      this.reference = reference;
      this.referenceMock = referenceMock;
    }
  }

  private final Config config;
  private final SoakSize size;
  private final PrintStream out;
  private final Bench bench;

  Soak(Config config, PrintStream out) {
    this.config = config;
    this.size = config.soak();
    this.out = out;
    this.bench = new Bench(config, out);
  }

  List<TargetSoak> run() throws IOException {
    Path logs = Files.createDirectories(config.out().resolve("bench-logs"));
    Path tmp = Files.createDirectories(config.out().resolve("bench-tmp"));
    List<TargetSoak> results = new ArrayList<>();
    try (Targets.ProcessRunning mock = Targets.startMock(config, logs)) {
      URI stats = statsUri(logs.resolve("mock-upstream.log"));
      out.println("mock upstream " + mock.uri() + " (pid " + mock.pids().get(0) + "), stats "
          + stats);
      for (String name : config.targets()) {
        TargetSoak t = new TargetSoak(name);
        results.add(t);
        try {
          runTarget(t, mock, stats, logs, tmp);
        } catch (IOException | RuntimeException e) {
          t.status = "failed";
          t.note = e.getMessage();
          out.println(name + ": FAILED: " + e);
        }
      }
    }
    return results;
  }

  private void runTarget(TargetSoak t, Targets.ProcessRunning mock, URI stats, Path logs,
      Path tmp) throws IOException {
    Targets.Plan plan = Targets.plan(t.name, config, mock.uri(), tmp);
    t.description = plan.description();
    if (plan.skipped()) {
      t.status = "skipped";
      t.note = plan.skipReason();
      out.println(t.name + ": skipped: " + plan.skipReason());
      return;
    }
    List<String> cmd = new ArrayList<>(plan.command());
    cmd.add(1, "-Dsluice.idle-timeout=" + IDLE_TIMEOUT.toSeconds() + "s");
    cmd.add("--diagnostics");
    plan = new Targets.Plan(plan.name(), cmd, plan.env(), plan.workDir(), null,
        plan.description() + ", idle-timeout " + IDLE_TIMEOUT.toSeconds() + "s, --diagnostics");
    try (Targets.Running r = Targets.start(plan, mock.address(), logs);
        RssSampler sampler = new RssSampler(r::pids, config.sampleMs())) {
      out.println(t.name + ": " + plan.description() + ", port " + r.address().getPort()
          + ", pids " + r.pids());
      URI diag = URI.create("http://127.0.0.1:" + r.address().getPort() + DIAGNOSTICS);
      SoakMix mix = new SoakMix(r.address(), size.deltas(), size.delayMs(), size.faultPercent(),
          IDLE_TIMEOUT);
      // Seconds alone are not enough on a busy machine: a baseline taken after too few requests
      // misses caches that fill later (a few MiB of heap) and would read as a leak.
      int least = Math.max(200, 4 * size.concurrency());
      List<LoadClient.Sample> warm = new ArrayList<>(load(t.name + " warm-up", r, mix,
          config.warmupSeconds(), Integer.MAX_VALUE));
      if (warm.size() < least) {
        warm.addAll(load(t.name + " warm-up", r, mix, 0, least - warm.size()));
      }
      out.printf(Locale.ROOT, "   %s warm-up: %d requests, %d not as expected%n", t.name,
          warm.size(), warm.stream().filter(s -> !s.ok()).count());
      Settled base = settle(diag, stats, null);
      t.baseline = base.diag();
      t.baselineMock = base.mock();
      out.println("   " + t.name + " baseline: " + describe(t.baseline));

      sampler.begin();
      double cpu0 = Procs.cpuSeconds(r.pids());
      long began = System.nanoTime();
      List<LoadClient.Sample> samples =
          load("[soak] " + t.name, r, mix, size.seconds(), Integer.MAX_VALUE);
      t.seconds = (System.nanoTime() - began) / 1e9;
      t.proxyCpuSeconds = Procs.cpuSeconds(r.pids()) - cpu0;
      t.rssPeakMb = sampler.end().peakKb() / 1024.0;
      for (LoadClient.Sample s : samples) {
        t.started[s.kind()]++;
        if (s.ok()) {
          t.expected[s.kind()]++;
        } else if (t.firstFailure[s.kind()] == null) {
          t.firstFailure[s.kind()] = s.error();
        }
      }
      t.after = settle(diag, stats, t.baseline);
      t.leaks.addAll(leaks(t.baseline, t.after, true));
      out.printf(Locale.ROOT, "   [soak] %s: %d streams, %d not as expected; after %.1f s: %s; "
          + "mock: %d responses running; leaks: %s%n", t.name, t.streams(), t.failed(),
          t.after.seconds(), describe(t.after.diag()), t.after.mock().activeResponses(),
          t.leaks.isEmpty() ? "none" : String.join("; ", t.leaks));
      Hold previous = null;
      for (int round = 1; size.hold() > 0 && round <= HOLD_ROUNDS; round++) {
        Hold h = previous == null ? new Hold(1, t.baseline, t.baselineMock)
            : new Hold(round, previous.after.diag(), previous.after.mock());
        t.holds.add(hold(t, r, diag, stats, h));
        if (previous != null && !grew(previous.after.diag(), h.after.diag())) {
          break;
        }
        if (round == HOLD_ROUNDS) {
          h.leaks.add("heap after GC still grew by more than "
              + (HEAP_SLACK >> 20) + " MiB in round " + round);
        }
        previous = h;
      }
    }
  }

  /**
   * The mix at full concurrency for {@code seconds} (0: no limit) or {@code total} requests,
   * whichever comes first; those in flight at the end finish.
   */
  private List<LoadClient.Sample> load(String label, Targets.Running r, SoakMix mix, int seconds,
      int total) throws IOException {
    long stop = seconds == 0 ? 0 : System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    LoadClient.Spec spec = LoadClient.Spec.mixed(r.address(), mix::shot, total,
        size.concurrency(), TimeUnit.SECONDS.toMillis(seconds + 300), stop,
        ramp(size.concurrency()));
    LoadClient.Progress progress = new LoadClient.Progress();
    List<LoadClient.Sample> samples =
        bench.withProgress(label, progress, () -> LoadClient.run(spec, progress));
    bench.clearLine();
    return samples;
  }

  /** Opens the connections over this long: a SYN storm overflows small accept queues. */
  private static long ramp(int connections) {
    return Math.max(200, connections * 2L);
  }

  private Hold hold(TargetSoak t, Targets.Running r, URI diag, URI stats, Hold h)
      throws IOException {
    h.streams = size.hold();
    long ramp = ramp(h.streams);
    long lengthMs = ramp + (config.quick() ? 3_000 : 10_000);
    int deltas = (int) (lengthMs / HOLD_DELAY_MS);
    byte[] request = LoadClient.request(r.address(), Bench.BODY, List.of("x-mock-scenario: paced",
        "x-mock-deltas: " + deltas, "x-mock-delay-ms: " + HOLD_DELAY_MS));
    LoadClient.Spec spec = new LoadClient.Spec(r.address(), request, deltas, h.streams,
        h.streams, false, lengthMs + 120_000, 0, ramp);
    h.heapBefore = diagnostics(diag, true).heapBytes();
    h.rssBeforeKb = Procs.rssKb(r.pids());
    String label = String.format(Locale.ROOT, "[hold %d, round %d] %s", h.streams, h.round,
        t.name);
    out.printf(Locale.ROOT, "   %s: %d paced streams of %d deltas %d ms apart, opened over %d ms%n",
        label, h.streams, deltas, HOLD_DELAY_MS, ramp);
    AtomicReference<Object> result = new AtomicReference<>();
    LoadClient.Progress progress = new LoadClient.Progress();
    Thread client = new Thread(() -> {
      try {
        result.set(LoadClient.run(spec, progress));
      } catch (IOException | RuntimeException e) {
        result.set(e);
      }
    }, "hold-client");
    client.start();
    // The plateau: every stream open at Sluice (its own count) and running at the mock (which
    // sees each a little later), or the ramp long past.
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ramp + 10_000);
    while (client.isAlive() && System.nanoTime() < deadline
        && (h.peakOpen < h.streams || h.peakMockActive < h.streams)) {
      h.peakOpen = Math.max(h.peakOpen, diagnostics(diag, false).open());
      h.peakMockActive = Math.max(h.peakMockActive, mockStats(stats).activeResponses());
      Targets.sleep(100);
    }
    h.rssPeakKb = Procs.rssKb(r.pids());
    h.heapPeak = diagnostics(diag, true).heapBytes();
    try {
      client.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (!(result.get() instanceof List<?> samples)) {
      throw new IOException("hold client failed: " + result.get());
    }
    for (Object o : samples) {
      LoadClient.Sample s = (LoadClient.Sample) o;
      if (s.ok()) {
        h.ok++;
      } else if (h.firstFailure == null) {
        h.firstFailure = s.error();
      }
    }
    h.after = settle(diag, stats, h.reference);
    h.leaks.addAll(leaks(h.reference, h.after, false)); // heap: see grew()
    out.printf(Locale.ROOT, "   %s: %d/%d ok, peak open %d (Sluice) / %d (mock), %.1f KiB RSS "
        + "and %.1f KiB heap per stream; after %.1f s: %s; leaks: %s%n", label, h.ok, h.streams,
        h.peakOpen, h.peakMockActive, (h.rssPeakKb - h.rssBeforeKb) / (double) h.streams,
        (h.heapPeak - h.heapBefore) / 1024.0 / h.streams, h.after.seconds(),
        describe(h.after.diag()), h.leaks.isEmpty() ? "none" : String.join("; ", h.leaks));
    return h;
  }

  /**
   * Waits until the mock writes no response, Sluice has no exchange open and (with a baseline)
   * the threads outside the worker pools are back to the baseline's number, or until
   * {@link #SETTLE_MS}; then reads the target after a full GC.
   */
  private Settled settle(URI diag, URI stats, Diag baseline) throws IOException {
    long began = System.nanoTime();
    long deadline = began + TimeUnit.MILLISECONDS.toNanos(SETTLE_MS);
    while (System.nanoTime() < deadline) {
      Diag d = diagnostics(diag, false);
      if (mockStats(stats).activeResponses() == 0 && d.open() == 0
          && (baseline == null || d.outsidePools() <= baseline.outsidePools())) {
        break;
      }
      Targets.sleep(250);
    }
    double seconds = (System.nanoTime() - began) / 1e9;
    return new Settled(diagnostics(diag, true), mockStats(stats), seconds);
  }

  /** Whether the heap after GC grew by more than {@link #HEAP_SLACK} from one round to the next. */
  static boolean grew(Diag before, Diag after) {
    return after.heapBytes() > before.heapBytes() + HEAP_SLACK;
  }

  /** What was left after a settle, compared with the baseline; empty when nothing leaked. */
  static List<String> leaks(Diag baseline, Settled after, boolean heap) {
    List<String> leaks = new ArrayList<>();
    if (after.mock().activeResponses() > 0) {
      leaks.add(after.mock().activeResponses() + " upstream responses still running at the mock");
    }
    Diag d = after.diag();
    if (d.filters() == 0) {
      leaks.add("no Sluice filter seen by the diagnostics servlet: open exchanges not checked");
    }
    if (d.open() > 0) {
      leaks.add(d.open() + " exchanges still open in Sluice");
    }
    if (d.outsidePools() > baseline.outsidePools()) {
      Map<String, Integer> grown = new LinkedHashMap<>();
      d.groups().forEach((group, n) -> {
        int before = baseline.groups().getOrDefault(group, 0);
        if (counted(group) && n > before) {
          grown.put(group, n - before);
        }
      });
      leaks.add((d.outsidePools() - baseline.outsidePools())
          + " threads more than the baseline outside the worker pools " + grown);
    }
    if (heap && d.heapBytes() > baseline.heapBytes() + HEAP_SLACK) {
      leaks.add(String.format(Locale.ROOT, "heap after GC %.1f MiB above the baseline",
          (d.heapBytes() - baseline.heapBytes()) / 1048576.0));
    }
    return leaks;
  }

  /**
   * False for Jetty's QueuedThreadPool ({@code qtp<hash>}), Tomcat's executor ({@code ...-exec})
   * and the JVM's attach listener: threads whose number is no sign of a leak.
   */
  static boolean counted(String group) {
    return !group.startsWith("qtp") && !group.endsWith("-exec")
        && !group.equals("Attach Listener");
  }

  static String describe(Diag d) {
    return String.format(Locale.ROOT, "%d open exchanges, %d threads (%d in worker pools), "
        + "heap after GC %.1f MiB", d.open(), d.threads(), d.inPools(), d.heapBytes() / 1048576.0);
  }

  private static Diag diagnostics(URI diag, boolean gc) throws IOException {
    JsonNode n = getJson(gc ? URI.create(diag + "?gc=true") : diag);
    Map<String, Integer> groups = new LinkedHashMap<>();
    n.path("threadGroups").fields().forEachRemaining(e -> groups.put(e.getKey(),
        e.getValue().asInt()));
    return new Diag(n.path("threads").asInt(), groups, n.path("heapUsedBytes").asLong(),
        n.path("sluiceFilters").asInt(), n.path("openExchanges").asInt());
  }

  private static MockStats mockStats(URI stats) throws IOException {
    JsonNode n = getJson(stats);
    return new MockStats(n.path("activeResponses").asInt(), n.path("openConnections").asInt());
  }

  private static JsonNode getJson(URI uri) throws IOException {
    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
    c.setConnectTimeout(10_000);
    c.setReadTimeout(60_000);
    try (InputStream in = c.getInputStream()) {
      if (c.getResponseCode() != 200) {
        throw new IOException("GET " + uri + ": status " + c.getResponseCode());
      }
      return JSON.readTree(in);
    }
  }

  private static URI statsUri(Path mockLog) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      Matcher m = STATS.matcher(Files.readString(mockLog, StandardCharsets.ISO_8859_1));
      if (m.find()) {
        return URI.create(m.group(1));
      }
      Targets.sleep(50);
    }
    throw new IOException("the mock printed no 'mock stats at <url>' line; log " + mockLog);
  }
}
