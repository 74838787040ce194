package dev.sluice;

import dev.sluice.hook.Timings;
import java.time.Instant;

/** The milestones of one exchange, in nanoseconds after its start. */
final class Clock {
  private final Instant start = Instant.now();
  private final long startNanos = System.nanoTime();
  private long headers = -1;
  private long firstByte = -1;
  private long firstContent = -1;
  private long end = -1;

  void headers() {
    if (headers < 0) {
      headers = since();
    }
  }

  void firstByte() {
    if (firstByte < 0) {
      firstByte = since();
    }
  }

  void firstContent() {
    if (firstContent < 0) {
      firstContent = since();
    }
  }

  void end() {
    if (end < 0) {
      end = since();
    }
  }

  Timings timings() {
    return new Timings(start, headers, firstByte, firstContent, end);
  }

  /** Nanoseconds since the exchange started. */
  long since() {
    return System.nanoTime() - startNanos;
  }
}
