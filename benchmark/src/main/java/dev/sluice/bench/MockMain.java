package dev.sluice.bench;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.testkit.MockUpstream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's mock upstream process: {@link MockUpstream} (testkit) plus a timer that calls
 * {@link MockUpstream#reset()} every second. The mock records every request for tests to inspect;
 * over the hundreds of thousands of requests of a benchmark that record would grow without
 * bound, so it is dropped (nothing here reads it).
 *
 * <p>The soak needs to know, from another process, whether the proxy left upstream requests
 * running: {@code GET /_mock/stats} on a second port (printed as {@code mock stats at <url>})
 * answers {@code {"activeResponses":n,"openConnections":m}}. A port of its own keeps it away from
 * what the proxies relay.
 * {@code java -cp benchmark.jar dev.sluice.bench.MockMain [--port N]}.
 */
public final class MockMain {
  static final String STATS_PATH = "/_mock/stats";

  private MockMain() {}

  public static void main(String[] args) throws InterruptedException {
    int port = 0;
    for (int i = 0; i < args.length; i++) {
      if ("--port".equals(args[i]) && i + 1 < args.length) {
        port = Integer.parseInt(args[++i]);
      } else {
        System.err.println("usage: MockMain [--port N]");
        System.exit(2);
      }
    }
    MockUpstream mock = MockUpstream.start(port);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "mock-reset");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleAtFixedRate(mock::reset, 1, 1, TimeUnit.SECONDS);
    HttpServer stats = statsServer(mock);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stats.stop(0);
      mock.close();
    }, "mock-upstream-stop"));
    System.out.println("mock upstream listening on " + mock.baseUri());
    System.out.println("mock stats at " + statsUri(stats));
    System.out.flush();
    new CountDownLatch(1).await();
  }

  /** Serves {@link #STATS_PATH} for {@code mock} on a free port of 127.0.0.1. */
  static HttpServer statsServer(MockUpstream mock) {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
      server.createContext(STATS_PATH, exchange -> {
        byte[] body = ("{\"activeResponses\":" + mock.activeResponses()
            + ",\"openConnections\":" + mock.openConnections() + "}\n")
            .getBytes(StandardCharsets.US_ASCII);
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (var out = exchange.getResponseBody()) {
          out.write(body);
        }
      });
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("mock stats server could not start", e);
    }
  }

  static URI statsUri(HttpServer server) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + STATS_PATH);
  }
}
