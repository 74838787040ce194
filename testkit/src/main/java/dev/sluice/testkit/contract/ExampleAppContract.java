package dev.sluice.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An example app with Sluice in its {@code web.xml}: the app stays intact (its servlet at {@code
 * /hello}, its welcome page, its 404s), Sluice relays byte for byte, and settings reach the filter.
 * A container module extends this class, names its app in the constructor and supplies only
 * {@link #start}, which starts the app at the root context path.
 */
public abstract class ExampleAppContract extends ContainerSuite {
  public static final String STREAM_BODY =
      "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,\"stream\":true,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
  public static final String COUNT_BODY =
      "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

  private final String appName;
  private final String title;

  /**
   * @param appName what the app's servlet says it is ({@code "app":"jetty-example"})
   * @param title the welcome page's heading ({@code Sluice Jetty example})
   */
  protected ExampleAppContract(String appName, String title) {
    this.appName = Objects.requireNonNull(appName, "appName == null");
    this.title = Objects.requireNonNull(title, "title == null");
  }

  @Override
  Map<String, String> defaultSettings() {
    return Map.of("idle-timeout", "30s");
  }

  @Test
  protected void baseUri_isLoopbackWithBoundPort() {
    URI base = app.baseUri();
    assertThat(base.getPort()).isPositive();
    assertThat(base).isEqualTo(URI.create("http://127.0.0.1:" + base.getPort()));
  }

  @Test
  protected void helloServlet_answersGet() throws Exception {
    HttpResponse<String> response = send(get("/hello"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("application/json"));
    assertThat(response.body()).contains("\"method\":\"GET\"", "\"message\":\"hello\"");
  }

  @Test
  protected void welcomePage_servedAtRoot() throws Exception {
    HttpResponse<String> response = send(get("/"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("text/html"));
    assertThat(response.body()).contains("<h1>" + title + "</h1>");
  }

  @Test
  protected void postToAppServlet_reachesServletWithItsBody() throws Exception {
    // A messages-shaped body on another path: the filter must leave it to the app.
    HttpResponse<String> response = send(post(app.baseUri(), "/hello", STREAM_BODY));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .isEqualTo(
            "{\"app\":\"" + appName + "\",\"method\":\"POST\",\"bytes\":"
                + STREAM_BODY.getBytes(StandardCharsets.UTF_8).length
                + "}");
  }

  @Test
  protected void unknownPath_isTheAppsOwn404() throws Exception {
    assertThat(send(get("/no-such-page")).statusCode()).isEqualTo(404);
  }

  /**
   * The body is the upstream's, byte for byte, for every golden transcript; the Content-Type is
   * the same media type, compared as such (Tomcat writes it back without the space after
   * {@code ;}, which RFC 9110 §8.3.1 allows).
   */
  @ParameterizedTest
  @ValueSource(strings = {"text", "long_text", "tool_use", "thinking", "citations",
      "server_tools", "multi_block", "unicode", "crlf", "mid_stream_error"})
  protected void streamedMessages_sameBytesAsDirect(String scenario) throws Exception {
    HttpResponse<byte[]> direct = sendBytes(
        post(mock.baseUri(), "/v1/messages", STREAM_BODY, "x-mock-scenario", scenario));
    HttpResponse<byte[]> proxied = sendBytes(
        post(app.baseUri(), "/v1/messages", STREAM_BODY, "x-mock-scenario", scenario));

    assertThat(direct.statusCode()).isEqualTo(200);
    assertThat(proxied.statusCode()).isEqualTo(200);
    MediaType.assertSame(proxied.headers().firstValue("content-type"),
        direct.headers().firstValue("content-type"));
    assertThat(new String(proxied.body(), StandardCharsets.UTF_8))
        .startsWith("event: message_start");
    assertThat(proxied.body()).isNotEmpty().isEqualTo(direct.body());
  }

  @Test
  protected void streamedText_endsWithMessageStop() throws Exception {
    HttpResponse<byte[]> proxied = sendBytes(post(app.baseUri(), "/v1/messages", STREAM_BODY));

    assertThat(new String(proxied.body(), StandardCharsets.UTF_8))
        .startsWith("event: message_start")
        .endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
  }

  @Test
  protected void countTokens_sameBytesAsDirect() throws Exception {
    HttpResponse<byte[]> direct =
        sendBytes(post(mock.baseUri(), "/v1/messages/count_tokens", COUNT_BODY));
    HttpResponse<byte[]> proxied =
        sendBytes(post(app.baseUri(), "/v1/messages/count_tokens", COUNT_BODY));

    assertThat(direct.statusCode()).isEqualTo(200);
    assertThat(proxied.statusCode()).isEqualTo(200);
    assertThat(new String(proxied.body(), StandardCharsets.UTF_8)).contains("\"input_tokens\"");
    assertThat(proxied.body()).isEqualTo(direct.body());
  }

  @Test
  protected void settings_reachFilterAsContextInitParams() throws Exception {
    String big = STREAM_BODY.replace("Hi", "x".repeat(200));
    try (ContainerUnderTest small = start(mock.baseUri(), Map.of("max-request-bytes", "64"))) {
      HttpResponse<String> rejected = send(post(small.baseUri(), "/v1/messages", big));
      HttpResponse<String> app = send(post(small.baseUri(), "/hello", big));

      assertThat(rejected.statusCode()).isEqualTo(413);
      assertThat(rejected.body()).contains("\"type\":\"error\"");
      assertThat(app.statusCode()).as("the limit is the filter's, not the app's").isEqualTo(200);
    }
  }

  /** The filter's init fails on an invalid setting, and so does the app's start. */
  @Test
  protected void invalidSetting_failsStart() {
    Throwable thrown = catchThrowable(() ->
        start(mock.baseUri(), Map.of("idle-timeout", "soon")).close());

    assertThat(thrown).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("failed to start");
  }

  // ---- helpers, also for the container's own tests ----

  protected HttpRequest get(String path) {
    return HttpRequest.newBuilder(URI.create(app.baseUri() + path))
        .timeout(Duration.ofSeconds(30)).build();
  }

  /** A POST of {@code json} to {@code base + path}, as an SDK sends it, plus {@code headers}. */
  public static HttpRequest post(URI base, String path, String json, String... headers) {
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

  protected HttpResponse<String> send(HttpRequest request)
      throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  protected HttpResponse<byte[]> sendBytes(HttpRequest request)
      throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }
}
