package dev.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sluice.bench.Soak.Hold;
import dev.sluice.bench.Soak.TargetSoak;
import dev.sluice.bench.SoakMix.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The soak's markdown table and JSON file. */
final class SoakReport {
  static final String MD = "soak-results.md";
  static final String JSON = "soak-results.json";

  private final Config config;
  private final List<TargetSoak> targets;
  private final String when = ZonedDateTime.now(ZoneOffset.UTC)
      .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));

  SoakReport(Config config, List<TargetSoak> targets) {
    this.config = config;
    this.targets = targets;
  }

  /** Leaks, streams that were not what their kind must give, targets that did not run. */
  boolean bad() {
    for (TargetSoak t : targets) {
      if (t.status.equals("failed") || t.failed() > 0 || !t.leaks.isEmpty()
          || t.holds.stream().anyMatch(h -> h.ok < h.streams || !h.leaks.isEmpty())) {
        return true;
      }
    }
    return false;
  }

  String markdown() {
    Config.SoakSize s = config.soak();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "## Soak: %d requests in flight for %d s, %d%% faults%n%n",
        s.concurrency(), s.seconds(), s.faultPercent()));
    sb.append(String.format(Locale.ROOT, "%s, Java %s, %d CPUs, load average at the end %s; "
        + "`java -jar benchmark/target/benchmark.jar %s`. Normal streams: %d deltas %d ms apart. "
        + "Targets run one after the other with `-Dsluice.idle-timeout=%ds --diagnostics`.%n%n",
        when, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
        loadAverage(), String.join(" ", config.args()), s.deltas(), s.delayMs(),
        Soak.IDLE_TIMEOUT.toSeconds()));
    sb.append("| target | kind | started | as expected | not as expected | first of those |\n");
    sb.append("|---|---|---:|---:|---:|---|\n");
    for (TargetSoak t : targets) {
      if (!t.status.equals("ok") && t.streams() == 0) {
        sb.append("| ").append(t.name).append(" | ").append(t.status).append(": ")
            .append(t.note).append(" | | | | |\n");
        continue;
      }
      for (Kind k : Kind.values()) {
        int i = k.ordinal();
        sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %s |%n", t.name, k.label,
            t.started[i], t.expected[i], t.started[i] - t.expected[i],
            t.firstFailure[i] == null ? "" : t.firstFailure[i].replace('|', '/')));
      }
    }
    sb.append("\nKinds: ");
    for (Kind k : Kind.values()) {
      sb.append("`").append(k.label).append("`: ").append(k.what).append(". ");
    }
    sb.append("\n\n### What was left\n\n");
    sb.append("Before: the baseline (after the warm-up); for hold round n > 1, the end of round "
        + "n - 1. Hold rounds repeat (up to " + Soak.HOLD_ROUNDS + ") while the heap after GC "
        + "grows by more than " + (Soak.HEAP_SLACK >> 20) + " MiB from one round to the next: "
        + "a cache fills and stops, a leak grows every round. Upstream connections: TCP "
        + "connections open to the mock, idle in the HTTP client's pool once the streams "
        + "ended.\n\n");
    sb.append("| target | after | settled in s | upstream responses running (mock) "
        + "| exchanges open (Sluice) | threads outside worker pools, before → after "
        + "| worker pool threads | heap after GC MiB, before → after "
        + "| upstream connections (pooled), before → after | proxy CPU s | RSS peak MB "
        + "| leaks |\n");
    sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (TargetSoak t : targets) {
      if (t.after != null) {
        left(sb, t.name, String.format(Locale.ROOT, "soak (%d streams)", t.streams()), t.baseline,
            t.baselineMock, t.after, t.leaks, String.format(Locale.ROOT, "%.1f",
                t.proxyCpuSeconds), String.format(Locale.ROOT, "%.0f", t.rssPeakMb));
      }
      for (Hold h : t.holds) {
        if (h.after != null) {
          left(sb, t.name, String.format(Locale.ROOT, "hold round %d (%d streams)%s", h.round,
              h.streams, h.round == 1 ? ", heap not judged" : ", vs round " + (h.round - 1)),
              h.reference, h.referenceMock, h.after, h.leaks, "", "");
        }
      }
    }
    if (targets.stream().anyMatch(t -> !t.holds.isEmpty())) {
      sb.append(String.format(Locale.ROOT, "%n### Concurrency: %d streams open at once%n%n",
          s.hold()));
      sb.append("| target | round | ok | peak open (Sluice) | peak running (mock) "
          + "| RSS before → at peak MB "
          + "| KiB RSS per stream | heap after GC before → at peak MiB | KiB heap per stream "
          + "| first failure |\n");
      sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
      for (TargetSoak t : targets) {
        for (Hold h : t.holds) {
          sb.append(String.format(Locale.ROOT,
              "| %s | %d | %d/%d | %d | %d | %.0f → %.0f | %.1f | %.1f → %.1f | %.1f | %s |%n",
              t.name, h.round, h.ok, h.streams, h.peakOpen, h.peakMockActive,
              h.rssBeforeKb / 1024.0, h.rssPeakKb / 1024.0,
              (h.rssPeakKb - h.rssBeforeKb) / (double) h.streams, h.heapBefore / 1048576.0,
              h.heapPeak / 1048576.0, (h.heapPeak - h.heapBefore) / 1024.0 / h.streams,
              h.firstFailure == null ? "" : h.firstFailure.replace('|', '/')));
        }
      }
    }
    sb.append(String.format(Locale.ROOT, "%nLeaks found: %s.%n", bad() ? "SEE ABOVE" : "none"));
    return sb.toString();
  }

  private static void left(StringBuilder sb, String target, String after, Soak.Diag reference,
      Soak.MockStats referenceMock, Soak.Settled s, List<String> leaks, String cpu, String rss) {
    sb.append(String.format(Locale.ROOT,
        "| %s | %s | %.1f | %d | %d | %d → %d | %d | %.1f → %.1f | %d → %d | %s | %s | %s |%n",
        target, after, s.seconds(), s.mock().activeResponses(), s.diag().open(),
        reference.outsidePools(), s.diag().outsidePools(), s.diag().inPools(),
        reference.heapBytes() / 1048576.0, s.diag().heapBytes() / 1048576.0,
        referenceMock.openConnections(), s.mock().openConnections(), cpu, rss,
        leaks.isEmpty() ? "none" : String.join("; ", leaks).replace('|', '/')));
  }

  List<Path> write() throws IOException {
    Files.createDirectories(config.out());
    Path md = config.out().resolve(MD);
    Path json = config.out().resolve(JSON);
    Files.writeString(md, markdown());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), json());
    return List.of(md, json);
  }

  private Map<String, Object> json() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("date", when);
    root.put("java", System.getProperty("java.version"));
    root.put("cpus", Runtime.getRuntime().availableProcessors());
    root.put("args", config.args());
    root.put("soak", config.soak());
    root.put("idleTimeoutSeconds", Soak.IDLE_TIMEOUT.toSeconds());
    root.put("leaksFound", bad());
    List<Object> list = new ArrayList<>();
    for (TargetSoak t : targets) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("target", t.name);
      m.put("description", t.description);
      m.put("status", t.status);
      m.put("note", t.note);
      m.put("seconds", t.seconds);
      m.put("streams", t.streams());
      m.put("failed", t.failed());
      Map<String, Object> kinds = new LinkedHashMap<>();
      for (Kind k : Kind.values()) {
        int i = k.ordinal();
        kinds.put(k.label, Map.of("started", t.started[i], "expected", t.expected[i],
            "firstFailure", String.valueOf(t.firstFailure[i])));
      }
      m.put("kinds", kinds);
      m.put("proxyCpuSeconds", t.proxyCpuSeconds);
      m.put("rssPeakMb", t.rssPeakMb);
      m.put("baseline", t.baseline);
      m.put("baselineMock", t.baselineMock);
      m.put("after", t.after);
      m.put("leaks", t.leaks);
      List<Object> holds = new ArrayList<>();
      for (Hold h : t.holds) {
        Map<String, Object> hold = new LinkedHashMap<>();
        hold.put("round", h.round);
        hold.put("streams", h.streams);
        hold.put("ok", h.ok);
        hold.put("firstFailure", h.firstFailure);
        hold.put("peakOpen", h.peakOpen);
        hold.put("peakMockActive", h.peakMockActive);
        hold.put("rssBeforeKb", h.rssBeforeKb);
        hold.put("rssPeakKb", h.rssPeakKb);
        hold.put("rssPerStreamKb", (h.rssPeakKb - h.rssBeforeKb) / (double) h.streams);
        hold.put("heapBefore", h.heapBefore);
        hold.put("heapPeak", h.heapPeak);
        hold.put("heapPerStreamKb", (h.heapPeak - h.heapBefore) / 1024.0 / h.streams);
        hold.put("after", h.after);
        hold.put("leaks", h.leaks);
        holds.add(hold);
      }
      m.put("holds", holds);
      list.add(m);
    }
    root.put("targets", list);
    return root;
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }
}
