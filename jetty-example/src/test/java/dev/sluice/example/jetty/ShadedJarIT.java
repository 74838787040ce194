package dev.sluice.example.jetty;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs {@code java -jar target/jetty-example.jar} as a real process, as the README says to. */
class ShadedJarIT {
  static final Path JAR = Path.of("target", "jetty-example.jar");
  static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:(\\d+))");
  static final Pattern MOCK = Pattern.compile("mock Anthropic API at (http://\\S+)");
  static final Duration STARTUP = Duration.ofSeconds(60);

  static HttpClient http;
  Process process;
  Path stderr;

  @BeforeAll
  static void jarIsBuilt() {
    assertThat(JAR).as("run 'mvn verify' so the shaded jar is packaged first").isRegularFile();
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterEach
  void destroy() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void jar_servesAppAndRelaysStream_thenStopsOnSigterm() throws Exception {
    List<String> stdout = new ArrayList<>();
    BlockingQueue<String> lines = launch("--port", "0");

    URI base = URI.create(awaitLine(lines, stdout, LISTENING).group(1));
    URI mockBase = URI.create(find(stdout, MOCK).group(1));

    HttpResponse<String> hello =
        http.send(HttpRequest.newBuilder(base.resolve("/hello")).build(), ofString());
    assertThat(hello.statusCode()).isEqualTo(200);
    assertThat(hello.body()).contains("\"message\":\"hello\"");

    HttpResponse<byte[]> proxied = http.send(JettyExampleIT.post(base, "/v1/messages",
        JettyExampleIT.STREAM_BODY), HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> direct = http.send(JettyExampleIT.post(mockBase, "/v1/messages",
        JettyExampleIT.STREAM_BODY), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(proxied.statusCode()).isEqualTo(200);
    assertThat(new String(proxied.body(), StandardCharsets.UTF_8)).contains("event: message_stop");
    assertThat(proxied.body()).isEqualTo(direct.body());

    process.destroy(); // SIGTERM: the shutdown hook stops Jetty and the mock
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
    assertThat(Files.readString(stderr)).doesNotContain("Exception");
  }

  @Test
  void jar_badArgument_printsUsageAndExits2() throws Exception {
    launch("--port", "not-a-port");

    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(Files.readString(stderr)).contains("--port", "usage: java -jar jetty-example.jar");
  }

  private BlockingQueue<String> launch(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(List.of(args));
    stderr = Files.createTempFile(Path.of("target"), "shaded-jar-it", ".stderr");
    process =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.to(stderr.toFile()))
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> pump(process, lines), "shaded-jar-stdout");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  private static void pump(Process process, BlockingQueue<String> lines) {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) lines.add(line);
    } catch (IOException ignored) {
      // The process was destroyed.
    }
  }

  private Matcher awaitLine(BlockingQueue<String> lines, List<String> seen, Pattern pattern)
      throws Exception {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line == null) {
        if (!process.isAlive()) break;
        continue;
      }
      seen.add(line);
      Matcher m = pattern.matcher(line);
      if (m.find()) return m;
    }
    throw new AssertionError("no line matching '" + pattern + "'; stdout: " + seen
        + "; stderr: " + Files.readString(stderr));
  }

  private static Matcher find(List<String> lines, Pattern pattern) {
    for (String line : lines) {
      Matcher m = pattern.matcher(line);
      if (m.find()) return m;
    }
    throw new AssertionError("no line matching '" + pattern + "' in " + lines);
  }

  private static HttpResponse.BodyHandler<String> ofString() {
    return HttpResponse.BodyHandlers.ofString();
  }
}
