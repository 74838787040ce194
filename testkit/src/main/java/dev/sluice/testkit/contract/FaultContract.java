package dev.sluice.testkit.contract;

import static dev.sluice.testkit.contract.RelayContract.REQUEST;
import static dev.sluice.testkit.contract.RelayContract.assertAnthropicError;
import static dev.sluice.testkit.contract.RelayContract.assertEndsWithErrorEvent;
import static dev.sluice.testkit.contract.RelayContract.awaitPlateau;
import static dev.sluice.testkit.contract.RelayContract.jsonHeaders;
import static dev.sluice.testkit.contract.RelayContract.request;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testkit.HookRecords;
import dev.sluice.testkit.RecordedRequest;
import dev.sluice.testkit.RecordedRequest.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fault matrix, for any container: each fault is injected through the mock upstream or a
 * misbehaving client, and each test checks three views of the one exchange:
 *
 * <ol>
 *   <li>the client's: the whole stream, or a terminal Anthropic {@code event: error} once the
 *       stream started, or an Anthropic JSON error with a {@code request-id} before it; never a
 *       silent cut;
 *   <li>upstream's: what the mock received, how its response ended, and that it writes no
 *       response any more ({@link dev.sluice.testkit.MockUpstream#activeResponses()} back to 0);
 *   <li>the complete-hook's: exactly one record per exchange, with the outcome, the usage seen so
 *       far, and {@code partial} set when the message is incomplete.
 * </ol>
 *
 * <p>The records come from {@code test-recorder}, filter-core's test-jar hook (see {@link
 * HookRecords}): a container module lists it in its test resources' {@code
 * META-INF/services/dev.sluice.hook.Hook}, and its web app must load it from the test class path.
 * The relay then runs with the complete-hook pipeline (a side parser assembles the record), not
 * as the pure byte relay {@link RelayContract} covers. A container module extends this class and
 * supplies {@link #start} and {@link #startWithWriteTimeout}; like {@link RelayContract}, a check that cannot apply on a
 * container is overridden in its subclass with {@code @Disabled("why")}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class FaultContract extends ContainerSuite {
  static final Duration AWAIT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STOP = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  private ContainerUnderTest impatient;

  @Override
  Map<String, String> defaultSettings() {
    return Map.of("hooks", HookRecords.HOOK_NAME);
  }

  @BeforeEach
  void forgetRecords() {
    HookRecords.drain();
  }

  @AfterEach
  void noSecondRecord() throws InterruptedException {
    awaitNoActiveResponses(); // so that a failed test's late record does not fail the next one
    assertThat(HookRecords.drain()).as("records beyond the one per exchange").isEmpty();
  }

  // ---- upstream unreachable: an Anthropic JSON error, and a record without usage ----

  @Test
  protected void upstreamConnectionRefused() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    ContainerUnderTest dead = container("refused", URI.create("http://127.0.0.1:" + closed),
        Map.of());
    assertLocalError(post(dead.baseUri(), REQUEST), 502, "api_error", "UPSTREAM_FAILED");
  }

  @Test
  protected void upstreamUnknownHost() throws Exception {
    // RFC 6761: .invalid never resolves, on any resolver.
    ContainerUnderTest nowhere = container("unknown-host",
        URI.create("http://sluice-fault-test.invalid:9"), Map.of());
    assertLocalError(post(nowhere.baseUri(), REQUEST), 502, "api_error", "UPSTREAM_FAILED");
  }

  /**
   * A listener whose accept queue is full and which never accepts: Linux drops further SYNs, so
   * the connect neither succeeds nor fails until the connect timeout, all on loopback.
   */
  @Test
  protected void upstreamConnectTimeout() throws Exception {
    try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<Socket> queued = fillAcceptQueue(full);
      try {
        ContainerUnderTest slow = container("connect-timeout",
            URI.create("http://127.0.0.1:" + full.getLocalPort()),
            Map.of("connect-timeout", "300ms"));
        assertLocalError(post(slow.baseUri(), REQUEST), 504, "timeout_error", "TIMED_OUT");
      } finally {
        for (Socket s : queued) {
          s.close();
        }
      }
    }
  }

  // ---- upstream too slow ----

  @Test
  protected void upstreamSilentBeforeHeaders() throws Exception {
    HttpResponse<byte[]> r = post(tight().baseUri(), REQUEST, "x-mock-header-delay-ms", "8000");
    assertAnthropicError(r, 504, "timeout_error");
    assertUpstreamEnded(Outcome.CLIENT_CLOSED_EARLY); // Sluice hung up on it
    HookRecords.Entry record = record("TIMED_OUT", false);
    assertThat(record.status()).isEqualTo(504);
    assertThat(record.requestId()).isEqualTo(r.headers().firstValue("request-id").orElseThrow());
    assertThat(record.usage().isEmpty()).isTrue();
  }

  @Test
  protected void upstreamSilentMidStream() throws Exception {
    String hold = "idle-" + System.nanoTime();
    try {
      HttpResponse<byte[]> r = post(tight().baseUri(), REQUEST, "x-mock-hold", hold);
      String body = new String(r.body(), UTF_8);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(body).startsWith("event: message_start\n").doesNotContain("message_stop");
      assertEndsWithErrorEvent(body, "timeout_error");
      assertUpstreamEnded(Outcome.CLIENT_CLOSED_EARLY);
      assertStartUsage(record("TIMED_OUT", true), body);
    } finally {
      mock.release(hold);
    }
  }

  // ---- upstream breaks the stream ----

  @Test
  protected void upstreamClosesMidStream() throws Exception {
    HttpResponse<byte[]> r = post(app.baseUri(), REQUEST,
        "x-mock-scenario", "abrupt_close", "x-mock-deltas", "20");
    String body = new String(r.body(), UTF_8);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(body).startsWith("event: message_start\n").doesNotContain("message_stop");
    assertEndsWithErrorEvent(body, "api_error");
    assertUpstreamEnded(Outcome.ABORTED_BY_MOCK);
    assertStartUsage(record("UPSTREAM_FAILED", true), body);
  }

  /**
   * Upstream's bytes reach the client exactly as sent, broken or not, and the side parser that
   * assembles the record copes: one record, no internal error (which would have added an error
   * event to the client's bytes).
   */
  @ParameterizedTest
  @ValueSource(strings = {"malformed_sse", "invalid_utf8"})
  protected void upstreamSendsBrokenEvents(String scenario) throws Exception {
    byte[] relayed = assertRelayedExactly(scenario);
    HookRecords.Entry record = record("COMPLETED", false);
    assertStartUsage(record, new String(relayed, UTF_8));
    assertThat(record.message().path("stop_reason").asText()).isEqualTo("end_turn");
  }

  @Test
  protected void upstreamErrorEventMidStream() throws Exception {
    byte[] relayed = assertRelayedExactly("mid_stream_error");
    assertThat(new String(relayed, UTF_8)).contains("event: error\n");
    assertStartUsage(record("UPSTREAM_ERROR", true), new String(relayed, UTF_8));
  }

  /** Upstream's error answers are relayed as they are, JSON or not; the record says so. */
  @ParameterizedTest
  @ValueSource(strings = {"error_429", "error_529", "error_502_html", "error_503_empty"})
  protected void upstreamErrorStatus(String scenario) throws Exception {
    HttpResponse<byte[]> r = post(app.baseUri(), REQUEST, "x-mock-scenario", scenario);
    RecordedRequest seen = assertUpstreamEnded(Outcome.COMPLETED);
    HttpResponse<byte[]> direct = post(mock.baseUri(), REQUEST, "x-mock-scenario", scenario);
    String directId = mock.takeRequest(AWAIT).requestId();
    assertThat(r.statusCode()).isEqualTo(direct.statusCode()).isGreaterThanOrEqualTo(400);
    assertThat(r.headers().firstValue("request-id")).hasValue(seen.requestId());
    assertThat(new String(r.body(), UTF_8))
        .isEqualTo(new String(direct.body(), UTF_8).replace(directId, seen.requestId()));
    HookRecords.Entry record = record("UPSTREAM_ERROR", false);
    assertThat(record.status()).isEqualTo(r.statusCode());
    assertThat(record.requestId()).isEqualTo(seen.requestId());
  }

  /**
   * 32 MiB of JSON, read by a client that first stops reading: upstream is paused (the relay
   * does not take the body into memory for the client), then every byte arrives as sent.
   */
  @Test
  protected void upstreamSendsHugeNonStreamingBody() throws Exception {
    String body = REQUEST.replace("\"stream\":true,", "");
    // Written in 64 KiB slices, so that the mock's count of bytes sent shows where it paused.
    String[] knobs = {"x-mock-scenario", "bulk", "x-mock-deltas", "8192",
        "x-mock-delta-bytes", "4096", "x-mock-chunk-bytes", "65536"};
    byte[] expected = sha256(http.send(request(mock.baseUri(), "/v1/messages", body, knobs),
        HttpResponse.BodyHandlers.ofInputStream()).body());
    mock.takeRequest(AWAIT);
    RecordedRequest seen;
    try (RawHttp raw = RawHttp.send(app.baseUri(), "POST", "/v1/messages", jsonHeaders(knobs),
        body.getBytes(UTF_8), false, 64 * 1024)) {
      raw.readHead();
      seen = mock.takeRequest(AWAIT);
      // Socket buffers on both hops hold more than half of it on loopback (up to 17 MiB seen):
      // what shows that the relay does not take the body in for the client is that it stops.
      assertThat(awaitPlateau(seen)).isLessThan(8192L * 4096);
      assertThat(sha256(raw.body())).isEqualTo(expected);
    }
    assertEnded(seen, Outcome.COMPLETED);
    HookRecords.Entry record = record("COMPLETED", false);
    assertThat(record.usage().path("output_tokens").asLong()).isEqualTo(8192);
  }

  // ---- the client goes away ----

  /**
   * The client leaves while Sluice waits for upstream's headers. However late the container
   * lets Sluice notice (at the latest, when upstream's headers arrive and the first write
   * fails), upstream is cancelled before it sent its stream, and the record says so.
   */
  @Test
  protected void clientGoneBeforeUpstreamHeaders() throws Exception {
    RawHttp raw = RawHttp.send(app.baseUri(), "POST", "/v1/messages", jsonHeaders(
        "x-mock-scenario", "paced", "x-mock-deltas", "400", "x-mock-delay-ms", "25",
        "x-mock-header-delay-ms", "1000"), REQUEST.getBytes(UTF_8), false, 0);
    RecordedRequest seen = mock.takeRequest(AWAIT);
    raw.close();
    // What the record holds depends on when the container let Sluice notice: on Jetty 12 and
    // Tomcat 11 only once upstream's headers arrived (the first write fails), so message_start's
    // usage may already be in it.
    assertClientCancelled(seen);
  }

  @Test
  protected void clientGoneMidStream() throws Exception {
    RecordedRequest seen;
    try (RawHttp raw = RawHttp.send(app.baseUri(), "POST", "/v1/messages", jsonHeaders(
        "x-mock-scenario", "paced", "x-mock-deltas", "400", "x-mock-delay-ms", "25"),
        REQUEST.getBytes(UTF_8), false, 0)) {
      raw.readHead();
      assertThat(raw.body().read(new byte[64])).isPositive();
      seen = mock.takeRequest(AWAIT);
    }
    HookRecords.Entry record = assertClientCancelled(seen);
    assertThat(record.partial()).isTrue();
    assertThat(record.usage().path("input_tokens").asInt()).isPositive();
  }

  /** The client stops reading (upstream is paused behind it), then hangs up. */
  @Test
  protected void clientGoneWhileBackpressured() throws Exception {
    RecordedRequest seen;
    try (RawHttp raw = unreadStream(app.baseUri())) {
      seen = awaitUpstreamPaused();
    }
    HookRecords.Entry record = assertClientCancelled(seen);
    assertThat(record.partial()).isTrue();
    assertThat(record.usage().path("input_tokens").asInt()).isPositive();
  }

  /**
   * A long stream, on the clock of a container whose timeouts are cut to 1 s: silences of 1.5 s
   * before the headers and between all events, longer than the connector's timeout (Jetty's idle timeout, Tomcat's
   * connectionTimeout) and than Tomcat's async timeout when the module shortens that too. At the
   * defaults (30 s to 60 s) that is a 20-minute stream with silences of a minute and more. It
   * arrives whole, with nothing added, and completes.
   */
  @Test
  protected void longStream_silencesLongerThanTheContainersTimeouts_arriveWhole() throws Exception {
    if (impatient == null) {
      impatient = startWithWriteTimeout(mock.baseUri(), defaultSettings(), Duration.ofSeconds(1));
    }
    HttpResponse<byte[]> direct = post(mock.baseUri(), REQUEST, "x-mock-scenario", "paced",
        "x-mock-deltas", "3"); // the same bytes at once
    mock.takeRequest(AWAIT);
    HttpResponse<byte[]> relayed = post(impatient.baseUri(), REQUEST, "x-mock-scenario", "paced",
        "x-mock-deltas", "3", "x-mock-header-delay-ms", "1500", "x-mock-delay-ms", "1500");
    assertThat(relayed.statusCode()).isEqualTo(200);
    assertThat(new String(relayed.body(), UTF_8)).isEqualTo(new String(direct.body(), UTF_8))
        .endsWith(STOP);
    mock.takeRequest(AWAIT);
    HookRecords.Entry record = record("COMPLETED", false);
    assertThat(record.usage().path("output_tokens").asInt()).isPositive();
  }

  /**
   * A client that stops reading and never hangs up. Sluice has no timeout for the client (its
   * idle-timeout is upstream's silence): upstream stays paused behind the full buffers, with one
   * chunk held per exchange, until the container gives up on the write that cannot proceed (Jetty:
   * the connector's idle timeout; Tomcat: the connector's connectionTimeout). Sluice takes that
   * as the client gone: upstream is cancelled, and the record says so.
   */
  @Test
  protected void clientStopsReadingForGood() throws Exception {
    if (impatient == null) {
      impatient = startWithWriteTimeout(mock.baseUri(), defaultSettings(), Duration.ofSeconds(1));
    }
    try (RawHttp raw = unreadStream(impatient.baseUri())) {
      RecordedRequest seen = awaitUpstreamPaused();
      HookRecords.Entry record = assertClientCancelled(seen); // while the socket is still open
      assertThat(record.partial()).isTrue();
    }
  }

  /**
   * Starts the container as {@link #start} does, but with the container's timeout for a write the
   * client does not take shortened to {@code timeout}.
   */
  protected abstract ContainerUnderTest startWithWriteTimeout(URI upstream,
      Map<String, String> settings, Duration timeout) throws Exception;

  @AfterAll
  void stopImpatient() {
    if (impatient != null) {
      impatient.close();
    }
  }

  /** A body that trickles in is still read whole and relayed. */
  @Test
  protected void clientSendsBodySlowly() throws Exception {
    byte[] body = REQUEST.getBytes(UTF_8);
    try (RawHttp raw = RawHttp.connect(app.baseUri(), 0)) {
      raw.head("POST", "/v1/messages", jsonHeaders("content-length", "" + body.length));
      int step = body.length / 4 + 1;
      for (int off = 0; off < body.length; off += step) {
        Thread.sleep(100); // the fault itself: a slow sender, not a wait for an event
        raw.write(Arrays.copyOfRange(body, off, Math.min(body.length, off + step)));
      }
      assertThat(raw.readHead().status()).isEqualTo(200);
      assertThat(new String(raw.readBody(), UTF_8)).endsWith(STOP);
    }
    assertThat(assertUpstreamEnded(Outcome.COMPLETED).body()).isEqualTo(body);
    record("COMPLETED", false);
  }

  /** The client hangs up halfway through its body: nothing goes upstream. */
  @Test
  protected void clientCutsBodyShort() throws Exception {
    byte[] body = REQUEST.getBytes(UTF_8);
    try (RawHttp raw = RawHttp.connect(app.baseUri(), 0)) {
      raw.head("POST", "/v1/messages", jsonHeaders("content-length", "" + body.length));
      raw.write(Arrays.copyOf(body, body.length / 2));
    }
    HookRecords.Entry record = record("CLIENT_CANCELLED", false);
    assertThat(record.usage().isEmpty()).isTrue();
    assertThat(mock.requests()).isEmpty();
  }

  /** A client that waits for {@code 100 Continue} gets it, sends its body, and is relayed. */
  @Test
  protected void clientExpectsContinue() throws Exception {
    byte[] body = REQUEST.getBytes(UTF_8);
    try (RawHttp raw = RawHttp.connect(app.baseUri(), 0)) {
      raw.head("POST", "/v1/messages", jsonHeaders("content-length", "" + body.length,
          "expect", "100-continue"));
      assertThat(raw.readInterim()).isEqualTo(100);
      raw.write(body);
      assertThat(raw.readHead().status()).isEqualTo(200);
      assertThat(new String(raw.readBody(), UTF_8)).endsWith(STOP);
    }
    RecordedRequest seen = assertUpstreamEnded(Outcome.COMPLETED);
    assertThat(seen.body()).isEqualTo(body);
    assertThat(seen.headers("expect")).isEmpty();
    record("COMPLETED", false);
  }

  // ---- helpers ----

  protected ContainerUnderTest tight() {
    return container("tight", mock.baseUri(),
        Map.of("headers-timeout", "1s", "idle-timeout", "1s"));
  }

  private HttpResponse<byte[]> post(URI base, String body, String... headers)
      throws IOException, InterruptedException {
    return http.send(request(base, "/v1/messages", body, headers),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /**
   * A stream of 64 MiB to a client with a small receive buffer that reads the head and then
   * nothing; socket buffers on both hops hold a few MiB at most.
   */
  private static RawHttp unreadStream(URI base) throws IOException {
    RawHttp raw = RawHttp.send(base, "POST", "/v1/messages", jsonHeaders("x-mock-scenario",
        "bulk", "x-mock-deltas", "16384", "x-mock-delta-bytes", "4096"), REQUEST.getBytes(UTF_8),
        false, 64 * 1024);
    raw.readHead();
    return raw;
  }

  /** Upstream stopped sending long before the end: the relay stopped reading behind the client. */
  private RecordedRequest awaitUpstreamPaused() throws InterruptedException {
    RecordedRequest seen = mock.takeRequest(AWAIT);
    assertThat(awaitPlateau(seen)).isLessThan(16384L * 4096 / 2);
    return seen;
  }

  /** Sluice's own error before any response: the client's view and the record's agree. */
  private static void assertLocalError(HttpResponse<byte[]> r, int status, String type,
      String outcome) throws InterruptedException {
    assertAnthropicError(r, status, type);
    HookRecords.Entry record = record(outcome, false);
    assertThat(record.status()).isEqualTo(status);
    assertThat(record.requestId()).isEqualTo(r.headers().firstValue("request-id").orElseThrow());
    assertThat(record.usage().isEmpty()).isTrue();
  }

  /** Upstream was cancelled (its response never finished), and the record says the client left. */
  private HookRecords.Entry assertClientCancelled(RecordedRequest seen)
      throws InterruptedException {
    assertEnded(seen, Outcome.CLIENT_CLOSED_EARLY);
    return record("CLIENT_CANCELLED");
  }

  /** A streamed scenario: what the client got through Sluice is what upstream sent. */
  private byte[] assertRelayedExactly(String scenario) throws Exception {
    HttpResponse<byte[]> relayed = post(app.baseUri(), REQUEST, "x-mock-scenario", scenario);
    assertUpstreamEnded(Outcome.COMPLETED);
    HttpResponse<byte[]> direct = post(mock.baseUri(), REQUEST, "x-mock-scenario", scenario);
    mock.takeRequest(AWAIT);
    assertThat(relayed.statusCode()).isEqualTo(200);
    assertThat(relayed.body()).isNotEmpty().isEqualTo(direct.body());
    return relayed.body();
  }

  /** The request upstream got ended this way, and the mock is writing no response any more. */
  private RecordedRequest assertUpstreamEnded(Outcome expected) throws InterruptedException {
    return assertEnded(mock.takeRequest(AWAIT), expected);
  }

  private RecordedRequest assertEnded(RecordedRequest seen, Outcome expected)
      throws InterruptedException {
    assertThat(seen.awaitOutcome(AWAIT)).as("upstream's end of %s", seen).isEqualTo(expected);
    awaitNoActiveResponses();
    return seen;
  }

  private void awaitNoActiveResponses() throws InterruptedException {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    while (mock.activeResponses() > 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(mock.activeResponses() + " upstream responses still running");
      }
      Thread.sleep(10);
    }
  }

  /** The next record, which must have this outcome. */
  private static HookRecords.Entry record(String outcome) throws InterruptedException {
    HookRecords.Entry record = HookRecords.take(AWAIT);
    assertThat(record.outcome()).as("outcome in %s", record).isEqualTo(outcome);
    return record;
  }

  private static HookRecords.Entry record(String outcome, boolean partial)
      throws InterruptedException {
    HookRecords.Entry record = record(outcome);
    assertThat(record.partial()).as("partial in %s", record).isEqualTo(partial);
    return record;
  }

  /** The record's usage is the one message_start announced (nothing later said otherwise). */
  private static void assertStartUsage(HookRecords.Entry record, String stream)
      throws IOException {
    int event = stream.indexOf("event: message_start");
    int data = stream.indexOf("data: ", event) + "data: ".length();
    JsonNode start = JSON.readTree(stream.substring(data, stream.indexOf('\n', data)))
        .path("message").path("usage");
    assertThat(record.usage().path("input_tokens")).isEqualTo(start.path("input_tokens"));
    if (!stream.contains("event: message_delta")) {
      assertThat(record.usage().path("output_tokens")).isEqualTo(start.path("output_tokens"));
    }
  }

  private static List<Socket> fillAcceptQueue(ServerSocket server) throws IOException {
    List<Socket> queued = new ArrayList<>();
    try {
      // A backlog of 1 holds up to 2 unaccepted connections; the ones after that hang.
      for (int i = 0; i < 8; i++) {
        Socket s = new Socket();
        queued.add(s);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()),
            200);
      }
    } catch (SocketTimeoutException full) {
      return queued;
    }
    throw new AssertionError("the accept queue never filled; cannot provoke a connect timeout");
  }

  private static byte[] sha256(InputStream in) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (in) {
      byte[] buf = new byte[64 * 1024];
      for (int n; (n = in.read(buf)) >= 0; ) {
        digest.update(buf, 0, n);
      }
    }
    return digest.digest();
  }
}
