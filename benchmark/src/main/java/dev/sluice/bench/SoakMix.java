package dev.sluice.bench;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The soak's load: paced streams read to their end, and a share of faults, one kind after the
 * other. Request {@code i} is a fault when {@code floor((i + 1) p / 100) > floor(i p / 100)}: that
 * spreads exactly {@code p} faults over every 100 requests, evenly, and the same run always gets
 * the same mix (a failure can be replayed).
 */
final class SoakMix {
  /** What a request of the mix does, and what its client must see for it to count as expected. */
  enum Kind {
    NORMAL("normal", "paced stream, read to its end: every delta, no error"),
    UPSTREAM_CUT("upstream-cut", "the mock cuts its connection after half the events: "
        + "the client must get fewer deltas and a closing event: error"),
    UPSTREAM_500("upstream-500", "the mock answers 500 api_error: the client gets the 500"),
    UPSTREAM_529("upstream-529", "the mock answers 529 overloaded_error: the client gets the 529"),
    UPSTREAM_IDLE("upstream-idle", "the mock goes silent after message_start for 3x the "
        + "idle-timeout: the client must get a closing event: error (timeout_error)"),
    CLIENT_CUT("client-cut", "the client hangs up after half the deltas: Sluice must cancel "
        + "the upstream request"),
    CLIENT_EARLY("client-gone-early", "the client hangs up as soon as it has sent the request, "
        + "while the mock holds the response headers back for 1 s");

    final String label;
    final String what;

    Kind(String label, String what) {
      this.label = label;
      this.what = what;
    }

    static final List<Kind> FAULTS = List.of(UPSTREAM_CUT, UPSTREAM_500, UPSTREAM_529,
        UPSTREAM_IDLE, CLIENT_CUT, CLIENT_EARLY);
  }

  /** How long the mock holds the response headers of a {@link Kind#CLIENT_EARLY} request. */
  static final int EARLY_HEADER_DELAY_MS = 1000;

  private final int faultPercent;
  private final LoadClient.Shot[] shots = new LoadClient.Shot[Kind.values().length];

  /**
   * @param deltas deltas of a normal stream (at least 2: the cuts happen half way)
   * @param delayMs the mock's pause between events of a normal stream
   * @param idleTimeout the targets' {@code idle-timeout}
   */
  SoakMix(InetSocketAddress address, int deltas, int delayMs, int faultPercent,
      Duration idleTimeout) {
    if (deltas < 2) {
      throw new IllegalArgumentException("the soak needs at least 2 deltas per stream");
    }
    this.faultPercent = faultPercent;
    List<String> paced = List.of("x-mock-scenario: paced", "x-mock-deltas: " + deltas,
        "x-mock-delay-ms: " + delayMs);
    shot(Kind.NORMAL, address, paced, 200, deltas, deltas, false, -1);
    shot(Kind.UPSTREAM_CUT, address, List.of("x-mock-scenario: abrupt_close",
        "x-mock-deltas: " + deltas, "x-mock-delay-ms: " + delayMs), 200, 0, deltas - 1, true, -1);
    shot(Kind.UPSTREAM_500, address, List.of("x-mock-scenario: error_500"), 500, 0, 0, false, -1);
    shot(Kind.UPSTREAM_529, address, List.of("x-mock-scenario: error_529"), 529, 0, 0, false, -1);
    shot(Kind.UPSTREAM_IDLE, address, List.of("x-mock-scenario: paced", "x-mock-deltas: " + deltas,
        "x-mock-delay-ms: " + 3 * idleTimeout.toMillis()), 200, 0, deltas - 1, true, -1);
    shot(Kind.CLIENT_CUT, address, paced, 200, 0, deltas, false, deltas / 2);
    List<String> early = new ArrayList<>(paced);
    early.add("x-mock-header-delay-ms: " + EARLY_HEADER_DELAY_MS);
    shot(Kind.CLIENT_EARLY, address, early, 200, 0, deltas, false, 0);
  }

  private void shot(Kind kind, InetSocketAddress address, List<String> headers, int status,
      int minDeltas, int maxDeltas, boolean errorEvent, int closeAfterDeltas) {
    shots[kind.ordinal()] = new LoadClient.Shot(kind.ordinal(),
        LoadClient.request(address, Bench.BODY, headers), status, minDeltas, maxDeltas,
        errorEvent, closeAfterDeltas);
  }

  /** Request {@code i} of the run, from 0. */
  LoadClient.Shot shot(int i) {
    return shots[kindOf(i, faultPercent).ordinal()];
  }

  static Kind kindOf(int i, int faultPercent) {
    long before = (long) i * faultPercent / 100;
    long upTo = ((long) i + 1) * faultPercent / 100;
    if (upTo == before) {
      return Kind.NORMAL;
    }
    return Kind.FAULTS.get((int) ((upTo - 1) % Kind.FAULTS.size()));
  }
}
