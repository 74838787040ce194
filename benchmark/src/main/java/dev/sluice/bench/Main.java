package dev.sluice.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar benchmark/target/benchmark.jar [options]}: the end-to-end benchmark (see
 * {@link Config#USAGE} and benchmark/README.md), or with {@code --jmh [args]} the JMH
 * microbenchmarks ({@code org.openjdk.jmh.Main} with the remaining arguments).
 *
 * <p>Exit status: 0 when every measured request succeeded and every target that was not skipped
 * started (the soak: and nothing leaked); 1 otherwise; 2 for a bad command line.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    int jmh = Arrays.asList(args).indexOf("--jmh");
    if (jmh >= 0) {
      org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, jmh + 1, args.length));
      return;
    }
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      System.out.println(Config.USAGE);
      return;
    }
    Config config;
    try {
      config = Config.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("benchmark: " + e.getMessage());
      System.err.println(Config.USAGE);
      System.exit(2);
      return;
    }
    if (!Procs.AVAILABLE) {
      System.err.println("benchmark: /proc is not readable: proxy CPU and memory will read 0");
    }
    PrintStream out = System.out;
    out.println("Sluice benchmark: root " + config.root() + ", report to " + config.out());
    out.println("  target JVMs: " + String.join(" ", config.jvmOpts()));
    if (config.soak() != null) {
      SoakReport soak = new SoakReport(config, new Soak(config, out).run());
      List<Path> files = soak.write();
      out.println();
      out.println(soak.markdown());
      out.println("Wrote " + files);
      System.exit(soak.bad() ? 1 : 0);
      return;
    }
    List<Bench.ScenarioResult> results = new Bench(config, out).runAll();
    Report report = new Report(config, results);
    List<Path> files = report.write();
    out.println();
    out.println(report.markdown());
    out.println("Wrote " + files);

    boolean bad = false;
    for (Bench.ScenarioResult r : results) {
      for (Bench.TargetResult t : r.targets.values()) {
        if (t.status.equals("failed") || t.failed() > 0) {
          bad = true;
        }
      }
    }
    System.exit(bad ? 1 : 0);
  }
}
