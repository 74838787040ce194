package dev.sluice.testkit.contract;

import static dev.sluice.testkit.contract.RelayContract.REQUEST;
import static dev.sluice.testkit.contract.RelayContract.jsonHeaders;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.HookRecords;
import dev.sluice.testkit.RecordedRequest;
import dev.sluice.testkit.RecordedRequest.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that leaves is noticed within milliseconds, and upstream is cancelled, on any container
 * with its disconnect detector ({@code sluice-disconnect-jetty}, {@code sluice-disconnect-tomcat})
 * in the web app: before upstream's headers, between two events of a slow stream, for a
 * non-streaming request, for 200 clients at once, on a kept-alive or pipelined connection, over
 * TLS, and over HTTP/2 (h2c), where the container reports it itself. Without a detector each
 * HTTP/1.1 test fails: Sluice then notices only at a failed write, seconds later or never.
 *
 * <p>The clients are raw sockets ({@link RawHttp}), so "leaves" is an exact {@code close()}; the
 * mock upstream's view ({@link RecordedRequest#endedAt()}, noticed by its own peer-close probe)
 * says when Sluice cancelled. The complete-hook's record ({@code test-recorder}, as in {@link
 * FaultContract}) must say {@code CLIENT_CANCELLED}.
 *
 * <p>A container module supplies the bootstrap only: {@link #start} (HTTP/1.1 with h2c prior
 * knowledge on the same connector) and {@link #startTls}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class DisconnectContract extends ContainerSuite {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(DisconnectContract.class);
  static final Duration AWAIT = Duration.ofSeconds(10);
  /** What the issue asks: upstream cancelled this soon after the client's close. */
  static final Duration PROMPT = Duration.ofMillis(100);
  static final String NON_STREAMING = REQUEST.replace("\"stream\":true", "\"stream\":false");
  /** One event a second: without detection, the close is seen at the second write after it. */
  static final String[] SLOW_STREAM = {"x-mock-scenario", "paced", "x-mock-deltas", "20",
      "x-mock-delay-ms", "1000"};
  static final String TEST_CLIENT = "x-test-client";

  /**
   * Starts the container with Sluice and the detector; its connector also speaks HTTP/2 without
   * TLS to a client that starts with the HTTP/2 preface (h2c prior knowledge).
   */
  @Override
  protected abstract ContainerUnderTest start(URI upstream, Map<String, String> settings)
      throws Exception;

  /** The same app behind a TLS (HTTP/1.1) connector with the key and certificate in {@code keyStore} (PKCS12). */
  protected abstract ContainerUnderTest startTls(URI upstream, Map<String, String> settings,
      Path keyStore, String password) throws Exception;

  /**
   * Whether the web app runs the {@code test-recorder} hook in this JVM, so that the exchange
   * records can be checked; false for a container in a process of its own (a Tomcat
   * distribution), where only the upstream's view is checked.
   */
  protected boolean recordsExchanges() {
    return true;
  }

  @Override
  Map<String, String> defaultSettings() {
    return recordsExchanges() ? Map.of("hooks", HookRecords.HOOK_NAME) : Map.of();
  }

  /**
   * Runs the leave path unmeasured, 200 clients at once, so that the measured tests do not time
   * the JVM's class loading and first compilation of the detector, Sluice and the container, nor
   * the growth of the container's thread pool from its idle size: a server in service is warm.
   */
  @org.junit.jupiter.api.BeforeAll
  void warmUp() throws Exception {
    List<RawHttp> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        clients.add(RawHttp.send(app.baseUri(), "POST", "/v1/messages",
            jsonHeaders(SLOW_STREAM), REQUEST.getBytes(UTF_8), false, 0));
      }
      for (RawHttp c : clients) {
        readEvents(c, 1);
      }
    } finally {
      for (RawHttp c : clients) {
        c.close();
      }
    }
    long deadline = System.nanoTime() + AWAIT.toNanos();
    while (mock.activeResponses() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  @BeforeEach
  void forgetRecords() {
    HookRecords.drain();
  }

  @AfterEach
  void upstreamQuiet() throws InterruptedException {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    while (mock.activeResponses() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(mock.activeResponses()).as("upstream responses still running").isZero();
    Thread.sleep(300); // a record comes after its exchange's end: not into the next test
    HookRecords.drain();
  }

  // ---- HTTP/1.1 ----

  @Test
  protected void clientLeavesBeforeUpstreamAnswers_upstreamCancelledAtOnce() throws Exception {
    RawHttp client = RawHttp.send(app.baseUri(), "POST", "/v1/messages",
        jsonHeaders("x-mock-header-delay-ms", "20000"), REQUEST.getBytes(UTF_8), false, 0);
    RecordedRequest upstream = mock.takeRequest(AWAIT);
    Thread.sleep(50); // the exchange waits on upstream now
    Instant closed = leave(client);
    assertCancelledPromptly(upstream, closed);
    assertCancelledRecord();
  }

  @Test
  protected void clientLeavesBetweenEvents_upstreamCancelledAtOnce() throws Exception {
    RawHttp client = RawHttp.send(app.baseUri(), "POST", "/v1/messages",
        jsonHeaders(SLOW_STREAM), REQUEST.getBytes(UTF_8), false, 0);
    RecordedRequest upstream = mock.takeRequest(AWAIT);
    readEvents(client, 2);
    Instant closed = leave(client);
    assertCancelledPromptly(upstream, closed);
    HookRecords.Entry record = assertCancelledRecord();
    if (record == null) {
      return;
    }
    assertThat(record.partial()).isTrue();
    assertThat(record.usage().path("input_tokens").isNumber())
        .as("usage so far, from message_start: %s", record).isTrue();
  }

  @Test
  protected void nonStreamingClientLeaves_upstreamCancelledBeforeItAnswers() throws Exception {
    RawHttp client = RawHttp.send(app.baseUri(), "POST", "/v1/messages",
        jsonHeaders("x-mock-header-delay-ms", "20000"), NON_STREAMING.getBytes(UTF_8), false, 0);
    RecordedRequest upstream = mock.takeRequest(AWAIT);
    Thread.sleep(50);
    Instant closed = leave(client);
    assertCancelledPromptly(upstream, closed);
    assertThat(upstream.bytesSent()).as("upstream never answered").isZero();
    assertCancelledRecord();
  }

  /** Every upstream closed, p99 within 200 ms of its own client's close. */
  @Test
  protected void twoHundredClientsLeaveAtOnce_everyUpstreamCancelled() throws Exception {
    int n = 200;
    List<RawHttp> clients = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        clients.add(RawHttp.send(app.baseUri(), "POST", "/v1/messages",
            jsonHeaders(withClient(i, SLOW_STREAM)), REQUEST.getBytes(UTF_8), false, 0));
      }
      for (RawHttp c : clients) {
        readEvents(c, 1);
      }
      Map<String, RecordedRequest> upstream = byClient(n);
      Instant[] closed = new Instant[n];
      for (int i = 0; i < n; i++) {
        closed[i] = leave(clients.get(i));
      }
      List<Long> delays = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        RecordedRequest r = upstream.get(String.valueOf(i));
        assertThat(r.awaitOutcome(AWAIT)).isEqualTo(Outcome.CLIENT_CLOSED_EARLY);
        delays.add(Duration.between(closed[i], r.endedAt()).toMillis());
      }
      Collections.sort(delays);
      long p99 = delays.get((int) Math.ceil(n * 0.99) - 1);
      LOG.info("measured: {} clients left at once; upstream cancelled after median {} ms,"
          + " p99 {} ms, max {} ms", n, delays.get(n / 2), p99, delays.get(n - 1));
      assertThat(p99).as("p99 ms from a client's close to its upstream's (sorted: %s)", delays)
          .isLessThanOrEqualTo(200);
      for (int i = 0; i < n; i++) {
        assertRecord("CLIENT_CANCELLED");
      }
    } finally {
      for (RawHttp c : clients) {
        c.close();
      }
    }
  }

  /**
   * The first exchange armed the detector and disarmed it when it ended: the connection reads
   * the second request as usual, and the second exchange is watched in turn.
   */
  @Test
  protected void keepAlive_secondRequestServedAndWatched() throws Exception {
    try (RawHttp client = RawHttp.connect(app.baseUri(), 0)) {
      client.request("POST", "/v1/messages", jsonHeaders(), REQUEST.getBytes(UTF_8), false)
          .readHead();
      assertThat(client.status()).isEqualTo(200);
      assertThat(new String(client.readBody(), UTF_8)).endsWith(
          "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
      assertRecord("COMPLETED");
      mock.takeRequest(AWAIT);
      assertSecondExchangeWatched(client);
    }
  }

  /**
   * A client that sends its next request while the first is still streaming (pipelining): the
   * detector finds bytes, not the end, and must leave them to the container, which serves them
   * as the next request once the first response is done.
   */
  @Test
  protected void pipelinedRequest_servedNotEaten() throws Exception {
    String hold = "pipelined-" + System.nanoTime();
    try (RawHttp client = RawHttp.connect(app.baseUri(), 0)) {
      client.request("POST", "/v1/messages", jsonHeaders("x-mock-hold", hold),
          REQUEST.getBytes(UTF_8), false);
      mock.takeRequest(AWAIT); // the first exchange is armed and waits on upstream
      Thread.sleep(50);
      client.request("POST", "/v1/messages", jsonHeaders("x-mock-scenario", "tool_use"),
          REQUEST.getBytes(UTF_8), false);
      Thread.sleep(200); // the detector reads the second request's first byte meanwhile
      mock.release(hold);
      client.readHead();
      assertThat(client.status()).isEqualTo(200);
      assertThat(new String(client.readBody(), UTF_8)).contains("event: message_stop");
      client.readHead();
      assertThat(client.status()).as("the pipelined request").isEqualTo(200);
      byte[] second = client.readBody();
      assertThat(mock.takeRequest(AWAIT).bodyAsString()).isEqualTo(REQUEST);
      assertThat(second).isEqualTo(dev.sluice.testkit.MockUpstream.transcript("tool_use"));
      assertRecord("COMPLETED");
      assertRecord("COMPLETED");
      assertSecondExchangeWatched(client);
    }
  }

  /** TLS with a generated certificate: keep-alive still works, and a client that leaves is seen. */
  @Test
  protected void tls_keepAliveAndDetection() throws Exception {
    Path dir = Files.createTempDirectory("sluice-tls");
    String password = "changeit";
    Path keyStore = Certificates.generate(dir, password);
    ContainerUnderTest tls = container("tls", keyStore, password);
    SSLContext trust = Certificates.trusting(keyStore, password);
    try (RawHttp client = RawHttp.connectTls(tls.baseUri(), trust)) {
      client.request("POST", "/v1/messages", jsonHeaders(), REQUEST.getBytes(UTF_8), false)
          .readHead();
      assertThat(client.status()).isEqualTo(200);
      assertThat(new String(client.readBody(), UTF_8)).contains("event: message_stop");
      assertRecord("COMPLETED");
      mock.takeRequest(AWAIT);
      assertSecondExchangeWatched(client);
    }
  }

  /**
   * 1,000 exchanges armed (half complete, half end with the client leaving), 20 at a time:
   * afterwards the process has no more descriptors or threads than after a warm-up of the same
   * shape, and every leaving client's upstream was cancelled promptly.
   */
  @Test
  protected void thousandArmedExchanges_leaveNoDescriptorOrThread() throws Exception {
    runArmedExchanges(200, "warm-");
    awaitQuiet();
    int fds = descriptors();
    int threads = threads();
    List<Long> delays = runArmedExchanges(1000, "leak-");
    awaitQuiet();
    Collections.sort(delays);
    LOG.info("measured: 1,000 armed exchanges; descriptors {} -> {}, threads {} -> {}, p99 {} ms",
        fds, descriptors(), threads, threads(), delays.get(delays.size() * 99 / 100));
    assertThat(delays.get(delays.size() * 99 / 100))
        .as("p99 ms from a client's close to its upstream's").isLessThanOrEqualTo(200);
    long deadline = System.nanoTime() + AWAIT.toNanos();
    while ((descriptors() > fds + 5 || threads() > threads + 2)
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(descriptors()).as("open descriptors (before: %s)", fds).isLessThanOrEqualTo(fds + 5);
    assertThat(threads()).as("live threads (before: %s)", threads).isLessThanOrEqualTo(threads + 2);
  }

  // ---- HTTP/2 (h2c): the container reports a reset or closed stream; no detector needed ----

  @Test
  protected void h2c_streamResetBeforeUpstreamAnswers_upstreamCancelledAtOnce() throws Exception {
    try (H2Client h2 = H2Client.connect(app.baseUri())) {
      H2Client.Exchange e = h2.post("/v1/messages", REQUEST,
          "x-mock-header-delay-ms", "20000");
      RecordedRequest upstream = mock.takeRequest(AWAIT);
      Thread.sleep(50);
      Instant reset = e.reset();
      assertCancelledPromptly(upstream, reset);
      assertCancelledRecord();
    }
  }

  @Test
  protected void h2c_connectionClosedBetweenEvents_upstreamCancelledAtOnce() throws Exception {
    H2Client h2 = H2Client.connect(app.baseUri());
    Instant closed;
    RecordedRequest upstream;
    try {
      H2Client.Exchange e = h2.post("/v1/messages", REQUEST, SLOW_STREAM);
      upstream = mock.takeRequest(AWAIT);
      e.awaitEvents(2, AWAIT);
      assertThat(e.status()).isEqualTo(200);
    } finally {
      closed = Instant.now();
      h2.close();
    }
    assertCancelledPromptly(upstream, closed);
    assertCancelledRecord();
  }

  // ---- helpers ----

  private ContainerUnderTest container(String name, Path keyStore, String password) {
    return container(name, () -> startTls(mock.baseUri(), defaultSettings(), keyStore, password));
  }

  /** On a connection whose first exchange ended: a slow stream whose client leaves mid-way. */
  private void assertSecondExchangeWatched(RawHttp client) throws Exception {
    client.request("POST", "/v1/messages", jsonHeaders(SLOW_STREAM), REQUEST.getBytes(UTF_8),
        false);
    RecordedRequest upstream = mock.takeRequest(AWAIT);
    readEvents(client, 2);
    Instant closed = leave(client);
    assertCancelledPromptly(upstream, closed);
    assertCancelledRecord();
  }

  /** Exchanges of a slow stream, 20 at a time: odd ones leave after the first event. */
  private List<Long> runArmedExchanges(int n, String prefix) throws Exception {
    mock.reset();
    ExecutorService pool = Executors.newFixedThreadPool(20);
    Map<String, Instant> closedAt = new ConcurrentHashMap<>();
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String id = prefix + i;
        boolean leaves = i % 2 == 1;
        done.add(pool.submit(() -> {
          String[] shape = leaves ? withClient(id, SLOW_STREAM)
              : new String[] {TEST_CLIENT, id, "x-mock-scenario", "text"};
          try (RawHttp c = RawHttp.send(app.baseUri(), "POST", "/v1/messages",
              jsonHeaders(shape), REQUEST.getBytes(UTF_8), false, 0)) {
            if (leaves) {
              readEvents(c, 1);
              closedAt.put(id, leave(c));
            } else {
              c.readHead();
              c.readBody();
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    List<Long> delays = new ArrayList<>();
    for (RecordedRequest r : mock.requests()) {
      Instant closed = closedAt.get(r.header(TEST_CLIENT));
      if (closed != null) {
        assertThat(r.awaitOutcome(AWAIT)).isEqualTo(Outcome.CLIENT_CLOSED_EARLY);
        delays.add(Duration.between(closed, r.endedAt()).toMillis());
      }
    }
    assertThat(delays).hasSize(n / 2);
    return delays;
  }

  private void awaitQuiet() throws InterruptedException {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    while (mock.activeResponses() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    Thread.sleep(3000); // idle pools and watcher threads wind down (Tomcat's lingers 2 s)
    HookRecords.drain();
  }

  /**
   * Open descriptors of this JVM, less the idle upstream connections Sluice's HTTP client keeps
   * pooled to the mock (two descriptors each, both ends in this JVM; their number follows the
   * concurrency, not the count of exchanges): what a detector would leave behind is counted.
   */
  private int descriptors() throws IOException {
    try (var files = Files.list(Path.of("/proc/self/fd"))) {
      return (int) files.count() - 2 * mock.openConnections();
    }
  }

  /**
   * Live threads, less the worker pools that grow with load and shrink when idle, each bounded
   * by its own maximum (the container's, the JDK HTTP client's, the mock's): what a detector
   * would leave behind is counted.
   */
  private static int threads() {
    int n = 0;
    for (long id : ManagementFactory.getThreadMXBean().getAllThreadIds()) {
      java.lang.management.ThreadInfo t = ManagementFactory.getThreadMXBean().getThreadInfo(id);
      if (t != null && !POOLED.matcher(t.getThreadName()).find()) {
        n++;
      }
    }
    return n;
  }

  private static final java.util.regex.Pattern POOLED = java.util.regex.Pattern.compile(
      "-exec-\\d+$|^qtp\\d+-\\d+$|^HttpClient-\\d+-Worker-\\d+$|^mock-upstream-\\d+$"
          + "|^ForkJoinPool");

  private Map<String, RecordedRequest> byClient(int n) throws InterruptedException {
    Map<String, RecordedRequest> found = new ConcurrentHashMap<>();
    for (int i = 0; i < n; i++) {
      RecordedRequest r = mock.takeRequest(AWAIT);
      found.put(r.header(TEST_CLIENT), r);
    }
    assertThat(found).hasSize(n);
    return found;
  }

  private static String[] withClient(Object id, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = TEST_CLIENT;
    all[1] = String.valueOf(id);
    System.arraycopy(headers, 0, all, 2, headers.length);
    return all;
  }

  /** Reads the response head (status 200) and then {@code n} whole events. */
  static void readEvents(RawHttp client, int n) throws IOException {
    client.readHead();
    assertThat(client.status()).isEqualTo(200);
    InputStream body = client.body();
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    int events = 0;
    int last = -1;
    while (events < n) {
      int b = body.read();
      if (b < 0) {
        throw new IOException("stream ended after " + events + " events: " + seen);
      }
      seen.write(b);
      if (b == '\n' && last == '\n') {
        events++;
      }
      last = b;
    }
  }

  private static Instant leave(RawHttp client) throws IOException {
    Instant now = Instant.now();
    client.close();
    return now;
  }

  private void assertRecord(String outcome) throws InterruptedException {
    if (recordsExchanges()) {
      assertThat(HookRecords.take(AWAIT).outcome()).isEqualTo(outcome);
    }
  }

  private static void assertCancelledPromptly(RecordedRequest upstream, Instant closed) {
    assertThat(upstream.awaitOutcome(AWAIT)).as("upstream's end").isEqualTo(
        Outcome.CLIENT_CLOSED_EARLY);
    Duration after = Duration.between(closed, upstream.endedAt());
    LOG.info("measured: upstream cancelled {} ms after the client left", after.toMillis());
    assertThat(after).as("from the client's close to upstream's cancel").isLessThanOrEqualTo(
        PROMPT);
  }

  private HookRecords.Entry assertCancelledRecord() throws InterruptedException {
    if (!recordsExchanges()) {
      return null;
    }
    HookRecords.Entry record = HookRecords.take(AWAIT);
    assertThat(record.outcome()).as("outcome in %s", record).isEqualTo("CLIENT_CANCELLED");
    return record;
  }
}
