package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.bench.SoakMix.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the packaged soak once in its tiny configuration ({@code --scenario soak --quick}: 50
 * requests in flight for 10 s, 10% faults of every kind, then 100 streams open at once in rounds)
 * against sluice-jetty, and checks that every stream came to what its kind must give, that both
 * Sluice and the mock counted the held streams, and that nothing was left behind. No timing is
 * asserted.
 */
class SoakSmokeIT {

  @Test
  void quickSoakInjectsEveryFault_andLeavesNothing() throws Exception {
    Path jar = Path.of(System.getProperty("benchmark.jar", "target/benchmark.jar"));
    Path root = Path.of(System.getProperty("benchmark.root", "..")).toAbsolutePath().normalize();
    Path out = Path.of(System.getProperty("benchmark.out", "target/smoke")).resolveSibling("soak")
        .toAbsolutePath();
    assertThat(jar).isRegularFile();
    Files.createDirectories(out);
    Path log = out.resolve("soak-run.log");

    Process p = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar.toString(), "--scenario", "soak", "--quick", "--targets", "sluice-jetty",
        "--root", root.toString(), "--out", out.toString()))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean ended = p.waitFor(170, TimeUnit.SECONDS);
    if (!ended) {
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroyForcibly();
    }
    String output = Files.readString(log);
    assertThat(ended).as("soak ended in time; output:%n%s", output).isTrue();
    assertThat(p.exitValue()).as("exit status; output:%n%s", output).isZero();
    assertThat(output).contains("Leaks found: none.");

    JsonNode report = new ObjectMapper().readTree(out.resolve(SoakReport.JSON).toFile());
    assertThat(report.path("leaksFound").asBoolean()).isFalse();
    JsonNode t = report.path("targets").get(0);
    assertThat(t.path("target").asText()).isEqualTo("sluice-jetty");
    assertThat(t.path("status").asText()).as(t.path("note").asText()).isEqualTo("ok");
    assertThat(t.path("failed").asInt()).isZero();
    for (Kind k : Kind.values()) {
      JsonNode kind = t.path("kinds").path(k.label);
      assertThat(kind.path("started").asInt()).as(k.label).isPositive();
      assertThat(kind.path("expected").asInt()).as(k.label + ": " + kind.path("firstFailure"))
          .isEqualTo(kind.path("started").asInt());
    }
    assertThat(t.path("leaks")).isEmpty();
    assertThat(t.path("after").path("mock").path("activeResponses").asInt()).isZero();
    assertThat(t.path("after").path("diag").path("open").asInt()).isZero();
    assertThat(t.path("after").path("diag").path("filters").asInt()).isEqualTo(1);

    JsonNode holds = t.path("holds");
    assertThat(holds.size()).as("hold rounds").isBetween(2, Soak.HOLD_ROUNDS);
    for (JsonNode hold : holds) {
      String round = "hold round " + hold.path("round");
      int streams = hold.path("streams").asInt();
      assertThat(streams).isEqualTo(100);
      assertThat(hold.path("ok").asInt()).as(round).isEqualTo(streams);
      assertThat(hold.path("peakOpen").asInt()).as(round + ", Sluice's count").isEqualTo(streams);
      assertThat(hold.path("peakMockActive").asInt()).as(round + ", the mock's count")
          .isEqualTo(streams);
      assertThat(hold.path("leaks")).as(round).isEmpty();
    }
  }
}
