package dev.sluice.failover;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.hook.Attempt;
import dev.sluice.upstream.UpstreamCall;
import dev.sluice.upstream.UpstreamListener;
import dev.sluice.upstream.UpstreamRequest;
import dev.sluice.upstream.UpstreamTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The attempt loop against a transport the test drives by hand, one callback at a time. */
class FailoverCallTest {
  private static final URI A = URI.create("http://a.test");
  private static final URI B = URI.create("http://b.test:8080");
  private static final List<Map.Entry<String, String>> SSE =
      List.of(Map.entry("content-type", "text/event-stream; charset=utf-8"),
          Map.entry("request-id", "req_b"));
  private static final String START = "event: message_start\ndata: {\"type\":\"message_start\","
      + "\"message\":{\"id\":\"msg_1\",\"usage\":{\"input_tokens\":3}}}\n\n";
  private static final String PING = "event: ping\ndata: {\"type\": \"ping\"}\n\n";
  private static final String BLOCK = "event: content_block_start\ndata: {\"type\":"
      + "\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
  private static final String OVERLOADED = "event: error\ndata: {\"type\": \"error\", \"error\": "
      + "{\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}\n\n";
  private static final String STOP = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final Fake fake = new Fake();

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  private UpstreamTransport failover(RetryPolicy policy, URI... entries) {
    List<UpstreamEntry> list = new ArrayList<>();
    for (int i = 0; i < entries.length; i++) {
      list.add(new UpstreamEntry(entries[i], i, 1, List.of()));
    }
    return Failover.decorate(fake, entries[0], list, List.of(), policy, timer);
  }

  private Client send(UpstreamTransport t) {
    Client c = new Client();
    c.call = t.open(new UpstreamRequest(URI.create(A + "/v1/messages"), List.of(),
        "{}".getBytes(UTF_8), 2), c);
    c.call.start();
    return c;
  }

  @Test
  void retryableStatus_failsOverAtOnce_andTheClientSeesOnlyTheNextEntry() throws Exception {
    UpstreamTransport t = failover(RetryPolicy.DEFAULT, A, B);
    Client client = send(t);
    FakeCall a = fake.next();
    assertThat(a.request.uri()).isEqualTo(URI.create("http://a.test/v1/messages"));
    a.listener.onResponse(529, List.of(Map.entry("retry-after", "1")));
    assertThat(a.cancelled).isTrue();
    FakeCall b = fake.next();
    assertThat(b.request.uri()).isEqualTo(URI.create("http://b.test:8080/v1/messages"));
    b.listener.onResponse(200, SSE);
    assertThat(client.status).as("head held until content").isZero();
    b.send(START);
    b.send(PING);
    assertThat(client.status).isZero();
    b.send(BLOCK);
    assertThat(client.status).isEqualTo(200);
    assertThat(client.headers).isEqualTo(SSE);
    b.send(STOP);
    b.listener.onComplete();
    assertThat(client.body()).isEqualTo(START + PING + BLOCK + STOP);
    assertThat(client.completed).isTrue();
    assertThat(Failover.attempts(client.call)).extracting(Attempt::upstream, Attempt::status,
        Attempt::error, Attempt::ending).containsExactly(
            org.assertj.core.groups.Tuple.tuple("a.test", 529, "status", Attempt.Ending.RETRIED),
            org.assertj.core.groups.Tuple.tuple("b.test:8080", 200, "", Attempt.Ending.RELAYED));

    // A cools down for its retry-after: the next exchange starts at B.
    send(t);
    assertThat(fake.next().request.uri().getHost()).isEqualTo("b.test");
  }

  @Test
  void overloadInsideA200_beforeContent_isRetried_withNoByteOfTheFirstAttempt() throws Exception {
    Client client = send(failover(RetryPolicy.DEFAULT, A, B));
    FakeCall a = fake.next();
    a.listener.onResponse(200, SSE);
    a.send(START + PING);
    a.send(OVERLOADED);
    assertThat(a.cancelled).isTrue();
    FakeCall b = fake.next();
    b.listener.onResponse(200, SSE);
    b.send(START + BLOCK + STOP);
    b.listener.onComplete();
    assertThat(client.body()).isEqualTo(START + BLOCK + STOP);
    assertThat(Failover.attempts(client.call).get(0).error()).isEqualTo("overloaded_error");
  }

  @Test
  void errorAfterContent_isRelayed_notRetried() throws Exception {
    Client client = send(failover(RetryPolicy.DEFAULT, A, B));
    FakeCall a = fake.next();
    a.listener.onResponse(200, SSE);
    a.send(START + BLOCK);
    a.send(OVERLOADED);
    a.listener.onComplete();
    assertThat(client.body()).isEqualTo(START + BLOCK + OVERLOADED);
    assertThat(a.cancelled).isFalse();
    assertThat(fake.opened).isEmpty();
  }

  @Test
  void everyAttemptFails_theLastIsRelayedAsSent() throws Exception {
    Client client = send(failover(RetryPolicy.DEFAULT.withMaxAttempts(2), A, B));
    fake.next().listener.onResponse(529, List.of());
    FakeCall b = fake.next();
    List<Map.Entry<String, String>> head = List.of(Map.entry("content-type", "application/json"),
        Map.entry("retry-after", "3"), Map.entry("x-should-retry", "true"));
    b.listener.onResponse(503, head);
    assertThat(client.status).isEqualTo(503);
    assertThat(client.headers).isEqualTo(head);
    b.send("{\"type\":\"error\"}");
    b.listener.onComplete();
    assertThat(client.body()).isEqualTo("{\"type\":\"error\"}");
    assertThat(fake.opened).isEmpty();
  }

  @Test
  void cancelDuringBackoff_startsNoFurtherAttempt() throws Exception {
    RetryPolicy p = RetryPolicy.DEFAULT.withMaxAttempts(3)
        .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(1));
    Client client = send(failover(p, A));
    fake.next().listener.onResponse(500, List.of());
    client.call.cancel();
    assertThat(fake.opened.poll(600, TimeUnit.MILLISECONDS)).isNull();
    assertThat(client.status).isZero();
  }

  @Test
  void sameEntry_isRetriedAfterTheBackoff() throws Exception {
    RetryPolicy p = RetryPolicy.DEFAULT.withMaxAttempts(2)
        .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1));
    send(failover(p, A));
    long t0 = System.nanoTime();
    fake.next().listener.onResponse(500, List.of());
    fake.next();
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(75));
  }

  @Test
  void cutInsideTheGate_isRetried() throws Exception {
    Client client = send(failover(RetryPolicy.DEFAULT, A, B));
    FakeCall a = fake.next();
    a.listener.onResponse(200, SSE);
    a.send(START);
    a.listener.onFailure(new IOException("reset"));
    FakeCall b = fake.next();
    b.listener.onResponse(200, SSE);
    b.send(START + BLOCK);
    assertThat(client.body()).isEqualTo(START + BLOCK);
    assertThat(Failover.attempts(client.call).get(0).error()).isEqualTo("connection_cut");
  }

  @Test
  void connectFailure_isRetried_andCoolsTheEntry() throws Exception {
    UpstreamTransport t = failover(RetryPolicy.DEFAULT, A, B);
    send(t);
    fake.next().listener.onFailure(new ConnectException("refused"));
    assertThat(fake.next().request.uri().getHost()).isEqualTo("b.test");
    send(t);
    assertThat(fake.next().request.uri().getHost()).as("A cools down").isEqualTo("b.test");
  }

  @Test
  void lastConnectFailure_reachesTheExchange() throws Exception {
    Client client = send(failover(RetryPolicy.DEFAULT.withMaxAttempts(2), A, B));
    fake.next().listener.onFailure(new ConnectException("refused"));
    fake.next().listener.onFailure(new ConnectException("refused too"));
    assertThat(client.failure).hasMessage("refused too");
  }

  @Test
  void xShouldRetryFalse_isRelayed() throws Exception {
    Client client = send(failover(RetryPolicy.DEFAULT, A, B));
    fake.next().listener.onResponse(529, List.of(Map.entry("x-should-retry", "false")));
    assertThat(client.status).isEqualTo(529);
    assertThat(fake.opened).isEmpty();
  }

  @Test
  void gateDeadline_relaysWhatIsHeld() throws Exception {
    Client client = send(failover(RetryPolicy.DEFAULT.withGate(Duration.ofMillis(100), 65536),
        A, B));
    FakeCall a = fake.next();
    a.listener.onResponse(200, SSE);
    a.send(START);
    client.awaitStatus();
    assertThat(client.body()).isEqualTo(START);
    a.send(BLOCK); // the demand still outstanding from the gate is the client's now
    assertThat(client.body()).isEqualTo(START + BLOCK);
  }

  @Test
  void gateBytes_relayWhenFull() throws Exception {
    Client client = send(failover(RetryPolicy.DEFAULT.withGate(Duration.ofSeconds(30), 100),
        A, B));
    FakeCall a = fake.next();
    a.listener.onResponse(200, SSE);
    a.send(START + PING);
    assertThat(client.status).isEqualTo(200);
    assertThat(client.body()).isEqualTo(START + PING);
  }

  @Test
  void nonStreaming_isNotHeld() throws Exception {
    Client client = send(failover(RetryPolicy.DEFAULT, A, B));
    fake.next().listener.onResponse(529, List.of());
    FakeCall b = fake.next();
    b.listener.onResponse(200, List.of(Map.entry("content-type", "application/json")));
    assertThat(client.status).isEqualTo(200);
    b.send("{}");
    b.listener.onComplete();
    assertThat(client.body()).isEqualTo("{}");
  }

  @Test
  void noBudget_noRetry() throws Exception {
    Client client = send(failover(RetryPolicy.DEFAULT.withBudget(Duration.ZERO)
        .withBackoff(Duration.ofMillis(1), Duration.ofMillis(1)), A));
    fake.next().listener.onResponse(500, List.of());
    assertThat(client.status).isEqualTo(500);
  }

  // ---- the fake transport and a client that demands like the exchange ----

  private static final class Fake implements UpstreamTransport {
    final BlockingQueue<FakeCall> opened = new LinkedBlockingQueue<>();

    @Override
    public UpstreamCall open(UpstreamRequest request, UpstreamListener listener) {
      FakeCall c = new FakeCall(request, listener);
      opened.add(c);
      return c;
    }

    FakeCall next() throws InterruptedException {
      FakeCall c = opened.poll(5, TimeUnit.SECONDS);
      assertThat(c).as("an attempt was opened").isNotNull();
      for (int i = 0; i < 500 && !c.started; i++) {
        Thread.sleep(2); // opened on the timer thread, started just after
      }
      assertThat(c.started).isTrue();
      return c;
    }
  }

  private static final class FakeCall implements UpstreamCall {
    final UpstreamRequest request;
    final UpstreamListener listener;
    volatile boolean started;
    volatile boolean cancelled;
    final AtomicInteger demands = new AtomicInteger();

    FakeCall(UpstreamRequest request, UpstreamListener listener) {
      this.request = request;
      this.listener = listener;
    }

    /** One chunk, as the transport hands it over after a demand. */
    void send(String chunk) {
      assertThat(demands.getAndDecrement()).as("demanded before data").isPositive();
      listener.onData(List.of(ByteBuffer.wrap(chunk.getBytes(UTF_8))));
    }

    @Override
    public void start() {
      started = true;
    }

    @Override
    public void demand() {
      demands.incrementAndGet();
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  private static final class Client implements UpstreamListener {
    volatile UpstreamCall call;
    volatile int status;
    volatile List<Map.Entry<String, String>> headers;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    volatile boolean completed;
    volatile Throwable failure;

    @Override
    public void onResponse(int status, List<Map.Entry<String, String>> headers) {
      this.headers = headers;
      this.status = status;
      call.demand();
    }

    @Override
    public synchronized void onData(List<ByteBuffer> data) {
      for (ByteBuffer b : data) {
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        body.writeBytes(bytes);
      }
      call.demand();
    }

    @Override
    public void onComplete() {
      completed = true;
    }

    @Override
    public void onFailure(Throwable error) {
      failure = error;
    }

    synchronized String body() {
      return body.toString(UTF_8);
    }

    void awaitStatus() throws InterruptedException {
      for (int i = 0; i < 500 && status == 0; i++) {
        Thread.sleep(10);
      }
      assertThat(status).isEqualTo(200);
    }
  }
}
