package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the packaged benchmark once in its tiny configuration ({@code --quick}) against direct,
 * sluice-jetty, sluice-legacy and jetty-proxy, and checks that it wrote its three reports and
 * that every request of every run succeeded. No timing is asserted: numbers from a shared CI
 * machine are not evidence of anything.
 */
class BenchmarkSmokeIT {
  private static final List<String> TARGETS =
      List.of("direct", "sluice-jetty", "sluice-legacy", "jetty-proxy");

  @Test
  void quickRunSucceedsAndWritesReports() throws Exception {
    Path jar = Path.of(System.getProperty("benchmark.jar", "target/benchmark.jar"));
    Path root = Path.of(System.getProperty("benchmark.root", "..")).toAbsolutePath().normalize();
    Path out = Path.of(System.getProperty("benchmark.out", "target/smoke"));
    assertThat(jar).isRegularFile();
    assertThat(root.resolve("jetty-example/target/jetty-example.jar"))
        .as("the benchmark runs the packaged jetty example").isRegularFile();
    Files.createDirectories(out);
    Path log = out.resolve("smoke-run.log");

    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar.toString(), "--quick", "--scenario", "all",
        "--targets", String.join(",", TARGETS),
        "--root", root.toString(), "--out", out.toAbsolutePath().toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    boolean ended = p.waitFor(170, TimeUnit.SECONDS);
    if (!ended) {
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroyForcibly();
    }
    String output = Files.readString(log);
    assertThat(ended).as("benchmark ended in time; output:%n%s", output).isTrue();
    assertThat(p.exitValue()).as("exit status; output:%n%s", output).isZero();

    Path md = out.resolve(Report.MD);
    Path json = out.resolve(Report.JSON);
    Path svg = out.resolve(Report.SVG);
    assertThat(md).isNotEmptyFile();
    assertThat(json).isNotEmptyFile();
    assertThat(svg).isNotEmptyFile();
    assertThat(Files.readString(svg)).startsWith("<svg").contains("</svg>");
    String markdown = Files.readString(md);
    for (String t : TARGETS) {
      assertThat(markdown).contains("| " + t + " |");
    }
    assertThat(output).contains("| sluice-jetty |"); // the table is printed too

    JsonNode root2 = new ObjectMapper().readTree(json.toFile());
    JsonNode scenarios = root2.path("scenarios");
    assertThat(scenarios).extracting(s -> s.path("name").asText())
        .containsExactly("burst", "paced", "long", "hold");
    for (JsonNode s : scenarios) {
      JsonNode targets = s.path("targets");
      assertThat(targets).as("targets of %s", s.path("name")).hasSize(TARGETS.size());
      for (JsonNode t : targets) {
        String what = s.path("name").asText() + "/" + t.path("target").asText();
        if (s.path("name").asText().equals("hold") && t.path("target").asText().equals("direct")) {
          assertThat(t.path("status").asText()).as(what).isEqualTo("skipped"); // nothing to hold
          continue;
        }
        assertThat(t.path("status").asText()).as(what + ": " + t.path("note")).isEqualTo("ok");
        assertThat(t.path("requests").asInt()).as(what).isPositive();
        assertThat(t.path("failed").asInt()).as(what + " failed requests").isZero();
        assertThat(t.path("runs")).as(what).isNotEmpty();
        for (JsonNode run : t.path("runs")) {
          assertThat(run.path("ok").asInt()).as(what).isEqualTo(run.path("requests").asInt());
        }
      }
    }
    // Burst drives wrk when it is installed; either way each proxy's CPU per request is reported.
    JsonNode burst = scenarios.get(0).path("targets");
    for (JsonNode t : burst) {
      if (!t.path("target").asText().equals("direct")) {
        assertThat(t.path("median").path(Targets.findOnPath("wrk") != null ? "cpu_us_per_req"
            : "proxy_cpu_s_per_1k").asDouble()).as(t.path("target").asText()).isPositive();
      }
    }
    JsonNode hold = scenarios.get(3).path("targets");
    for (JsonNode t : hold) {
      if (t.path("target").asText().startsWith("sluice-")) {
        assertThat(t.path("median").path("open_exchanges_at_peak").asInt())
            .as("%s held every stream open at once", t.path("target").asText())
            .isEqualTo(20);
      }
    }
    assertThat(new File(out.toFile(), "bench-logs")).isDirectory();
  }
}
