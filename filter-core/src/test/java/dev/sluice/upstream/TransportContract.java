package dev.sluice.upstream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.MockUpstream;
import dev.sluice.testkit.RecordedRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link UpstreamTransport} must do, against testkit's {@link MockUpstream}: the
 * listener contract (order, no concurrent calls, one {@code onData} per demand, buffers owned by
 * the listener), exact forwarding both ways, cancel, and failures. A transport's test extends this
 * and says how to make one.
 */
public abstract class TransportContract {
  protected static final byte[] STREAM = ("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,"
      + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}").getBytes(UTF_8);
  protected static final Duration WAIT = Duration.ofSeconds(10);

  protected static MockUpstream mock;
  protected UpstreamTransport transport;

  /** A new transport with this connect timeout. */
  protected abstract UpstreamTransport create(Duration connectTimeout);

  /**
   * Whether the transport sends a {@code user-agent} of its own when the client sent none (the
   * JDK client does and cannot be told not to); a client's own is always forwarded alone.
   */
  protected boolean addsOwnUserAgent() {
    return false;
  }

  @BeforeAll
  static void startMock() {
    mock = MockUpstream.start();
  }

  @AfterAll
  static void stopMock() {
    mock.close();
  }

  @BeforeEach
  void newTransport() {
    transport = create(Duration.ofSeconds(5));
  }

  @AfterEach
  void closeTransport() {
    transport.close();
    mock.reset();
  }

  public static UpstreamRequest request(URI base, String path, String... headers) {
    List<Map.Entry<String, String>> h = new ArrayList<>();
    h.add(Map.entry("content-type", "application/json"));
    h.add(Map.entry("anthropic-version", "2023-06-01"));
    for (int i = 0; i < headers.length; i += 2) {
      h.add(Map.entry(headers[i], headers[i + 1]));
    }
    return new UpstreamRequest(URI.create(base + path), h, STREAM, STREAM.length);
  }

  public static UpstreamRequest request(String... headers) {
    return request(mock.baseUri(), "/v1/messages", headers);
  }

  /**
   * Records every call and checks the contract as they arrive: never concurrent, in order, no
   * {@code onData} beyond demand. Keeps the buffers it is given (no copy) and reads them only at
   * the end, so a transport that recycled them would show up as corrupted bytes.
   */
  protected static final class Recorder implements UpstreamListener {
    public final boolean autoDemand;
    public final List<String> violations = new CopyOnWriteArrayList<>();
    public final List<ByteBuffer> buffers = new CopyOnWriteArrayList<>();
    public final List<String> threads = new CopyOnWriteArrayList<>();
    public final CompletableFuture<Integer> status = new CompletableFuture<>();
    public final CompletableFuture<Throwable> end = new CompletableFuture<>(); // null: onComplete
    public final CompletableFuture<Void> firstData = new CompletableFuture<>();
    public final AtomicInteger demanded = new AtomicInteger();
    public final AtomicInteger dataCalls = new AtomicInteger();
    private final AtomicBoolean inCall = new AtomicBoolean();
    public volatile List<Map.Entry<String, String>> headers;
    public volatile UpstreamCall call;

    public Recorder(boolean autoDemand) {
      this.autoDemand = autoDemand;
    }

    public UpstreamCall start(UpstreamTransport transport, UpstreamRequest request) {
      call = transport.open(request, this);
      call.start();
      return call;
    }

    public void demand() {
      demanded.incrementAndGet();
      call.demand();
    }

    private void enter(String what) {
      threads.add(Thread.currentThread().getName());
      if (!inCall.compareAndSet(false, true)) {
        violations.add(what + " while another call was running");
      }
      if (end.isDone()) {
        violations.add(what + " after the end");
      }
    }

    private void exit() {
      inCall.set(false);
    }

    @Override
    public void onResponse(int status, List<Map.Entry<String, String>> headers) {
      enter("onResponse");
      if (this.status.isDone()) {
        violations.add("a second onResponse");
      }
      this.headers = headers;
      this.status.complete(status);
      exit();
      if (autoDemand) {
        demand();
      }
    }

    @Override
    public void onData(List<ByteBuffer> data) {
      enter("onData");
      if (!status.isDone()) {
        violations.add("onData before onResponse");
      }
      if (dataCalls.incrementAndGet() > demanded.get()) {
        violations.add("onData beyond demand (" + dataCalls.get() + " > " + demanded.get() + ")");
      }
      buffers.addAll(data);
      firstData.complete(null);
      exit();
      if (autoDemand) {
        demand();
      }
    }

    @Override
    public void onComplete() {
      enter("onComplete");
      end.complete(null);
      exit();
    }

    @Override
    public void onFailure(Throwable error) {
      enter("onFailure");
      end.complete(error);
      exit();
    }

    public byte[] body() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (ByteBuffer b : buffers) {
        ByteBuffer d = b.duplicate();
        byte[] a = new byte[d.remaining()];
        d.get(a);
        out.writeBytes(a);
      }
      return out.toByteArray();
    }

    public Throwable awaitEnd() throws Exception {
      return end.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  @Test
  void transcript_relayedByteForByte_oneOnDataPerDemand() throws Exception {
    for (String scenario : MockUpstream.transcriptCases()) {
      Recorder r = new Recorder(true);
      r.start(transport, request("x-mock-scenario", scenario));
      assertThat(r.awaitEnd()).as(scenario).isNull();
      assertThat(r.status.get()).isEqualTo(200);
      assertThat(r.body()).as(scenario).isEqualTo(MockUpstream.transcript(scenario));
      assertThat(r.violations).as(scenario).isEmpty();
    }
  }

  @Test
  void smallWrites_andLargeBodies_relayedExactly_buffersNeverRecycled() throws Exception {
    Recorder tiny = new Recorder(true);
    tiny.start(transport, request("x-mock-scenario", "unicode", "x-mock-chunk-bytes", "7"));
    Recorder bulk = new Recorder(true);
    bulk.start(transport, request("x-mock-scenario", "bulk", "x-mock-deltas", "200",
        "x-mock-delta-bytes", "4000"));
    assertThat(tiny.awaitEnd()).isNull();
    assertThat(bulk.awaitEnd()).isNull();
    assertThat(tiny.body()).isEqualTo(MockUpstream.transcript("unicode"));
    // The buffers were kept as handed over while hundreds more were read: they must still hold
    // their own bytes. 200 deltas of 4000 'x'-like bytes each, in order, framed as SSE.
    String body = new String(bulk.body(), UTF_8);
    assertThat(body).startsWith("event: message_start").endsWith("\n\n");
    assertThat(body.split("event: content_block_delta", -1)).hasSize(201);
    assertThat(bulk.violations).isEmpty();
    assertThat(tiny.violations).isEmpty();
  }

  @Test
  void nothingIsDelivered_beyondDemand() throws Exception {
    Recorder r = new Recorder(false);
    r.start(transport, request("x-mock-scenario", "bulk", "x-mock-deltas", "200",
        "x-mock-delta-bytes", "4000"));
    assertThat(r.status.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(200);
    r.demand();
    r.firstData.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    // 800 kB cannot come in one chunk: the rest waits (in socket buffers, or upstream) for demand.
    // (onComplete needs no demand, so a response that fits in one chunk may end here.)
    Thread.sleep(300);
    assertThat(r.dataCalls.get()).isEqualTo(1);
    assertThat(r.end).isNotDone();
    while (!r.end.isDone()) {
      if (r.dataCalls.get() == r.demanded.get()) {
        r.demand();
      }
      Thread.sleep(1);
    }
    assertThat(r.awaitEnd()).isNull();
    assertThat(r.violations).isEmpty();
  }

  @Test
  void requestForwardedExactly_noHeadersOfItsOwn() throws Exception {
    Recorder r = new Recorder(true);
    r.start(transport, request(mock.baseUri(), "/v1/messages?beta=true",
        "anthropic-beta", "a-2025", "anthropic-beta", "b-2025", "x-api-key", "sk-test",
        "x-custom", "  spaced  value"));
    assertThat(r.awaitEnd()).isNull();
    RecordedRequest seen = mock.takeRequest(WAIT);
    assertThat(seen.method()).isEqualTo("POST");
    assertThat(seen.path()).isEqualTo("/v1/messages");
    assertThat(seen.query()).isEqualTo("beta=true");
    assertThat(seen.body()).isEqualTo(STREAM);
    assertThat(seen.headers("anthropic-beta")).containsExactly("a-2025", "b-2025");
    assertThat(seen.header("x-api-key")).isEqualTo("sk-test");
    assertThat(seen.header("content-length")).isEqualTo(Integer.toString(STREAM.length));
    if (!addsOwnUserAgent()) {
      assertThat(seen.header("user-agent")).as("no user-agent of the transport's own").isNull();
    }
    assertThat(seen.header("accept-encoding")).as("no decompression asked for").isNull();
    assertThat(seen.header("cookie")).isNull();
  }

  @Test
  void clientsUserAgent_forwardedAlone() throws Exception {
    Recorder r = new Recorder(true);
    r.start(transport, request("user-agent", "Anthropic/Java 3.14.0"));
    assertThat(r.awaitEnd()).isNull();
    assertThat(mock.takeRequest(WAIT).headers("user-agent"))
        .containsExactly("Anthropic/Java 3.14.0");
  }

  @Test
  void statusAndHeaders_forwardedExactly_namesLowerCase() throws Exception {
    Recorder r = new Recorder(true);
    r.start(transport, request("x-mock-scenario", "error_429"));
    assertThat(r.awaitEnd()).isNull();
    assertThat(r.status.get()).isEqualTo(429);
    assertThat(r.headers).contains(Map.entry("retry-after", "7"));
    assertThat(r.headers).allSatisfy(h -> assertThat(h.getKey()).isLowerCase());
    assertThat(r.headers.stream().filter(h -> h.getKey().equals("request-id")).count())
        .isEqualTo(1);
    assertThat(new String(r.body(), UTF_8)).contains("\"rate_limit_error\"");
    assertThat(r.violations).isEmpty();
  }

  @Test
  void cancelMidStream_closesTheConnection_andTheNextCallWorks() throws Exception {
    Recorder r = new Recorder(false);
    r.start(transport, request("x-mock-scenario", "paced", "x-mock-deltas", "2000",
        "x-mock-delay-ms", "5"));
    r.status.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    r.demand();
    r.firstData.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    r.call.cancel();
    r.call.cancel(); // idempotent
    r.call.demand(); // after cancel: ignored
    RecordedRequest seen = mock.takeRequest(WAIT);
    assertThat(seen.awaitOutcome(WAIT)).isEqualTo(RecordedRequest.Outcome.CLIENT_CLOSED_EARLY);

    Recorder next = new Recorder(true);
    next.start(transport, request("x-mock-scenario", "text"));
    assertThat(next.awaitEnd()).isNull();
    assertThat(next.body()).isEqualTo(MockUpstream.transcript("text"));
    assertThat(next.violations).isEmpty();
  }

  @Test
  void cancelBeforeTheResponse_abortsTheRequest() throws Exception {
    Recorder r = new Recorder(true);
    r.start(transport, request("x-mock-header-delay-ms", "30000"));
    RecordedRequest seen = mock.takeRequest(WAIT);
    r.call.cancel();
    assertThat(seen.awaitOutcome(WAIT)).isEqualTo(RecordedRequest.Outcome.CLIENT_CLOSED_EARLY);
    assertThat(r.status).isNotDone();
  }

  @Test
  void cancelBeforeStart_sendsNothing() throws Exception {
    Recorder r = new Recorder(true);
    UpstreamCall call = transport.open(request(), r);
    call.cancel();
    call.start();
    Recorder next = new Recorder(true);
    next.start(transport, request("x-mock-scenario", "text"));
    assertThat(next.awaitEnd()).isNull();
    assertThat(mock.requests()).hasSize(1);
  }

  @Test
  void cutMidStream_endsInOnFailure() throws Exception {
    Recorder r = new Recorder(true);
    r.start(transport, request("x-mock-scenario", "abrupt_close"));
    assertThat(r.awaitEnd()).isNotNull();
    assertThat(r.status.get()).isEqualTo(200);
    assertThat(r.violations).isEmpty();
  }

  @Test
  void refusedConnection_endsInOnFailure_notATimeout() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Recorder r = new Recorder(true);
    r.start(transport, request(URI.create("http://127.0.0.1:" + port), "/v1/messages"));
    assertThat(r.awaitEnd()).isNotNull().isNotInstanceOf(HttpConnectTimeoutException.class);
    assertThat(r.status).isNotDone();
  }

  @Test
  void connectTimeout_endsInHttpConnectTimeoutException() throws Exception {
    transport.close();
    transport = create(Duration.ofMillis(300));
    // A listener that never accepts, with its accept queue filled: the kernel drops further SYNs,
    // so the next connect hangs until the transport's connect timeout.
    List<Socket> fillers = new ArrayList<>();
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      for (int i = 0; i < 4; i++) {
        Socket f = new Socket();
        try {
          f.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort()), 200);
          fillers.add(f);
        } catch (IOException full) {
          f.close();
          break;
        }
      }
      Recorder r = new Recorder(true);
      r.start(transport, request(URI.create("http://127.0.0.1:" + s.getLocalPort()),
          "/v1/messages"));
      assertThat(r.awaitEnd()).isInstanceOf(HttpConnectTimeoutException.class);
    } finally {
      for (Socket f : fillers) {
        f.close();
      }
    }
  }
}
