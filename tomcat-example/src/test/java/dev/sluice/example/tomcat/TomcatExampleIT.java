package dev.sluice.example.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.sluice.testkit.MockUpstream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The example app stays intact with Sluice in its web.xml, and Sluice relays byte for byte. */
class TomcatExampleIT {
  static final String STREAM_BODY =
      "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,\"stream\":true,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
  static final String COUNT_BODY =
      "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

  static MockUpstream mock;
  static TomcatExample.Running app;
  static HttpClient http;

  @BeforeAll
  static void start() {
    mock = MockUpstream.start();
    app = TomcatExample.start(0, mock.baseUri(), Map.of("idle-timeout", "30s"));
    http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  @AfterAll
  static void stop() {
    if (app != null) app.close();
    if (mock != null) mock.close();
  }

  @Test
  void baseUri_isLoopbackWithBoundPort() {
    assertThat(app.port()).isPositive();
    assertThat(app.baseUri()).isEqualTo(URI.create("http://127.0.0.1:" + app.port()));
  }

  @Test
  void helloServlet_answersGet() throws Exception {
    HttpResponse<String> response = send(get("/hello"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("application/json"));
    assertThat(response.body()).contains("\"method\":\"GET\"", "\"message\":\"hello\"");
  }

  @Test
  void welcomePage_servedAtRoot() throws Exception {
    HttpResponse<String> response = send(get("/"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("text/html"));
    assertThat(response.body()).contains("<h1>Sluice Tomcat example</h1>");
  }

  @Test
  void postToAppServlet_reachesServletWithItsBody() throws Exception {
    // A messages-shaped body on another path: the filter must leave it to the app.
    HttpResponse<String> response = send(post("/hello", STREAM_BODY));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .isEqualTo(
            "{\"app\":\"tomcat-example\",\"method\":\"POST\",\"bytes\":"
                + STREAM_BODY.getBytes(StandardCharsets.UTF_8).length
                + "}");
  }

  @Test
  void unknownPath_isTheAppsOwn404() throws Exception {
    assertThat(send(get("/no-such-page")).statusCode()).isEqualTo(404);
  }

  /**
   * The body is the upstream's, byte for byte, for every golden transcript. The content type is
   * the same media type, but not the same bytes: Tomcat parses every Content-Type it is given
   * (there is no raw header path in the Servlet API) and writes it back as {@code
   * type;charset=<as given>}, dropping the optional space after the {@code ;}. RFC 9110 §8.3.1
   * makes the two equivalent; the SDKs read both. This is why RelayContractIT disables the
   * contract's header-exact variant of this check on Tomcat.
   */
  @ParameterizedTest
  @ValueSource(strings = {"text", "long_text", "tool_use", "thinking", "citations",
      "server_tools", "multi_block", "unicode", "crlf", "mid_stream_error"})
  void streamedMessages_sameBytesAsDirect(String scenario) throws Exception {
    HttpResponse<byte[]> direct = sendBytes(
        post(mock.baseUri(), "/v1/messages", STREAM_BODY, "x-mock-scenario", scenario));
    HttpResponse<byte[]> proxied = sendBytes(
        post(app.baseUri(), "/v1/messages", STREAM_BODY, "x-mock-scenario", scenario));

    assertThat(direct.statusCode()).isEqualTo(200);
    assertThat(proxied.statusCode()).isEqualTo(200);
    assertThat(direct.headers().firstValue("content-type"))
        .hasValue("text/event-stream; charset=utf-8");
    assertThat(proxied.headers().firstValue("content-type"))
        .hasValue("text/event-stream;charset=utf-8");
    assertThat(new String(proxied.body(), StandardCharsets.UTF_8))
        .startsWith("event: message_start");
    assertThat(proxied.body()).isNotEmpty().isEqualTo(direct.body());
  }

  @Test
  void streamedText_endsWithMessageStop() throws Exception {
    HttpResponse<byte[]> proxied = sendBytes(post("/v1/messages", STREAM_BODY));

    assertThat(new String(proxied.body(), StandardCharsets.UTF_8))
        .startsWith("event: message_start")
        .endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
  }

  @Test
  void countTokens_sameBytesAsDirect() throws Exception {
    HttpResponse<byte[]> direct =
        sendBytes(post(mock.baseUri(), "/v1/messages/count_tokens", COUNT_BODY));
    HttpResponse<byte[]> proxied = sendBytes(post("/v1/messages/count_tokens", COUNT_BODY));

    assertThat(direct.statusCode()).isEqualTo(200);
    assertThat(proxied.statusCode()).isEqualTo(200);
    assertThat(new String(proxied.body(), StandardCharsets.UTF_8)).contains("\"input_tokens\"");
    assertThat(proxied.body()).isEqualTo(direct.body());
  }

  @Test
  void invalidSetting_failsStart() {
    assertThatIllegalStateException()
        .isThrownBy(() -> TomcatExample.start(0, mock.baseUri(), Map.of("idle-timeout", "soon")))
        .withMessageStartingWith("Tomcat failed to start the web app on 127.0.0.1:0");
  }

  /**
   * Undeploying the app (here: stopping Tomcat) must leave no thread of its behind: Tomcat's
   * WebappClassLoaderBase.clearReferencesThreads warns about each one, since such a thread pins
   * the app's class loader (a leak on every redeploy).
   */
  @Disabled(TomcatDifferences.HTTP_CLIENT_THREAD_LEFT)
  @Test
  void stop_leavesNoThreadOfTheWebAppRunning() throws Exception {
    List<String> warnings = new CopyOnWriteArrayList<>();
    Logger logger = Logger.getLogger("org.apache.catalina.loader.WebappClassLoaderBase");
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
          warnings.add(new SimpleFormatter().formatMessage(record));
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    logger.addHandler(capture);
    try {
      try (TomcatExample.Running running = TomcatExample.start(0, mock.baseUri(), Map.of())) {
        send(post(running.baseUri(), "/v1/messages", STREAM_BODY)); // the relay is in use
      }
    } finally {
      logger.removeHandler(capture);
    }

    assertThat(warnings).noneMatch(w -> w.contains("failed to stop it"));
  }

  @Test
  void settings_reachFilterAsContextInitParams() throws Exception {
    String big = STREAM_BODY.replace("Hi", "x".repeat(200));
    try (TomcatExample.Running small =
        TomcatExample.start(0, mock.baseUri(), Map.of("max-request-bytes", "64"))) {
      HttpResponse<String> rejected = send(post(small.baseUri(), "/v1/messages", big));
      HttpResponse<String> app = send(post(small.baseUri(), "/hello", big));

      assertThat(rejected.statusCode()).isEqualTo(413);
      assertThat(rejected.body()).contains("\"type\":\"error\"");
      assertThat(app.statusCode()).as("the limit is the filter's, not the app's").isEqualTo(200);
    }
  }

  static HttpRequest get(String path) {
    return HttpRequest.newBuilder(app.baseUri().resolve(path)).timeout(Duration.ofSeconds(30)).build();
  }

  static HttpRequest post(String path, String json) {
    return post(app.baseUri(), path, json);
  }

  static HttpRequest post(URI base, String path, String json, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json")
        .header("anthropic-version", "2023-06-01")
        .header("x-api-key", "sk-test")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b.build();
  }

  static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<byte[]> sendBytes(HttpRequest request)
      throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }
}
