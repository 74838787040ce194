package dev.sluice.example.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.contract.ExampleAppContract;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code java -jar target/spring-boot-example.jar} (Boot's executable jar) as a real
 * process, as the README says to: the start-up lines, the app, a stream against the in-process
 * mock, health, SIGTERM, and the exit codes of a bad argument and a failed start.
 */
class RunnableJarIT {
  private static final Pattern LISTENING =
      Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");
  private static final Pattern MOCK = Pattern.compile("mock Anthropic API at (http://\\S+)");
  /** Boot on a loaded 2-CPU machine can take tens of seconds. */
  private static final Duration STARTUP = Duration.ofSeconds(120);
  private static final Path JAR = Path.of("target", "spring-boot-example.jar");

  private final HttpClient http = HttpClient.newHttpClient();
  private Process process;
  private Path stderr;

  @AfterEach
  void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void jar_servesAppAndRelaysStream_withHooks_thenStopsOnSigterm() throws Exception {
    List<String> stdout = new ArrayList<>();
    BlockingQueue<String> lines = launch("--port", "0", "--hooks", "usage-log,model-alias");
    URI base = URI.create(await(lines, stdout, LISTENING).group(1));
    URI mock = URI.create(find(stdout, MOCK).group(1));
    await(lines, stdout, Pattern.compile("^  hooks: usage-log,model-alias$"));
    assertThat(stdout).filteredOn(l -> l.contains("listening on")).hasSize(1);

    HttpResponse<String> hello = http.send(HttpRequest.newBuilder(base.resolve("/hello")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(hello.body()).contains("\"app\":\"spring-boot-example\"");

    HttpResponse<byte[]> relayed = http.send(ExampleAppContract.post(base, "/v1/messages",
        ExampleAppContract.STREAM_BODY), HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> direct = http.send(ExampleAppContract.post(mock, "/v1/messages",
        ExampleAppContract.STREAM_BODY), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(relayed.statusCode()).isEqualTo(200);
    assertThat(relayed.body()).isEqualTo(direct.body());
    String requestId = relayed.headers().firstValue("request-id").orElseThrow();
    // usage-log's line, on Boot's console (stdout).
    await(lines, stdout, Pattern.compile("sluice\\.usage.*" + requestId));

    HttpResponse<String> health = http.send(HttpRequest.newBuilder(
        base.resolve("/actuator/health")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(health.body())
        .path("components").path("sluice").path("status").asText()).isEqualTo("UP");

    process.destroy(); // SIGTERM: ExampleMain's shutdown hook closes the app, then the mock
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
    assertThat(Files.readString(stderr)).doesNotContain("Exception");
  }

  @Test
  void jar_badArgument_printsUsageAndExits2() throws Exception {
    launch("--port", "not-a-port");
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(Files.readString(stderr)).contains("usage: java -jar spring-boot-example.jar");
  }

  @Test
  void jar_invalidEnvironmentVariable_failsStartNamingThePropertyAndExits1() throws Exception {
    // An environment variable, through Boot's relaxed binding, as an operator would set it.
    launchWith(java.util.Map.of("SLUICE_IDLE_TIMEOUT", "soon"), "--port", "0");
    assertThat(process.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS)).as("exited").isTrue();
    assertThat(process.exitValue()).isEqualTo(1);
    assertThat(Files.readString(stderr))
        .contains("spring-boot-example: Spring Boot failed to start")
        .contains("sluice.idle-timeout");
  }

  @Test
  void jar_unknownHook_failsStartAndExits1() throws Exception {
    launch("--port", "0", "--hooks", "no-such-hook");
    assertThat(process.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS)).as("exited").isTrue();
    assertThat(process.exitValue()).isEqualTo(1);
    assertThat(Files.readString(stderr))
        .contains("spring-boot-example: Spring Boot failed to start")
        .contains("no hook named 'no-such-hook'; available: ")
        .contains("blocked-words");
  }

  private BlockingQueue<String> launch(String... args) throws IOException {
    return launchWith(java.util.Map.of(), args);
  }

  private BlockingQueue<String> launchWith(java.util.Map<String, String> env, String... args)
      throws IOException {
    assertThat(JAR).as("run 'mvn verify' so the jar is packaged first").isRegularFile();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        JAR.toString()));
    command.addAll(List.of(args));
    stderr = Files.createTempFile(Path.of("target"), "runnable-jar-it", ".stderr");
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.to(stderr.toFile()));
    builder.environment().putAll(env);
    process = builder.start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // The process ended.
      }
    }, "runnable-jar-stdout");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  private static Matcher await(BlockingQueue<String> lines, List<String> seen, Pattern pattern)
      throws InterruptedException {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(1, TimeUnit.SECONDS);
      if (line == null) {
        continue;
      }
      seen.add(line);
      Matcher m = pattern.matcher(line);
      if (m.find()) {
        return m;
      }
    }
    throw new AssertionError("no line matching " + pattern + " in " + seen);
  }

  private static Matcher find(List<String> lines, Pattern pattern) {
    for (String line : lines) {
      Matcher m = pattern.matcher(line);
      if (m.find()) {
        return m;
      }
    }
    throw new AssertionError("no line matching " + pattern + " in " + lines);
  }
}
