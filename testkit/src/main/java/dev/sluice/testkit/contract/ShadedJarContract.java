package dev.sluice.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs an example's runnable jar, {@code java -jar target/<program>.jar}, as a real process, as
 * the README says to: the app and a stream (against the in-process mock), the hooks and the
 * plugin, SIGTERM, exit codes. A container module extends this class and names its jar in the
 * constructor.
 */
public abstract class ShadedJarContract {
  static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:(\\d+))");
  static final Pattern MOCK = Pattern.compile("mock Anthropic API at (http://\\S+)");
  static final Duration STARTUP = Duration.ofSeconds(60);
  /** SluiceFilter's start-up line: each enabled hook with the points it overrides. */
  static final String HOOK_TABLE_3 =
      "hooks: cost-in-usage[EVENT], model-alias[REQUEST, EVENT], usage-log[COMPLETE]";
  /**
   * With {@code *}: strip-empty-text runs first (priority -100); blocked-words shows only
   * REQUEST, which it overrides through its abstract base class.
   */
  static final String HOOK_TABLE_ALL =
      "hooks: strip-empty-text[REQUEST], blocked-words[REQUEST], cost-in-usage[EVENT], "
          + "micrometer[ARRIVAL, COMPLETE], model-alias[REQUEST, EVENT], "
          + "opentelemetry[ARRIVAL, REQUEST, COMPLETE], usage-log[COMPLETE]";

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final String program;
  private final String container;
  private final Path jarFile;
  private Process process;
  private Path stderr;

  /**
   * @param program the jar's name without {@code .jar} ({@code jetty-example}), which the jar
   *     also puts before each error line
   * @param container the container's name in the jar's start failure ({@code Jetty failed to
   *     start})
   */
  protected ShadedJarContract(String program, String container) {
    this.program = Objects.requireNonNull(program, "program == null");
    this.container = Objects.requireNonNull(container, "container == null");
    this.jarFile = Path.of("target", program + ".jar");
  }

  @BeforeEach
  void jarIsBuilt() {
    assertThat(jarFile).as("run 'mvn verify' so the shaded jar is packaged first").isRegularFile();
  }

  @AfterEach
  void destroy() throws InterruptedException {
    // SIGTERM first, so that the jar's shutdown hook stops the container and removes its
    // temporary files; SIGKILL if that does not end it.
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  protected void jar_servesAppAndRelaysStream_thenStopsOnSigterm() throws Exception {
    List<String> stdout = new ArrayList<>();
    BlockingQueue<String> lines = launch("--port", "0");

    URI base = URI.create(awaitLine(lines, stdout, LISTENING).group(1));
    URI mockBase = URI.create(find(stdout, MOCK).group(1));

    HttpResponse<String> hello =
        http.send(HttpRequest.newBuilder(base.resolve("/hello")).build(), ofString());
    assertThat(hello.statusCode()).isEqualTo(200);
    assertThat(hello.body()).contains("\"message\":\"hello\"");

    HttpResponse<byte[]> proxied = http.send(ExampleAppContract.post(base, "/v1/messages",
        ExampleAppContract.STREAM_BODY), HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> direct = http.send(ExampleAppContract.post(mockBase, "/v1/messages",
        ExampleAppContract.STREAM_BODY), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(proxied.statusCode()).isEqualTo(200);
    assertThat(new String(proxied.body(), StandardCharsets.UTF_8)).contains("event: message_stop");
    assertThat(proxied.body()).isEqualTo(direct.body());

    process.destroy(); // SIGTERM: the shutdown hook stops the container and the mock
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
    assertThat(Files.readString(stderr)).doesNotContain("Exception");
  }

  @Test
  protected void jar_servicesFile_listsBuiltInHooksAndThePlugin() throws Exception {
    try (JarFile jar = new JarFile(jarFile.toFile())) {
      JarEntry services = jar.getJarEntry("META-INF/services/dev.sluice.hook.Hook");
      assertThat(services).as("merged ServiceLoader file in the shaded jar").isNotNull();
      List<String> providers;
      try (BufferedReader in =
          new BufferedReader(
              new InputStreamReader(jar.getInputStream(services), StandardCharsets.UTF_8))) {
        providers =
            in.lines()
                .map(line -> line.replaceFirst("#.*", "").trim())
                .filter(line -> !line.isEmpty())
                .toList();
      }

      assertThat(providers)
          .containsExactlyInAnyOrder(
              "dev.sluice.builtin.UsageLogHook",
              "dev.sluice.builtin.CostInUsageHook",
              "dev.sluice.builtin.ModelAliasHook",
              "dev.sluice.builtin.StripEmptyTextHook",
              "dev.sluice.micrometer.MicrometerHook",
              "dev.sluice.opentelemetry.OpenTelemetryHook",
              "dev.sluice.sample.BlockedWordsGuardrail");
      for (String provider : providers) {
        assertThat(jar.getJarEntry(provider.replace('.', '/') + ".class")).as(provider).isNotNull();
      }
      assertThat(jar.getJarEntry("dev/sluice/sample/AbstractGuardrail.class")).isNotNull();
    }
  }

  /** The command the README shows for hooks, with the example's default model alias. */
  @Test
  protected void jar_withBuiltInHooks_logsHookTable_aliasesModel_addsCost_logsUsage()
      throws Exception {
    List<String> stdout = new ArrayList<>();
    BlockingQueue<String> lines =
        launch("--port", "0", "--hooks", "usage-log,cost-in-usage,model-alias");

    URI base = URI.create(awaitLine(lines, stdout, LISTENING).group(1));
    awaitLine(lines, stdout, Pattern.compile("model-aliases: claude-fast=claude-haiku-4-5$"));
    awaitFile(stderr, HOOK_TABLE_3);

    String body = ExampleAppContract.STREAM_BODY.replace("claude-sonnet-4-5", "claude-fast");
    HttpResponse<String> proxied =
        http.send(ExampleAppContract.post(base, "/v1/messages", body), ofString());
    assertThat(proxied.statusCode()).isEqualTo(200);
    String requestId = proxied.headers().firstValue("request-id").orElseThrow();
    assertThat(proxied.body())
        .contains("\"model\":\"claude-fast\"") // model-alias, in message_start
        .contains("\"cost\":") // cost-in-usage, in message_delta
        .contains("event: message_stop");

    JsonNode usage = awaitUsageLine(requestId);
    assertThat(usage.path("outcome").asText()).isEqualTo("completed");
    assertThat(usage.path("stream").asBoolean()).isTrue();
    assertThat(usage.path("status").asInt()).isEqualTo(200);
    assertThat(usage.path("upstream_model").asText()).isNotEmpty();
    assertThat(usage.path("input_tokens").asLong()).isPositive();
    assertThat(usage.path("output_tokens").asLong()).isPositive();
    assertThat(usage.path("cost_usd").asDouble()).isPositive();
    assertThat(usage.toString()).doesNotContain("sk-test", "Hi");

    process.destroy();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
    assertThat(Files.readString(stderr)).doesNotContain("Exception");
  }

  /** {@code --hooks *}: every hook the jar carries, the sample plugin's blocked-words included. */
  @Test
  protected void jar_withAllHooks_pluginBlocksRequest_andUsageLogRecordsTheRejection()
      throws Exception {
    List<String> stdout = new ArrayList<>();
    BlockingQueue<String> lines = launch("--port", "0", "--hooks", "*");

    URI base = URI.create(awaitLine(lines, stdout, LISTENING).group(1));
    awaitFile(stderr, HOOK_TABLE_ALL);

    String body = ExampleAppContract.STREAM_BODY.replace("Hi", "say forbidden-word");
    HttpResponse<String> blocked =
        http.send(ExampleAppContract.post(base, "/v1/messages", body), ofString());
    assertThat(blocked.statusCode()).isEqualTo(400);
    assertThat(blocked.body())
        .contains("\"type\":\"invalid_request_error\"")
        .contains("Request blocked by policy: it contains 'forbidden-word'");
    String requestId = blocked.headers().firstValue("request-id").orElseThrow();

    JsonNode usage = awaitUsageLine(requestId);
    assertThat(usage.path("outcome").asText()).isEqualTo("rejected");
    assertThat(usage.path("status").asInt()).isEqualTo(400);
    assertThat(usage.has("cost_usd")).isFalse();

    HttpResponse<String> clean =
        http.send(ExampleAppContract.post(base, "/v1/messages", ExampleAppContract.STREAM_BODY),
            ofString());
    assertThat(clean.statusCode()).isEqualTo(200);
    JsonNode completed =
        awaitUsageLine(clean.headers().firstValue("request-id").orElseThrow());
    assertThat(completed.path("outcome").asText()).isEqualTo("completed");
    assertThat(completed.path("cost_usd").asDouble()).isPositive();
  }

  /**
   * {@link dev.sluice.hook.ExchangeRecord#model()} is the requested model: the alias, not the
   * upstream model a hook rewrote it to, and known even for a request a hook rejected.
   */
  @Test
  protected void jar_usageLine_recordsTheRequestedModel() throws Exception {
    List<String> stdout = new ArrayList<>();
    BlockingQueue<String> lines =
        launch("--port", "0", "--hooks", "usage-log,model-alias,blocked-words");
    URI base = URI.create(awaitLine(lines, stdout, LISTENING).group(1));
    String aliased = ExampleAppContract.STREAM_BODY.replace("claude-sonnet-4-5", "claude-fast");

    HttpResponse<String> relayed =
        http.send(ExampleAppContract.post(base, "/v1/messages", aliased), ofString());
    HttpResponse<String> blocked =
        http.send(ExampleAppContract.post(base, "/v1/messages",
            aliased.replace("Hi", "forbidden-word")), ofString());

    JsonNode relayedLine = awaitUsageLine(relayed.headers().firstValue("request-id").get());
    assertThat(relayedLine.path("model").asText()).isEqualTo("claude-fast");
    assertThat(relayedLine.path("upstream_model").asText()).isNotEqualTo("claude-fast");
    JsonNode blockedLine = awaitUsageLine(blocked.headers().firstValue("request-id").get());
    assertThat(blockedLine.path("model").asText()).isEqualTo("claude-fast");
    assertThat(blockedLine.path("stream").asBoolean()).isTrue();
  }

  /**
   * {@code --metrics}: the micrometer hook is enabled beside the hooks given, and after one
   * exchange {@code GET /metrics} shows it in Prometheus's format, with bounded tags only.
   */
  @Test
  protected void jar_metricsFlag_servesPrometheusMetricsAfterOneExchange() throws Exception {
    List<String> stdout = new ArrayList<>();
    BlockingQueue<String> lines = launch("--port", "0", "--metrics", "--hooks", "usage-log");
    URI base = URI.create(awaitLine(lines, stdout, LISTENING).group(1));
    awaitLine(lines, stdout, Pattern.compile("metrics: " + Pattern.quote(base + "/metrics")));
    awaitFile(stderr, "micrometer[ARRIVAL, COMPLETE], usage-log[COMPLETE]");

    HttpResponse<String> relayed = http.send(ExampleAppContract.post(base, "/v1/messages",
        ExampleAppContract.STREAM_BODY), ofString());
    assertThat(relayed.statusCode()).isEqualTo(200);
    awaitUsageLine(relayed.headers().firstValue("request-id").orElseThrow());

    String completed = "sluice_exchanges_total{model=\"claude-sonnet-4-5\",outcome=\"completed\","
        + "status=\"2xx\"} 1.0";
    HttpResponse<String> metrics = null;
    for (int i = 0; i < 100; i++) { // the hook counts the exchange just after the response ended
      metrics = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(), ofString());
      if (metrics.body().contains(completed)) break;
      Thread.sleep(50);
    }
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
    assertThat(metrics.body()).contains(completed)
        .contains("sluice_ttft_seconds_bucket{model=\"claude-sonnet-4-5\",le=")
        .contains("sluice_duration_seconds_count{model=\"claude-sonnet-4-5\",outcome=\"completed\"} 1")
        .contains("sluice_tokens_total{model=\"claude-sonnet-4-5\",type=\"output\"}")
        .contains("sluice_exchanges_active 0.0")
        .doesNotContain("req_").doesNotContain("sk-");
  }

  @Test
  protected void jar_unknownHook_failsStartAndExits1() throws Exception {
    launch("--port", "0", "--hooks", "no-such-hook");

    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
    assertThat(process.exitValue()).isEqualTo(1);
    assertThat(Files.readString(stderr))
        .contains(program + ": " + container + " failed to start")
        .contains("no hook named 'no-such-hook'; available: ")
        .contains("blocked-words");
  }

  @Test
  protected void jar_badArgument_printsUsageAndExits2() throws Exception {
    launch("--port", "not-a-port");

    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(Files.readString(stderr)).contains("--port", "usage: java -jar " + program + ".jar");
  }

  /**
   * {@code --hooks opentelemetry} with the SDK the jar carries, configured from the environment
   * as the OpenTelemetry docs show ({@code OTEL_TRACES_EXPORTER=logging}): each exchange's span
   * is printed, a child of nothing (no server instrumentation in the example), with its usage.
   */
  @Test
  protected void jar_opentelemetryHook_printsTheExchangesSpanWithTheSdksLoggingExporter()
      throws Exception {
    List<String> stdout = new ArrayList<>();
    BlockingQueue<String> lines = launch(Map.of("OTEL_JAVA_GLOBAL_AUTOCONFIGURE_ENABLED", "true",
            "OTEL_TRACES_EXPORTER", "logging", "OTEL_METRICS_EXPORTER", "none",
            "OTEL_LOGS_EXPORTER", "none", "OTEL_SERVICE_NAME", "sluice-example"),
        "--port", "0", "--hooks", "opentelemetry");
    URI base = URI.create(awaitLine(lines, stdout, LISTENING).group(1));
    awaitFile(stderr, "hooks: opentelemetry[ARRIVAL, REQUEST, COMPLETE]");

    HttpResponse<String> relayed = http.send(ExampleAppContract.post(base, "/v1/messages",
        ExampleAppContract.STREAM_BODY), ofString());
    assertThat(relayed.statusCode()).isEqualTo(200);
    String log = awaitFile(stderr, "'chat claude-sonnet-4-5'");
    assertThat(log).contains("gen_ai.usage.output_tokens=")
        .contains("gen_ai.provider.name=anthropic").contains("sluice.outcome=completed")
        .doesNotContain("sk-test");
  }

  private BlockingQueue<String> launch(String... args) throws IOException {
    return launch(Map.of(), args);
  }

  private BlockingQueue<String> launch(Map<String, String> env, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jarFile.toString());
    command.addAll(List.of(args));
    stderr = Files.createTempFile(Path.of("target"), "shaded-jar-it", ".stderr");
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.to(stderr.toFile()))
        .redirectInput(ProcessBuilder.Redirect.PIPE);
    builder.environment().putAll(env);
    process = builder.start();
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

  /** Waits for {@code needle} in {@code file} (the process's stderr, where slf4j-simple logs). */
  private String awaitFile(Path file, String needle) throws Exception {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    String content = "";
    while (System.nanoTime() < deadline) {
      content = Files.readString(file);
      if (content.contains(needle)) return content;
      if (!process.isAlive()) break;
      Thread.sleep(50);
    }
    throw new AssertionError("no '" + needle + "' in stderr: " + content);
  }

  /**
   * The JSON of the {@code sluice.usage} line for {@code requestId}. The usage-log hook runs after
   * the response has ended, on Sluice's completion executor, so the line may come a little later.
   */
  private JsonNode awaitUsageLine(String requestId) throws Exception {
    String needle = "\"request_id\":\"" + requestId + "\"";
    awaitFile(stderr, needle);
    for (String line : Files.readAllLines(stderr, StandardCharsets.UTF_8)) {
      // slf4j-simple shows the short logger name: "... [INFO] usage - {...}".
      if (line.contains(" usage - {") && line.contains(needle)) {
        return new ObjectMapper().readTree(line.substring(line.indexOf('{')));
      }
    }
    throw new AssertionError("no sluice.usage line for " + requestId + " in stderr: "
        + Files.readString(stderr));
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
