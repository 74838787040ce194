package dev.sluice.testkit;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for the Anthropic Messages API, on Jetty core, bound to 127.0.0.1.
 *
 * <p>Serves {@code POST /v1/messages} and {@code POST /v1/messages/count_tokens}. The response is
 * chosen by the {@code x-mock-scenario} request header (default {@code text}):
 *
 * <ul>
 *   <li>golden transcripts, served byte for byte: {@code text}, {@code long_text}, {@code
 *       tool_use}, {@code thinking}, {@code citations}, {@code server_tools}, {@code multi_block},
 *       {@code unicode}, {@code crlf}, {@code mid_stream_error} ({@code <case>.sse} when the body
 *       has {@code "stream": true}, else the assembled {@code <case>.json});
 *   <li>generated: {@code paced} ({@code x-mock-deltas} deltas of {@code "hello "}), {@code bulk}
 *       (deltas of {@code x-mock-delta-bytes} ASCII bytes), {@code abrupt_close} (half of {@code
 *       paced}, then the connection is cut), {@code overload_before_content} ({@code
 *       message_start}, a {@code ping}, then an {@code overloaded_error} event, then the end),
 *       {@code overload_before_content_held} (the same, then the connection stays open until the
 *       client closes it: whether the client cancelled shows in the request's outcome);
 *   <li>broken streams, always streamed: {@code malformed_sse} (lines and events an SSE reader
 *       must survive: no colon, unknown field, data that is not JSON, JSON cut off, an event
 *       without data, a delta for a block that does not exist) and {@code invalid_utf8} (a text
 *       delta with bytes that are not UTF-8), each inside an otherwise valid short message;
 *   <li>errors: {@code error_400}, {@code error_401}, {@code error_429} ({@code retry-after: 7}),
 *       {@code error_500}, {@code error_529} ({@code x-should-retry: true}), {@code
 *       error_529_retry_after_1} (the same with {@code retry-after: 1}); and, as a gateway in
 *       front of the API would fail, {@code error_502_html} (an HTML page) and {@code
 *       error_503_empty} (no body, no {@code Content-Type}).
 * </ul>
 *
 * <p>Shaping knobs (request headers): {@code x-mock-header-delay-ms}, {@code x-mock-first-delay-ms}
 * (headers flushed at once, first event later), {@code x-mock-delay-ms} (between writes), {@code
 * x-mock-chunk-bytes} (fixed-size writes instead of one per event), {@code x-mock-hold: name}
 * (pause after message_start until {@link #release(String)}).
 *
 * <p>Responses are encoded once and cached; writes are non-blocking and delays use a scheduler,
 * so the mock is never the bottleneck of a load test.
 */
public final class MockUpstream implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MockUpstream.class);
  /** Long enough for any held test stream; short enough to reclaim a vanished client. */
  private static final long IDLE_TIMEOUT_MS = TimeUnit.MINUTES.toMillis(5);

  private final Server server;
  private final ServerConnector connector;
  private final MockHandler handler;
  private final Holds holds = new Holds();
  private final List<RecordedRequest> recorded = new ArrayList<>();
  private final BlockingQueue<RecordedRequest> untaken = new LinkedBlockingQueue<>();

  private MockUpstream(int port) {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("mock-upstream");
    // A test that forgets close() must not keep the JVM alive.
    threads.setDaemon(true);
    ScheduledExecutorScheduler scheduler =
        new ScheduledExecutorScheduler("mock-upstream-scheduler", true);
    server = new Server(threads, scheduler, null);
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    config.setSendXPoweredBy(false);
    config.setRequestHeaderSize(64 * 1024);
    connector = new ServerConnector(server, new HttpConnectionFactory(config));
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.setIdleTimeout(IDLE_TIMEOUT_MS);
    server.addConnector(connector);
    handler = new MockHandler(this::record, holds, scheduler, threads);
    server.setHandler(handler);
  }

  /** Starts a mock on an ephemeral port of 127.0.0.1. */
  public static MockUpstream start() {
    return start(0);
  }

  /** Starts a mock on the given port of 127.0.0.1 (0 picks a free one). */
  public static MockUpstream start(int port) {
    MockUpstream mock = new MockUpstream(port);
    try {
      mock.server.start();
    } catch (Exception e) {
      mock.close();
      throw new IllegalStateException("mock upstream could not start on port " + port, e);
    }
    LOG.info("mock upstream listening on {}", mock.baseUri());
    return mock;
  }

  /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + port());
  }

  public int port() {
    return connector.getLocalPort();
  }

  /** Every request received since start or the last {@link #reset()}, in arrival order. */
  public List<RecordedRequest> requests() {
    synchronized (recorded) {
      return List.copyOf(recorded);
    }
  }

  /**
   * The oldest request not yet taken, waiting for one to arrive if needed.
   *
   * @throws AssertionError if none arrives within {@code timeout}
   */
  public RecordedRequest takeRequest(Duration timeout) throws InterruptedException {
    RecordedRequest next = untaken.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (next == null) {
      throw new AssertionError("no request reached the mock upstream within " + timeout);
    }
    return next;
  }

  /**
   * Responses the mock is writing right now. After a test's exchanges have ended (whether the
   * client finished, the proxy cancelled, or a fault cut the stream) this returns to zero; a
   * proxy that leaks an upstream request leaves it above zero until the mock's idle timeout.
   */
  public int activeResponses() {
    return handler.liveExchanges();
  }

  /** TCP connections open to the mock now, in use or idle in a client's pool. */
  public int openConnections() {
    return connector.getConnectedEndPoints().size();
  }

  /**
   * Lets every stream held with {@code x-mock-hold: name} continue. The release is remembered, so
   * a request that arrives later with that name is not held (until {@link #reset()}).
   */
  public void release(String holdName) {
    holds.release(Objects.requireNonNull(holdName, "holdName == null"));
  }

  /**
   * Chooses the scenario of each request from now on, instead of its {@code x-mock-scenario}
   * header: for failover tests, where one request reaches several mocks that must answer
   * differently. Null (or {@link #reset()}) goes back to the header.
   */
  public void script(Script script) {
    handler.script(script);
  }

  /** A per-mock choice of scenario; see {@link #script(Script)}. Called on the mock's threads. */
  @FunctionalInterface
  public interface Script {
    /**
     * @param n how many requests this script was asked about before this one (0 for the first)
     * @param header the request's first value of a header (any case), or null
     * @return the scenario to serve, or null for the one the request asked for
     */
    String scenario(int n, java.util.function.Function<String, String> header);
  }

  /** Forgets recorded requests, the take cursor, remembered releases, and the script. */
  public void reset() {
    handler.script(null);
    synchronized (recorded) {
      recorded.clear();
      untaken.clear();
    }
    holds.forgetReleased();
  }

  /** Stops the server; exchanges still running end as {@code ABORTED_BY_MOCK}. */
  @Override
  public void close() {
    handler.abortAll("mock upstream closed");
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("mock upstream did not stop cleanly", e);
    }
  }

  /** The golden transcript cases, in a stable order. */
  public static List<String> transcriptCases() {
    return Transcripts.CASES;
  }

  /** The bytes of {@code transcripts/<name>.sse}, exactly as the mock streams them. */
  public static byte[] transcript(String name) {
    requireCase(name);
    return Transcripts.stream(name).bytes().clone();
  }

  /** The bytes of {@code transcripts/<name>.json}, the non-streaming answer for that case. */
  public static byte[] transcriptMessage(String name) {
    requireCase(name);
    return Transcripts.message(name).clone();
  }

  private static void requireCase(String name) {
    if (!Transcripts.isCase(name)) {
      throw new IllegalArgumentException("no transcript named " + name);
    }
  }

  private void record(RecordedRequest request) {
    synchronized (recorded) {
      recorded.add(request);
      untaken.add(request);
    }
  }

  /** Runs a mock until the JVM is stopped: {@code --port N} (default: a free port). */
  public static void main(String[] args) throws InterruptedException {
    int port = 0;
    for (int i = 0; i < args.length; i++) {
      if ("--port".equals(args[i]) && i + 1 < args.length) {
        port = Integer.parseInt(args[++i]);
      } else {
        System.err.println("usage: MockUpstream [--port N]");
        System.exit(2);
      }
    }
    MockUpstream mock = start(port);
    Runtime.getRuntime().addShutdownHook(new Thread(mock::close, "mock-upstream-shutdown"));
    System.out.println("mock upstream listening on " + mock.baseUri());
    System.out.flush();
    mock.server.join();
  }
}
