package dev.sluice.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.sluice.testkit.LogCapture;
import dev.sluice.testkit.MockUpstream;
import dev.sluice.testkit.RecordedRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What Sluice guarantees against a hostile or unlucky client, on any container: credentials never
 * reach a log line or an error body, the upstream host and path prefix are fixed by configuration,
 * no request escapes {@code /v1/messages} upstream or reaches the app's own servlets through it,
 * and no header line can be split with CR or LF. Requests go over a raw socket ({@link RawHttp}),
 * since {@code java.net.http} would normalise what is under test.
 *
 * <p>A container module extends this class and supplies only {@link #start}; its web app must carry
 * {@code sample-plugin} (the {@code blocked-words} hook rejects requests here). Containers differ
 * in what they refuse themselves (an ambiguous URI, a folded header): the tests assert the
 * guarantee, never the container's wording. A check that cannot apply is overridden in the
 * subclass with {@code @Disabled("why")}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class SecurityContract extends ContainerSuite {
  /** Test credentials: one per place a key travels. None may show up in a log or error body. */
  protected static final String CLIENT_KEY = "sk-ant-api03-SECRETclient-4b1d";
  protected static final String BEARER = "sk-ant-oat01-SECRETbearer-77e0";
  protected static final String CONFIGURED_KEY = "sk-ant-api03-SECRETconfigured-c9a2";
  protected static final String COOKIE = "SECRETcookie-5f1e";
  static final List<String> SECRETS = List.of(CLIENT_KEY, BEARER, CONFIGURED_KEY, COOKIE, "SECRET");
  static final int MAX_BODY = 64 * 1024;
  static final String REQUEST = RelayContract.REQUEST;
  static final Duration TAKE = Duration.ofSeconds(5);
  /** Every Anthropic path under /v1/messages has this shape; nothing else may reach upstream. */
  static final Pattern CLEAN = Pattern.compile("/v1/messages(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*");

  /** A second upstream nothing may ever reach: what a hijacked request would connect to. */
  private MockUpstream elsewhere;
  /** Requests of the log battery that became exchanges (each ends with a debug line). */
  private int exchanges;

  @Override
  Map<String, String> defaultSettings() {
    return Map.of("hooks", "usage-log,blocked-words", "max-request-bytes", "" + MAX_BODY);
  }

  @BeforeAll
  void startElsewhere() {
    elsewhere = MockUpstream.start();
  }

  @AfterAll
  void stopElsewhere() {
    if (elsewhere != null) {
      elsewhere.close();
    }
  }

  // ---- credentials: every log line, every error body ----

  /**
   * A battery of requests, each carrying every kind of credential, through every path an exchange
   * can take (streams, upstream errors, a refused connection, both timeouts, a cut, client
   * disconnects before and after the first byte, an oversized body, a hook's rejection, a
   * configured key, a wrong method, an unclean path, a folded header), with Sluice at debug. Then
   * every line the JVM logged (System.out, System.err, java.util.logging) is scanned for the keys,
   * and every error body Sluice wrote for stack traces and class names.
   */
  @Test
  protected void credentials_neverInAnyLogLine_norErrorBody() throws Exception {
    List<String> bodies = new ArrayList<>();
    try (LogCapture logs = LogCapture.start("dev.sluice", "sluice")) {
      assertThat(LogCapture.debugEnabled("dev.sluice.Exchange"))
          .as("Sluice logs at debug during the battery (else the scan proves little)").isTrue();
      exchanges = 0;
      battery(bodies);
      awaitLines(logs, " ended [A-Z_]+ after ", exchanges);
      awaitLines(logs, "\"outcome\":", exchanges); // usage-log, from the completion thread
      assertThat(logs.text()).as("the capture saw Sluice's debug and usage lines")
          .contains("ended COMPLETED", "ended CLIENT_CANCELLED", "ended TIMED_OUT",
              "ended UPSTREAM_FAILED", "ended REJECTED", "answered 413", "upstream failed",
              "api-key=(set, redacted)");
      List<String> leaks = logs.lines().stream()
          .filter(l -> SECRETS.stream().anyMatch(l::contains)).toList();
      assertThat(leaks).as("log lines holding a credential").isEmpty();
    }
    assertThat(bodies).hasSize(7).allSatisfy(b -> assertThat(b)
        .doesNotContain("Exception", "\tat ", "java.", "dev.sluice.")
        .satisfies(x -> assertThat(SECRETS).noneMatch(x::contains)));
  }

  /** Runs the requests, counting in {@link #exchanges} those that became exchanges. */
  private void battery(List<String> bodies) throws Exception {
    for (String scenario : List.of("text", "error_401", "error_500")) {
      keyed(app.baseUri(), "/v1/messages", REQUEST, "x-mock-scenario", scenario);
    }
    keyed(app.baseUri(), "/v1/messages", REQUEST.replace("\"stream\":true,", ""));
    keyed(app.baseUri(), "/v1/messages/count_tokens", REQUEST);
    ContainerUnderTest configured = container("log-configured-key", mock.baseUri(),
        Map.of("api-key", CONFIGURED_KEY));
    keyed(configured.baseUri(), "/v1/messages", REQUEST);
    ContainerUnderTest dead = container("log-dead", URI.create("http://127.0.0.1:" + closedPort()),
        Map.of("api-key", CONFIGURED_KEY));
    bodies.add(errorBody(keyed(dead.baseUri(), "/v1/messages", REQUEST), 502));
    ContainerUnderTest tight = container("log-tight", mock.baseUri(),
        Map.of("headers-timeout", "1s", "idle-timeout", "1s"));
    bodies.add(errorBody(keyed(tight.baseUri(), "/v1/messages", REQUEST,
        "x-mock-header-delay-ms", "5000"), 504));
    String hold = "security-idle-" + System.nanoTime();
    keyed(tight.baseUri(), "/v1/messages", REQUEST, "x-mock-hold", hold);
    mock.release(hold);
    keyed(app.baseUri(), "/v1/messages", REQUEST, "x-mock-scenario", "abrupt_close");
    disconnects();
    String big = "{\"model\":\"m\",\"pad\":\"" + "x".repeat(MAX_BODY) + "\"}";
    bodies.add(errorBody(keyed(app.baseUri(), "/v1/messages", big), 413));
    bodies.add(errorBody(keyed(app.baseUri(), "/v1/messages",
        REQUEST.replace("Hi", "forbidden-word")), 400)); // blocked-words
    bodies.add(errorBody(raw("GET", "/v1/messages", credentialHeaders(), ""), 405));
    bodies.add(errorBody(raw("POST", "/v1/messages/.x", credentialHeaders(), REQUEST), 400));
    // A container may refuse a folded line or unfold it; some log the offending line, so no key
    // goes in it (that would test the container's logging, not Sluice's).
    List<Map.Entry<String, String>> folded = credentialHeaders();
    folded.add(Map.entry("x-folded", "a\r\n x-smuggled: 1"));
    raw("POST", "/v1/messages", folded, REQUEST);
    bodies.add(errorBody(keyed(app.baseUri(), "/v1/messages", REQUEST, "x-mock-scenario",
        "no_such_scenario"), 400)); // the mock's own error, relayed
  }

  /** Two clients that hang up, mid-stream and before the first byte. */
  private void disconnects() throws Exception {
    mock.reset(); // takeRequest below must see these requests, not the battery's earlier ones
    List<Map.Entry<String, String>> headers = credentialHeaders();
    headers.add(Map.entry("x-mock-scenario", "paced"));
    headers.add(Map.entry("x-mock-deltas", "400"));
    headers.add(Map.entry("x-mock-delay-ms", "25"));
    try (RawHttp raw = RawHttp.send(app.baseUri(), "POST", "/v1/messages", headers,
        bytes(REQUEST), false, 0)) {
      raw.readHead();
      assertThat(raw.body().read(new byte[64])).isPositive();
    }
    assertThat(mock.takeRequest(TAKE).awaitOutcome(Duration.ofSeconds(10)))
        .isEqualTo(RecordedRequest.Outcome.CLIENT_CLOSED_EARLY);
    headers.add(Map.entry("x-mock-first-delay-ms", "1000"));
    RawHttp early = RawHttp.send(app.baseUri(), "POST", "/v1/messages", headers, bytes(REQUEST),
        false, 0);
    RecordedRequest seen = mock.takeRequest(TAKE);
    early.close();
    assertThat(seen.awaitOutcome(Duration.ofSeconds(10)))
        .isEqualTo(RecordedRequest.Outcome.CLIENT_CLOSED_EARLY);
    exchanges += 2;
  }

  // ---- the upstream is fixed ----

  /**
   * Request targets that try to leave {@code /v1/messages} upstream, or reach the app's own
   * servlet ({@code APP} stands for {@link ContainerUnderTest#appPath()}), with dot-segments raw,
   * percent-encoded, double-encoded, as path parameters or with backslashes. Each is either
   * relayed on a clean path under {@code /v1/messages}, or refused with a 4xx (by Sluice or by the
   * container) before anything reaches upstream; the app's servlet never answers.
   */
  @ParameterizedTest
  @ValueSource(strings = {"/v1/messages/../../APP", "/v1/messages/..%2F..%2FAPP",
      "/v1/messages/%2e%2e/%2e%2e/APP", "/v1/messages/%2E%2E%2F%2E%2E%2FAPP",
      "/v1/messages/..;/..;/APP", "/v1/messages/..%5C..%5CAPP", "/v1/messages/..\\..\\APP",
      "/v1/messages/%252e%252e/%252e%252e/APP", "/v1/messages%2F..%2F..%2FAPP",
      "/v1/messages;x=1/../../APP", "/v1/messages/./../../APP", "/v1/messages/x/../../../APP",
      "/v1/messages/%2e%2e", "/v1/messages/..", "/v1/messages/../admin",
      "/v1/messages/%c0%ae%c0%ae/APP", "/v1/messages/count_tokens/%2e%2e",
      "/v1/messages/%2fadmin", "/v1/messages//x", "/v1/messages/x%00y"})
  protected void escapingPath_neverLeavesMessagesUpstream_norReachesTheApp(String target)
      throws Exception {
    String path = target.replace("/APP", app.appPath());
    String appAnswer = appAnswer();
    try (RawHttp raw = RawHttp.send(app.baseUri(), "POST", path,
        RelayContract.jsonHeaders(), bytes(REQUEST), false, 0)) {
      int status = raw.readHead().status();
      String body = new String(raw.readBody(), StandardCharsets.UTF_8);
      assertThat(body).as("the app's own servlet answered").isNotEqualTo(appAnswer);
      assertRelayedCleanlyOrRefused(status, body);
    }
  }

  /**
   * The host Sluice connects to is the configured one, whatever the request line's authority,
   * {@code Host}, {@code X-Forwarded-*} or {@code Forwarded} say: a second listener standing for
   * the attacker's host never sees a connection, and upstream sees its own authority as Host.
   */
  @ParameterizedTest
  @ValueSource(strings = {"absolute-uri", "host", "x-forwarded-host", "forwarded"})
  protected void requestCannotChooseTheUpstreamHost(String how) throws Exception {
    assumeThat(app.baseUri().getRawPath()).as("absolute-form needs the root context").isEmpty();
    String evil = "127.0.0.1:" + elsewhere.port();
    List<Map.Entry<String, String>> headers = RelayContract.jsonHeaders();
    String path = "/v1/messages";
    switch (how) {
      case "absolute-uri": // with a Host that agrees, or the container refuses it outright
        path = "http://" + evil + "/v1/messages";
        headers.add(Map.entry("Host", evil));
        break;
      case "host":
        headers.add(Map.entry("Host", evil));
        break;
      case "x-forwarded-host":
        headers.add(Map.entry("X-Forwarded-Host", evil));
        headers.add(Map.entry("X-Forwarded-Proto", "http"));
        headers.add(Map.entry("X-Forwarded-Prefix", "/admin"));
        headers.add(Map.entry("X-Forwarded-Port", "" + elsewhere.port()));
        break;
      default:
        headers.add(Map.entry("Forwarded", "host=\"" + evil + "\";proto=http"));
    }
    try (RawHttp raw = RawHttp.send(app.baseUri(), "POST", path, headers, bytes(REQUEST), false,
        0)) {
      int status = raw.readHead().status();
      assertRelayedCleanlyOrRefused(status, new String(raw.readBody(), StandardCharsets.UTF_8));
    }
    for (RecordedRequest r : mock.requests()) {
      assertThat(r.path()).isEqualTo("/v1/messages");
      assertThat(r.header("host")).isEqualTo("127.0.0.1:" + mock.port());
    }
    assertThat(elsewhere.requests()).isEmpty();
    assertThat(elsewhere.openConnections()).isZero();
  }

  // ---- CR/LF from the client ----

  /**
   * Header lines a client tries to split or fold. The container may refuse them (4xx) or unfold
   * them into one value; either way no value with CR or LF and no smuggled header reaches upstream.
   */
  @ParameterizedTest
  @ValueSource(strings = {"a\r\n x-smuggled: 1", "a\r\n\tx-smuggled: 1", "a\rx-smuggled: 1",
      "a\u0000x-smuggled: 1"})
  protected void clientHeaderWithCrLf_neverSplitsTheUpstreamRequest(String value)
      throws Exception {
    List<Map.Entry<String, String>> headers = RelayContract.jsonHeaders();
    headers.add(Map.entry("x-trace", value));
    try (RawHttp raw = RawHttp.send(app.baseUri(), "POST", "/v1/messages", headers,
        bytes(REQUEST), false, 0)) {
      int status = raw.readHead().status();
      raw.readBody();
      assertThat(status).isIn(200, 400);
    }
    for (RecordedRequest r : mock.requests()) {
      assertThat(r.headerList()).noneMatch(h -> h.getKey().contains("smuggled"))
          .noneMatch(h -> h.getValue().matches("(?s).*[\r\n\u0000].*"));
    }
  }

  // ---- helpers ----

  private void assertRelayedCleanlyOrRefused(int status, String body) throws Exception {
    if (status == 200) {
      RecordedRequest upstream = mock.takeRequest(TAKE);
      assertThat(upstream.path()).matches(CLEAN);
      assertThat(mock.requests()).hasSize(1);
    } else {
      assertThat(status).as("refused: " + body).isBetween(400, 499);
      assertThat(mock.requests()).as("nothing reached upstream").isEmpty();
    }
    assertThat(elsewhere.requests()).isEmpty();
  }

  /** What the app's own servlet answers to this request body, to recognise it. */
  private String appAnswer() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(app.baseUri() + app.appPath()))
        .POST(HttpRequest.BodyPublishers.ofString(REQUEST)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** A status and a body. */
  private record Answer(int status, String body) {}

  /** A request carrying every credential (x-api-key, a Bearer token, a cookie). */
  private Answer keyed(URI base, String path, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
        .header("x-api-key", CLIENT_KEY).header("authorization", "Bearer " + BEARER)
        .header("cookie", "session=" + COOKIE)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    exchanges++; // a POST on a clean path: Sluice relays or answers it as an exchange
    return new Answer(r.statusCode(), r.body());
  }

  private static List<Map.Entry<String, String>> credentialHeaders() {
    List<Map.Entry<String, String>> headers = RelayContract.jsonHeaders(
        "x-api-key", CLIENT_KEY, "authorization", "Bearer " + BEARER);
    headers.add(Map.entry("cookie", "session=" + COOKIE));
    return headers;
  }

  private Answer raw(String method, String path,
      List<Map.Entry<String, String>> headers, String body) throws IOException {
    try (RawHttp raw = RawHttp.send(app.baseUri(), method, path, headers, bytes(body), false,
        0)) {
      int status = raw.readHead().status();
      return new Answer(status, new String(raw.readBody(), StandardCharsets.UTF_8));
    }
  }

  private static String errorBody(Answer r, int status) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.body()).startsWith("{\"type\":\"error\",\"error\":{\"type\":\"");
    return r.body();
  }

  /** Waits until {@code n} captured lines match {@code regex}: the exchanges have all ended. */
  private static void awaitLines(LogCapture logs, String regex, int n)
      throws InterruptedException {
    Pattern p = Pattern.compile(regex);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    long seen = 0;
    while (System.nanoTime() < deadline) {
      seen = logs.lines().stream().filter(l -> p.matcher(l).find()).count();
      if (seen >= n) {
        return;
      }
      Thread.sleep(20); // polling a condition there is no callback for
    }
    throw new AssertionError(seen + " of " + n + " log lines matching " + regex);
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
