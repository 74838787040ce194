package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.MockUpstream;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The load client against the real mock: counting, timing, keep-alive and failures. */
class LoadClientTest {
  private static MockUpstream mock;
  private static InetSocketAddress address;

  @BeforeAll
  static void start() {
    mock = MockUpstream.start();
    address = new InetSocketAddress("127.0.0.1", mock.port());
  }

  @AfterAll
  static void stop() {
    mock.close();
  }

  private static List<LoadClient.Sample> run(List<String> headers, int deltas, int total,
      int concurrency, boolean arrivals) throws Exception {
    byte[] request = LoadClient.request(address, Bench.BODY, headers);
    return LoadClient.run(new LoadClient.Spec(address, request, deltas, total, concurrency,
        arrivals, 30_000), new LoadClient.Progress());
  }

  @Test
  void countsEveryDeltaOverKeepAliveConnections() throws Exception {
    List<LoadClient.Sample> samples =
        run(List.of("x-mock-scenario: paced", "x-mock-deltas: 64"), 64, 50, 5, false);
    assertThat(samples).hasSize(50).allSatisfy(s -> {
      assertThat(s.ok()).as(s.error()).isTrue();
      assertThat(s.deltas()).isEqualTo(64);
      assertThat(s.firstDeltaNanos()).isBetween(s.sendNanos(), s.endNanos());
    });
    // Five connections carried all 50 requests.
    assertThat(mock.requests()).hasSizeGreaterThanOrEqualTo(50);
  }

  @Test
  void eventsSplitAcrossWritesAndChunksStillCountOnce() throws Exception {
    // 7-byte writes cut the needle, the data line and the blank line at every possible place.
    List<LoadClient.Sample> samples = run(List.of("x-mock-scenario: paced", "x-mock-deltas: 40",
        "x-mock-chunk-bytes: 7"), 40, 4, 2, true);
    assertThat(samples).hasSize(4).allSatisfy(s -> {
      assertThat(s.ok()).as(s.error()).isTrue();
      assertThat(s.arrivals()).hasSize(40);
      for (int i = 1; i < 40; i++) {
        assertThat(s.arrivals()[i]).isGreaterThanOrEqualTo(s.arrivals()[i - 1]);
      }
    });
  }

  @Test
  void pacedArrivalsFollowTheSchedule() throws Exception {
    List<LoadClient.Sample> samples = run(List.of("x-mock-scenario: paced", "x-mock-deltas: 10",
        "x-mock-delay-ms: 10"), 10, 3, 3, true);
    assertThat(samples).allSatisfy(s -> {
      assertThat(s.ok()).as(s.error()).isTrue();
      long span = s.arrivals()[9] - s.arrivals()[0];
      assertThat(span / 1_000_000).isGreaterThanOrEqualTo(9 * 10 - 1);
    });
  }

  @Test
  void wrongCountsAndErrorStatusesAreFailures() throws Exception {
    assertThat(run(List.of("x-mock-scenario: paced", "x-mock-deltas: 5"), 6, 2, 1, false))
        .hasSize(2).allSatisfy(s -> assertThat(s.error()).contains("got 5 deltas, expected 6"));
    assertThat(run(List.of("x-mock-scenario: error_429"), 0, 3, 2, false))
        .hasSize(3).allSatisfy(s -> assertThat(s.error()).isEqualTo("status 429"));
  }

  @Test
  void aTruncatedStreamIsAFailure() throws Exception {
    assertThat(run(List.of("x-mock-scenario: abrupt_close", "x-mock-deltas: 20"), 20, 3, 1,
        false)).hasSize(3).allSatisfy(s -> assertThat(s.ok()).isFalse());
  }

  @Test
  void refusedConnectionsAreFailuresNotHangs() throws Exception {
    InetSocketAddress nowhere;
    try (var s = new java.net.ServerSocket(0)) {
      nowhere = new InetSocketAddress("127.0.0.1", s.getLocalPort());
    }
    byte[] request = LoadClient.request(nowhere, Bench.BODY, List.of());
    List<LoadClient.Sample> samples = LoadClient.run(
        new LoadClient.Spec(nowhere, request, 1, 5, 2, false, 10_000), new LoadClient.Progress());
    assertThat(samples).hasSize(5).allSatisfy(s -> assertThat(s.ok()).isFalse());
  }

  private static List<LoadClient.Sample> shoot(LoadClient.Shot shot, int total) throws Exception {
    return LoadClient.run(LoadClient.Spec.mixed(address, i -> shot, total, 2, 30_000, 0, 0),
        new LoadClient.Progress());
  }

  private static byte[] paced(int deltas, String... more) {
    List<String> headers = new java.util.ArrayList<>(List.of("x-mock-scenario: paced",
        "x-mock-deltas: " + deltas));
    headers.addAll(List.of(more));
    return LoadClient.request(address, Bench.BODY, headers);
  }

  @Test
  void hangingUpAfterNDeltas_succeedsWithThoseDeltas_andTheMockSeesTheClose() throws Exception {
    LoadClient.Shot shot = new LoadClient.Shot(3, paced(40, "x-mock-delay-ms: 20"), 200, 0, 40,
        false, 5);
    List<LoadClient.Sample> samples = shoot(shot, 4);

    assertThat(samples).hasSize(4).allSatisfy(s -> {
      assertThat(s.ok()).as(s.error()).isTrue();
      assertThat(s.deltas()).isEqualTo(5);
      assertThat(s.kind()).isEqualTo(3);
    });
    awaitNoActiveResponses();
  }

  @Test
  void hangingUpRightAfterSending_succeedsWithoutAResponse() throws Exception {
    LoadClient.Shot shot = new LoadClient.Shot(1, paced(10, "x-mock-header-delay-ms: 500"), 200,
        10, 10, false, 0);
    List<LoadClient.Sample> samples = shoot(shot, 3);

    assertThat(samples).hasSize(3).allSatisfy(s -> {
      assertThat(s.ok()).as(s.error()).isTrue();
      assertThat(s.deltas()).isZero();
    });
    awaitNoActiveResponses();
  }

  @Test
  void errorEvent_isRequiredAtTheEnd_whenTheShotSaysSo() throws Exception {
    byte[] cut = LoadClient.request(address, Bench.BODY,
        List.of("x-mock-scenario: mid_stream_error"));
    assertThat(shoot(new LoadClient.Shot(0, cut, 200, 0, 100, true, -1), 2))
        .allSatisfy(s -> assertThat(s.ok()).as(s.error()).isTrue());

    // A stream that simply ends is a silent cut for a shot that expects an error event.
    assertThat(shoot(new LoadClient.Shot(0, paced(3), 200, 0, 100, true, -1), 2))
        .allSatisfy(s -> assertThat(s.error()).contains("no event: error at the end"));
    // Bodies longer than the kept tail still show their last event.
    assertThat(shoot(new LoadClient.Shot(0, paced(200, "x-mock-chunk-bytes: 3000"), 200, 0, 200,
        true, -1), 1)).allSatisfy(s -> assertThat(s.error()).contains("a silent cut"));
  }

  @Test
  void statusAndDeltaRangeOfAShot_areChecked() throws Exception {
    byte[] overloaded = LoadClient.request(address, Bench.BODY,
        List.of("x-mock-scenario: error_529"));
    assertThat(shoot(new LoadClient.Shot(0, overloaded, 529, 0, 0, false, -1), 2))
        .allSatisfy(s -> assertThat(s.ok()).as(s.error()).isTrue());
    assertThat(shoot(new LoadClient.Shot(0, paced(8), 200, 0, 7, false, -1), 1))
        .allSatisfy(s -> assertThat(s.error()).isEqualTo("got 8 deltas, expected 0..7"));
  }

  /** The mock ends every exchange whose client went away (what the soak relies on). */
  private static void awaitNoActiveResponses() throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (mock.activeResponses() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(mock.activeResponses()).isZero();
  }

  @Test
  void percentilesUseNearestRank() {
    double[] s = Stats.sorted(new double[] {5, 1, 4, 2, 3, 6, 7, 8, 9, 10});
    assertThat(Stats.percentile(s, 50)).isEqualTo(5);
    assertThat(Stats.percentile(s, 99)).isEqualTo(10);
    assertThat(Stats.percentile(s, 10)).isEqualTo(1);
    assertThat(Stats.median(List.of(3.0, 1.0, 2.0, 10.0))).isEqualTo(2.5);
  }
}
