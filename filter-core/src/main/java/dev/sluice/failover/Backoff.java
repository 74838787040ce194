package dev.sluice.failover;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleSupplier;

/** Delays between attempts and what upstream's retry headers say. */
final class Backoff {
  private Backoff() {}

  /**
   * The delay before retry number {@code retry} (1 for the first) on the same entry and key:
   * {@code first * 2^(retry-1)}, capped at {@code max}, less up to a quarter at random (so that
   * exchanges that failed together do not come back together). {@code random} yields [0, 1).
   */
  static long delayNanos(int retry, Duration first, Duration max, DoubleSupplier random) {
    long base = first.toNanos();
    long cap = max.toNanos();
    int shift = Math.min(Math.max(retry - 1, 0), 30);
    long d = base > cap >> shift ? cap : Math.min(cap, base << shift);
    return d - (long) (d * 0.25 * random.getAsDouble());
  }

  /**
   * What {@code retry-after-ms} (milliseconds, may be fractional) or else {@code retry-after}
   * (seconds, or an HTTP date) asks for, in nanoseconds; -1 when neither is there or valid.
   * A date in the past asks for 0.
   */
  static long retryAfterNanos(List<Map.Entry<String, String>> headers, long nowMillis) {
    String ms = first(headers, "retry-after-ms");
    if (ms != null) {
      try {
        double v = Double.parseDouble(ms);
        if (v >= 0 && v < 1e12) {
          return (long) (v * 1_000_000);
        }
      } catch (NumberFormatException ignored) {
        // fall back to retry-after
      }
    }
    String after = first(headers, "retry-after");
    if (after == null) {
      return -1;
    }
    try {
      double s = Double.parseDouble(after);
      return s >= 0 && s < 1e9 ? (long) (s * 1_000_000_000L) : -1;
    } catch (NumberFormatException notSeconds) {
      try {
        long at = ZonedDateTime.parse(after, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()
            .toEpochMilli();
        return Math.max(0, at - nowMillis) * 1_000_000;
      } catch (DateTimeParseException notADate) {
        return -1;
      }
    }
  }

  /**
   * Whether a response with this status is worth another try: {@code x-should-retry: true} or
   * {@code false} decides (as in the SDKs), else the status is one of {@code statuses}.
   */
  static boolean retryable(int status, List<Map.Entry<String, String>> headers,
      Set<Integer> statuses) {
    String should = first(headers, "x-should-retry");
    if (should != null) {
      if (should.equalsIgnoreCase("true")) {
        return true;
      }
      if (should.equalsIgnoreCase("false")) {
        return false;
      }
    }
    return statuses.contains(status);
  }

  /** The first value of a (lower-case) header name, trimmed, or null. */
  static String first(List<Map.Entry<String, String>> headers, String name) {
    for (Map.Entry<String, String> h : headers) {
      if (h.getKey().toLowerCase(Locale.ROOT).equals(name)) {
        return h.getValue().trim();
      }
    }
    return null;
  }
}
