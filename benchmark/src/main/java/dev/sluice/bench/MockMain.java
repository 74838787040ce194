package dev.sluice.bench;

import dev.sluice.testkit.MockUpstream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's mock upstream process: {@link MockUpstream} (testkit) plus a timer that calls
 * {@link MockUpstream#reset()} every second. The mock records every request for tests to inspect;
 * over the hundreds of thousands of requests of a benchmark that record would grow without
 * bound, so it is dropped (nothing here reads it).
 * {@code java -cp benchmark.jar dev.sluice.bench.MockMain [--port N]}.
 */
public final class MockMain {
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
    Runtime.getRuntime().addShutdownHook(new Thread(mock::close, "mock-upstream-stop"));
    System.out.println("mock upstream listening on " + mock.baseUri());
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
