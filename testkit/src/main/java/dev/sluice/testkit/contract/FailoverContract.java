package dev.sluice.testkit.contract;

import static dev.sluice.testkit.contract.RelayContract.REQUEST;
import static dev.sluice.testkit.contract.RelayContract.assertAnthropicError;
import static dev.sluice.testkit.contract.RelayContract.request;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.Message;
import dev.sluice.testkit.HookRecords;
import dev.sluice.testkit.LogCapture;
import dev.sluice.testkit.MockUpstream;
import dev.sluice.testkit.RecordedRequest;
import dev.sluice.testkit.RecordedRequest.Outcome;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Retries and failover before the client sees a byte, for any container: two mock upstreams, A
 * ({@link #mock}) first and B ({@link #mockB}) second, each answering what its {@link
 * MockUpstream#script script} says. Each test runs on a filter of its own (health is per filter
 * instance), with the {@code test-recorder} hook for the records' attempts.
 *
 * <p>The official Java SDK drives one test: a container module extends this class, supplies
 * {@link #start}, and declares {@code com.anthropic:anthropic-java} (test scope).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
public abstract class FailoverContract extends ContainerSuite {
  static final Duration AWAIT = Duration.ofSeconds(10);
  private static final String STOP = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  private static final String JSON_REQUEST = REQUEST.replace("\"stream\":true,", "");
  /** B; A is the suite's {@link #mock}. Started with the instance, before the containers. */
  protected final MockUpstream mockB = MockUpstream.start();

  @Override
  Map<String, String> defaultSettings() {
    return Map.of("hooks", HookRecords.HOOK_NAME);
  }

  @BeforeEach
  void forget() {
    mockB.reset();
    HookRecords.drain();
  }

  @AfterEach
  void noLeftovers() throws InterruptedException {
    awaitIdle(mock);
    awaitIdle(mockB);
    assertThat(HookRecords.drain()).as("records beyond the one per exchange").isEmpty();
  }

  @AfterAll
  void stopB() {
    mockB.close();
  }

  /** A filter of its own failing over from A to B, with these settings on top. */
  private ContainerUnderTest failover(String name, String... settings) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("upstream", mock.baseUri() + "," + mockB.baseUri());
    for (int i = 0; i < settings.length; i += 2) {
      all.put(settings[i], settings[i + 1]);
    }
    return container(name, mock.baseUri(), all);
  }

  private static MockUpstream.Script always(String scenario) {
    return (n, header) -> scenario;
  }

  // ---- before any byte: statuses, overloads inside a 200, connections ----

  /**
   * A answers 529 with {@code retry-after: 1}: the client gets B's stream byte for byte, with
   * B's request id, and A is left alone while it cools down.
   */
  @Test
  protected void retryableStatus_failsOverToTheNextEntry() throws Exception {
    ContainerUnderTest app = failover("status");
    mock.script(always("error_529_retry_after_1"));
    byte[] direct = directFromB(REQUEST);

    long t0 = System.nanoTime();
    HttpResponse<byte[]> r = post(app.baseUri(), REQUEST);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(direct);
    RecordedRequest a = mock.takeRequest(AWAIT);
    assertThat(a.status()).isEqualTo(529);
    RecordedRequest b = mockB.takeRequest(AWAIT);
    assertThat(r.headers().firstValue("request-id")).hasValue(b.requestId());
    assertThat(r.headers().firstValue("anthropic-ratelimit-requests-remaining")).isPresent();
    assertAttempts(record("COMPLETED"), "529 status RETRIED", "200 RELAYED");

    HttpResponse<byte[]> again = post(app.baseUri(), REQUEST);
    long elapsed = System.nanoTime() - t0;
    assertThat(again.body()).isEqualTo(direct);
    mockB.takeRequest(AWAIT);
    HookRecords.Entry second = record("COMPLETED");
    if (elapsed < TimeUnit.MILLISECONDS.toNanos(950)) { // A's retry-after not over yet
      assertThat(mock.requests()).as("A within its retry-after").hasSize(1);
      assertAttempts(second, "200 RELAYED");
      assertThat(second.attempts().get(0).upstream()).isEqualTo(host(mockB));
    }
  }

  /**
   * A's 200 carries {@code message_start}, a ping and an {@code overloaded_error} before any
   * content, and then stays open: the client gets one clean stream from B, no byte of A's, and
   * A's request is closed by Sluice.
   */
  @Test
  protected void overloadInsideA200_beforeContent_isRetried() throws Exception {
    ContainerUnderTest app = failover("in-stream");
    mock.script(always("overload_before_content_held"));
    byte[] direct = directFromB(REQUEST);

    HttpResponse<byte[]> r = post(app.baseUri(), REQUEST);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(direct);
    assertThat(new String(r.body(), UTF_8)).doesNotContain("overloaded_error").endsWith(STOP);
    RecordedRequest a = mock.takeRequest(AWAIT);
    assertThat(a.awaitOutcome(AWAIT)).as("A's request closed").isEqualTo(Outcome.CLIENT_CLOSED_EARLY);
    assertThat(r.headers().firstValue("request-id")).hasValue(mockB.takeRequest(AWAIT).requestId());
    HookRecords.Entry record = record("COMPLETED");
    assertAttempts(record, "200 overloaded_error RETRIED", "200 RELAYED");
    assertThat(record.usage().path("output_tokens").asInt()).isPositive();
  }

  /** Once content went out the exchange is committed: a later error is relayed, not retried. */
  @Test
  protected void errorAfterContent_isRelayed_notRetried() throws Exception {
    ContainerUnderTest app = failover("committed");
    mock.script(always("mid_stream_error"));
    HttpResponse<byte[]> r = post(app.baseUri(), REQUEST);
    RecordedRequest a = mock.takeRequest(AWAIT);
    HttpResponse<byte[]> direct = post(mock.baseUri(), REQUEST);
    mock.takeRequest(AWAIT);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(direct.body());
    String body = new String(r.body(), UTF_8);
    assertThat(body.substring(body.lastIndexOf("event: "))).startsWith("event: error\n")
        .contains("overloaded_error"); // upstream's own terminal error event, as it sent it
    assertThat(a.awaitOutcome(AWAIT)).isEqualTo(Outcome.COMPLETED);
    assertThat(mockB.requests()).isEmpty();
    assertAttempts(record("UPSTREAM_ERROR"), "200 RELAYED");
  }

  /**
   * Both entries fail (max-attempts 2): the last attempt's answer is relayed as sent: status,
   * body, {@code retry-after}, {@code x-should-retry}, {@code request-id}.
   */
  @Test
  protected void everyAttemptFails_theLastErrorIsRelayedVerbatim() throws Exception {
    ContainerUnderTest app = failover("exhausted", "max-attempts", "2");
    mock.script(always("error_529"));
    mockB.script(always("error_529_retry_after_1"));
    HttpResponse<byte[]> r = post(app.baseUri(), REQUEST);
    mock.takeRequest(AWAIT);
    RecordedRequest b = mockB.takeRequest(AWAIT);
    HttpResponse<byte[]> direct = post(mockB.baseUri(), REQUEST);
    String directId = mockB.takeRequest(AWAIT).requestId();

    assertAnthropicError(r, 529, "overloaded_error");
    assertThat(new String(r.body(), UTF_8))
        .isEqualTo(new String(direct.body(), UTF_8).replace(directId, b.requestId()));
    assertThat(r.headers().firstValue("request-id")).hasValue(b.requestId());
    assertThat(r.headers().firstValue("retry-after")).hasValue("1");
    assertThat(r.headers().firstValue("x-should-retry")).hasValue("true");
    assertAttempts(record("UPSTREAM_ERROR"), "529 status RETRIED", "529 RELAYED");
  }

  /** A key pool on one entry: key 1 gets 429, key 2 serves; key 1 cools down; no key leaks. */
  @Test
  protected void keyPool_rotatesOn429_andNoKeyIsLogged() throws Exception {
    String one = "sk-ant-pool-key-one-0123456789";
    String two = "sk-ant-pool-key-two-9876543210";
    try (LogCapture logs = LogCapture.start("dev.sluice", "sluice.usage")) {
      ContainerUnderTest app = container("key-pool", mock.baseUri(),
          Map.of("api-key", one + "," + two, "hooks", HookRecords.HOOK_NAME + ",usage-log"));
      mock.script((n, header) -> one.equals(header.apply("x-api-key")) ? "error_429" : null);
      HttpResponse<byte[]> r = post(app.baseUri(), REQUEST, "x-api-key", "sk-client-own");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(new String(r.body(), UTF_8)).endsWith(STOP);
      assertThat(mock.takeRequest(AWAIT).header("x-api-key")).isEqualTo(one);
      assertThat(mock.takeRequest(AWAIT).header("x-api-key")).isEqualTo(two);
      HookRecords.Entry first = record("COMPLETED");
      assertAttempts(first, "429 status RETRIED", "200 RELAYED");
      assertThat(first.attempts()).extracting(HookRecords.Attempt::key).containsExactly("1", "2");

      post(app.baseUri(), REQUEST); // key 1 cools down for its retry-after (7 s): key 2 again
      assertThat(mock.takeRequest(AWAIT).header("x-api-key")).isEqualTo(two);
      assertAttempts(record("COMPLETED"), "200 RELAYED");

      String text = logs.text();
      assertThat(text).contains("\"attempts\":[").doesNotContain(one).doesNotContain(two)
          .doesNotContain("sk-client-own");
      assertThat(first.toString()).doesNotContain("sk-ant");
    }
  }

  /** A request without {@code stream} is retried on 529 like a stream. */
  @Test
  protected void nonStreaming_isRetriedOn529() throws Exception {
    ContainerUnderTest app = failover("json");
    mock.script(always("error_529"));
    byte[] direct = directFromB(JSON_REQUEST);
    HttpResponse<byte[]> r = post(app.baseUri(), JSON_REQUEST);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(direct);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    mock.takeRequest(AWAIT);
    mockB.takeRequest(AWAIT);
    assertAttempts(record("COMPLETED"), "529 status RETRIED", "200 RELAYED");
  }

  /** A connection refused by the first entry fails over to the next. */
  @Test
  protected void connectionRefused_failsOver() throws Exception {
    URI dead;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      dead = URI.create("http://127.0.0.1:" + s.getLocalPort());
    }
    ContainerUnderTest app = container("refused", mock.baseUri(),
        Map.of("upstream", dead + "," + mockB.baseUri(), "hooks", HookRecords.HOOK_NAME));
    HttpResponse<byte[]> r = post(app.baseUri(), REQUEST);
    assertThat(r.statusCode()).isEqualTo(200);
    mockB.takeRequest(AWAIT);
    HookRecords.Entry record = record("COMPLETED");
    assertThat(record.attempts()).extracting(HookRecords.Attempt::error)
        .containsExactly("connect_failed", "");
  }

  /** The official Java SDK, its own retries off, gets the Message through a failing entry. */
  @Test
  protected void sdk_getsTheMessageThroughAFailingEntry() throws Exception {
    ContainerUnderTest app = failover("sdk");
    AnthropicClient expected = SdkContract.client(mockB.baseUri());
    AnthropicClient via = SdkContract.client(app.baseUri());
    try {
      Message direct = expected.messages().create(SdkContract.params("text"));
      Message streamedDirect = SdkContract.stream(expected, "text");
      mockB.reset();
      mock.script((n, header) -> n % 2 == 0 ? "error_529" : "overload_before_content");
      assertThat(via.messages().create(SdkContract.params("text"))).isEqualTo(direct);
      assertAttempts(record("COMPLETED"), "529 status RETRIED", "200 RELAYED");
      mock.script(always("overload_before_content"));
      assertThat(SdkContract.stream(via, "text")).isEqualTo(streamedDirect);
      HookRecords.Entry streamed = record("COMPLETED");
      assertThat(streamed.attempts()).extracting(HookRecords.Attempt::upstream)
          .last().isEqualTo(host(mockB));
    } finally {
      expected.close();
      via.close();
    }
  }

  // ---- the exchange ends while a retry waits ----

  /**
   * The exchange ends during a backoff (here its headers-timeout; a client that leaves ends it
   * the same way once Sluice notices): no further attempt is made.
   */
  @Test
  protected void exchangeEndsDuringBackoff_noFurtherAttempt() throws Exception {
    ContainerUnderTest app = container("backoff-timeout", mock.baseUri(), Map.of(
        "hooks", HookRecords.HOOK_NAME, "max-attempts", "3", "retry-backoff", "3s",
        "headers-timeout", "1s"));
    mock.script(always("error_500"));
    HttpResponse<byte[]> r = post(app.baseUri(), REQUEST);
    assertAnthropicError(r, 504, "timeout_error");
    mock.takeRequest(AWAIT);
    HookRecords.Entry record = record("TIMED_OUT");
    assertAttempts(record, "500 status RETRIED");
    Thread.sleep(3500); // past the longest backoff (3 s): the fault's own clock, not a wait
    assertThat(mock.requests()).as("attempts after the exchange ended").hasSize(1);
  }

  /** The client leaves during a backoff: no further attempt is made. */
  @Test
  protected void clientLeavesDuringBackoff_noFurtherAttempt() throws Exception {
    ContainerUnderTest app = container("backoff-client", mock.baseUri(), Map.of(
        "hooks", HookRecords.HOOK_NAME, "max-attempts", "3", "retry-backoff", "3s"));
    mock.script(always("error_500"));
    RawHttp raw = RawHttp.send(app.baseUri(), "POST", "/v1/messages",
        RelayContract.jsonHeaders(), REQUEST.getBytes(UTF_8), false, 0);
    // The first attempt's 500 written whole, and a moment for Sluice to read it: the exchange is
    // then in its 3 s backoff, which the client's close must end.
    assertThat(mock.takeRequest(AWAIT).awaitOutcome(AWAIT)).isEqualTo(Outcome.COMPLETED);
    Thread.sleep(300);
    raw.close();
    assertAttempts(record("CLIENT_CANCELLED"), "500 status RETRIED");
    Thread.sleep(3500);
    assertThat(mock.requests()).hasSize(1);
  }

  // ---- under load ----

  /**
   * 500 streams at once while A fails 3 requests in 10 (529, or an overload inside the 200):
   * every stream arrives whole, no upstream request is left open, and the records' attempts add
   * up to what the mocks received.
   */
  @Test
  protected void underLoad_everyStreamSucceeds_andTheAttemptsAddUp() throws Exception {
    ContainerUnderTest app = failover("load");
    AtomicInteger failed = new AtomicInteger();
    mock.script((n, header) -> {
      int m = n % 10;
      if (m < 3) {
        failed.incrementAndGet();
        return m == 1 ? "overload_before_content" : "error_529";
      }
      return null;
    });
    byte[] expected = MockUpstream.transcript("text");
    int streams = 500;
    List<CompletableFuture<HttpResponse<byte[]>>> all = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      all.add(http.sendAsync(request(app.baseUri(), "/v1/messages", REQUEST),
          HttpResponse.BodyHandlers.ofByteArray()));
    }
    for (CompletableFuture<HttpResponse<byte[]>> f : all) {
      HttpResponse<byte[]> r = f.get(60, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(expected);
    }
    int attempts = 0;
    int retried = 0;
    for (int i = 0; i < streams; i++) {
      HookRecords.Entry record = record("COMPLETED");
      attempts += record.attempts().size();
      for (HookRecords.Attempt a : record.attempts()) {
        retried += a.ending().equals("RETRIED") ? 1 : 0;
      }
      assertThat(record.attempts().get(record.attempts().size() - 1).ending())
          .isEqualTo("RELAYED");
    }
    awaitIdle(mock);
    awaitIdle(mockB);
    assertThat(attempts).isEqualTo(mock.requests().size() + mockB.requests().size());
    assertThat(retried).isEqualTo(failed.get()).isPositive();
    for (RecordedRequest seen : mock.requests()) {
      assertThat(seen.awaitOutcome(AWAIT)).isNotNull();
    }
  }

  // ---- helpers ----

  /** What B sends for {@code body} when asked directly (its request taken). */
  private byte[] directFromB(String body) throws Exception {
    byte[] direct = post(mockB.baseUri(), body).body();
    mockB.takeRequest(AWAIT);
    return direct;
  }

  private HttpResponse<byte[]> post(URI base, String body, String... headers)
      throws IOException, InterruptedException {
    return http.send(request(base, "/v1/messages", body, headers),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String host(MockUpstream m) {
    return "127.0.0.1:" + m.port();
  }

  private static HookRecords.Entry record(String outcome) throws InterruptedException {
    HookRecords.Entry record = HookRecords.take(AWAIT);
    assertThat(record.outcome()).as("outcome in %s", record).isEqualTo(outcome);
    return record;
  }

  /** Each attempt as "status [error] ENDING", in order. */
  private static void assertAttempts(HookRecords.Entry record, String... expected) {
    List<String> shown = new ArrayList<>();
    for (HookRecords.Attempt a : record.attempts()) {
      shown.add(a.status() + (a.error().isEmpty() ? "" : " " + a.error()) + " " + a.ending());
    }
    assertThat(shown).as("attempts in %s", record).containsExactly(expected);
  }

  private static void awaitIdle(MockUpstream m) throws InterruptedException {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    while (m.activeResponses() > 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(m.activeResponses() + " upstream responses still running");
      }
      Thread.sleep(10);
    }
  }
}
