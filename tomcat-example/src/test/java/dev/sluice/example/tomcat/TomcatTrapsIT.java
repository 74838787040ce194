package dev.sluice.example.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.MockUpstream;
import dev.sluice.testkit.RecordedRequest;
import dev.sluice.testkit.contract.RawHttp;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tomcat's known traps for a streaming relay, beyond the shared contract: the 30 s async timeout
 * (here shortened to 1 s, so that proving Sluice overrides it takes seconds, not half a minute),
 * per-event flushing through Tomcat's 8 KiB response buffer, and the ways Tomcat reports a client
 * that left (a pending non-blocking write, a write after a silence).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TomcatTrapsIT {
  static final String STREAM_BODY = TomcatExampleIT.STREAM_BODY;
  static final long SHORT_ASYNC_TIMEOUT_MS = 1000;

  static MockUpstream mock;
  static TomcatExample.Running app;
  static HttpClient http;

  @BeforeAll
  static void start() {
    mock = MockUpstream.start();
    // Tomcat's async timeout cut to 1 s, and a probe servlet that goes async and never
    // completes, to show that the shortened timeout is live in this container.
    app = TomcatExample.start(0, mock.baseUri(), Map.of("keepalive-interval", "1s"),
        (connector, context) -> shortAsyncTimeoutWithProbe(connector, context));
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() {
    if (app != null) app.close();
    if (mock != null) mock.close();
  }

  @BeforeEach
  void forget() {
    mock.reset();
  }

  static void shortAsyncTimeoutWithProbe(Connector connector, Context context) {
    connector.setAsyncTimeout(SHORT_ASYNC_TIMEOUT_MS);
    Wrapper probe = Tomcat.addServlet(context, "async-probe", new HttpServlet() {
      private static final long serialVersionUID = 1L;

      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        req.startAsync(); // and never complete: only the container's async timeout ends it
      }
    });
    probe.setAsyncSupported(true);
    context.addServletMappingDecoded("/async-probe", "async-probe");
  }

  // ---- the async timeout ----

  @Test
  void shortenedAsyncTimeout_isLiveForAnOrdinaryAsyncServlet() throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(URI.create(app.baseUri() + "/async-probe"))
            .timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(r.statusCode()).as("Tomcat ends a timed-out async request with an error")
        .isGreaterThanOrEqualTo(500);
    assertThat(ms).isBetween(SHORT_ASYNC_TIMEOUT_MS - 100, 10_000L);
  }

  @Test
  void streamSilentLongerThanTheAsyncTimeout_isNotCut() throws Exception {
    HttpResponse<byte[]> r = post(app.baseUri(), STREAM_BODY,
        "x-mock-scenario", "paced", "x-mock-deltas", "3", "x-mock-first-delay-ms", "3500");
    String body = new String(r.body(), StandardCharsets.UTF_8);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(body).doesNotContain("event: error")
        .endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
  }

  @Test
  void responseHeadersLaterThanTheAsyncTimeout_stillRelayed() throws Exception {
    String notStreaming = STREAM_BODY.replace("\"stream\":true,", "");
    HttpResponse<byte[]> direct = post(mock.baseUri(), notStreaming);
    HttpResponse<byte[]> r = post(app.baseUri(), notStreaming, "x-mock-header-delay-ms", "3000");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isNotEmpty().isEqualTo(direct.body());
  }

  // ---- flushing through the 8 KiB buffer ----

  /**
   * Each event is far smaller than Tomcat's 8 KiB output buffer; without a flush per event they
   * would all arrive together when the stream ends.
   */
  @Test
  void smallEvents_eachReachTheClientAsUpstreamSendsIt() throws Exception {
    int deltas = 5;
    long gapMs = 300;
    HttpResponse<InputStream> r = http.send(
        request(app.baseUri(), STREAM_BODY, "x-mock-scenario", "paced",
            "x-mock-deltas", "" + deltas, "x-mock-delay-ms", "" + gapMs),
        HttpResponse.BodyHandlers.ofInputStream());
    List<Long> deltaArrivals = new ArrayList<>();
    try (InputStream in = r.body()) {
      for (String event; !(event = readEvent(in)).isEmpty(); ) {
        if (event.startsWith("event: content_block_delta")) {
          deltaArrivals.add(System.nanoTime());
        }
      }
    }

    assertThat(deltaArrivals).hasSize(deltas);
    for (int i = 1; i < deltas; i++) {
      long apart = TimeUnit.NANOSECONDS.toMillis(deltaArrivals.get(i) - deltaArrivals.get(i - 1));
      assertThat(apart).as("ms between delta %d and %d", i - 1, i).isGreaterThan(gapMs / 3);
    }
  }

  @Test
  void eventsLargerThanTheBuffer_relayedByteForByte() throws Exception {
    String[] knobs = {"x-mock-scenario", "bulk", "x-mock-deltas", "12",
        "x-mock-delta-bytes", "" + 20 * 1024};
    HttpResponse<byte[]> direct = post(mock.baseUri(), STREAM_BODY, knobs);
    HttpResponse<byte[]> relayed = post(app.baseUri(), STREAM_BODY, knobs);

    assertThat(relayed.statusCode()).isEqualTo(200);
    assertThat(relayed.body().length).isGreaterThan(12 * 20 * 1024);
    assertThat(relayed.body()).isEqualTo(direct.body());
  }

  // ---- the client leaving ----

  /**
   * The client stops reading, so Tomcat's non-blocking write stays pending ({@code isReady()}
   * false), then leaves: Tomcat reports it through {@code WriteListener.onError}, and upstream
   * must be cancelled.
   */
  @Test
  void clientLeavesWhileAWriteIsPending_upstreamCancelled() throws Exception {
    RecordedRequest seen;
    try (RawHttp raw = RawHttp.send(app.baseUri(), "POST", "/v1/messages",
        jsonHeaders("x-mock-scenario", "bulk", "x-mock-deltas", "16384",
            "x-mock-delta-bytes", "4096"),
        STREAM_BODY.getBytes(StandardCharsets.UTF_8), false, 16 * 1024)) {
      assertThat(raw.readHead().status()).isEqualTo(200);
      seen = mock.takeRequest(Duration.ofSeconds(5));
      awaitPlateau(seen); // the relay is blocked on the client: not reading, not buffering
    }
    assertThat(seen.awaitOutcome(Duration.ofSeconds(15)))
        .isEqualTo(RecordedRequest.Outcome.CLIENT_CLOSED_EARLY);
  }

  /**
   * The client leaves while upstream is silent mid-stream. Tomcat does not poll a socket an async
   * request is not using, so only a write finds the closed connection: here Sluice's keep-alive
   * ping (keepalive-interval 1 s in this class).
   */
  @Test
  void clientLeavesDuringASilence_foundByTheNextWrite_upstreamCancelled() throws Exception {
    String hold = "silence-" + System.nanoTime();
    RecordedRequest seen;
    try (RawHttp raw = RawHttp.send(app.baseUri(), "POST", "/v1/messages",
        jsonHeaders("x-mock-scenario", "text", "x-mock-hold", hold),
        STREAM_BODY.getBytes(StandardCharsets.UTF_8), false, 0)) {
      assertThat(raw.readHead().status()).isEqualTo(200);
      assertThat(readEvent(raw.body())).startsWith("event: message_start\n");
      seen = mock.takeRequest(Duration.ofSeconds(5));
    }
    try {
      assertThat(seen.awaitOutcome(Duration.ofSeconds(15)))
          .isEqualTo(RecordedRequest.Outcome.CLIENT_CLOSED_EARLY);
    } finally {
      mock.release(hold);
    }
  }

  // ---- errors Sluice answers itself after going async ----

  @Test
  void localErrorAfterStartAsync_unreachableUpstream_502WithBody() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    try (TomcatExample.Running dead =
        TomcatExample.start(0, URI.create("http://127.0.0.1:" + closedPort), Map.of())) {
      assertLocalError(request(dead.baseUri(), STREAM_BODY), 502, "api_error");
    }
  }

  @Test
  void localErrorAfterStartAsync_silentUpstream_504WithBody() throws Exception {
    try (TomcatExample.Running tight =
        TomcatExample.start(0, mock.baseUri(), Map.of("headers-timeout", "1s"))) {
      assertLocalError(
          request(tight.baseUri(), STREAM_BODY, "x-mock-header-delay-ms", "4000"), 504,
          "timeout_error");
    }
  }

  // ---- helpers ----

  static HttpRequest request(URI base, String body, String... headers) {
    return TomcatExampleIT.post(base, "/v1/messages", body, headers);
  }

  /**
   * The status, then the whole body within 5 s. (HttpClient's request timeout ends at the
   * headers, so the body is read with its own deadline, and a missing body fails in 5 s with
   * what did arrive rather than hanging.)
   */
  static void assertLocalError(HttpRequest request, int status, String type) throws Exception {
    HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(status);
    String contentLength = r.headers().firstValue("content-length").orElse("(none)");
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    CompletableFuture<Void> body = CompletableFuture.runAsync(() -> {
      try (InputStream in = r.body()) {
        byte[] buf = new byte[1024];
        for (int n; (n = in.read(buf)) >= 0; ) {
          synchronized (got) {
            got.write(buf, 0, n);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    try {
      body.get(5, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      r.body().close();
      synchronized (got) {
        throw new AssertionError("status " + status + " and content-length " + contentLength
            + " arrived, but only " + got.size() + " body bytes in 5 s: '" + got + "'");
      }
    }
    assertThat(got.toString(StandardCharsets.UTF_8))
        .startsWith("{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",");
  }

  static HttpResponse<byte[]> post(URI base, String body, String... headers)
      throws IOException, InterruptedException {
    return http.send(request(base, body, headers), HttpResponse.BodyHandlers.ofByteArray());
  }

  static List<Map.Entry<String, String>> jsonHeaders(String... headers) {
    List<Map.Entry<String, String>> list = new ArrayList<>();
    list.add(Map.entry("content-type", "application/json"));
    list.add(Map.entry("anthropic-version", "2023-06-01"));
    for (int i = 0; i < headers.length; i += 2) {
      list.add(Map.entry(headers[i], headers[i + 1]));
    }
    return list;
  }

  /** One SSE event up to and including its blank line; "" at the end of the stream. */
  static String readEvent(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c; (c = in.read()) >= 0; ) {
      b.append((char) c);
      int n = b.length();
      if (n >= 2 && b.charAt(n - 1) == '\n' && b.charAt(n - 2) == '\n') break;
    }
    return b.toString();
  }

  static long awaitPlateau(RecordedRequest seen) throws InterruptedException {
    long last = -1;
    for (int i = 0; i < 100; i++) {
      Thread.sleep(200);
      long now = seen.bytesSent();
      if (now == last && now > 0) return now;
      last = now;
    }
    throw new AssertionError("upstream never paused: " + last + " bytes sent");
  }
}
