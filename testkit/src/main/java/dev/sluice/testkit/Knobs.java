package dev.sluice.testkit;

import org.eclipse.jetty.http.HttpFields;

/** The {@code x-mock-*} request headers that shape a response; all optional. */
record Knobs(
    String scenario,
    long headerDelayMs,
    long firstDelayMs,
    long delayMs,
    int chunkBytes,
    String hold,
    int deltas,
    int deltaBytes) {

  /** No delays, no slicing, no hold: what errors raised before the knobs were read get. */
  static final Knobs DEFAULT = new Knobs("text", 0, 0, 0, 0, null, 64, 1024);

  static final String SCENARIO = "x-mock-scenario";
  static final String HEADER_DELAY = "x-mock-header-delay-ms";
  static final String FIRST_DELAY = "x-mock-first-delay-ms";
  static final String DELAY = "x-mock-delay-ms";
  static final String CHUNK_BYTES = "x-mock-chunk-bytes";
  static final String HOLD = "x-mock-hold";
  static final String DELTAS = "x-mock-deltas";
  static final String DELTA_BYTES = "x-mock-delta-bytes";

  /** These knobs with another scenario (a {@link MockUpstream.Script}'s choice). */
  Knobs withScenario(String name) {
    return new Knobs(name, headerDelayMs, firstDelayMs, delayMs, chunkBytes, hold, deltas,
        deltaBytes);
  }

  /** Parses the knobs, or throws {@link MockRequestException} naming the bad header. */
  static Knobs from(HttpFields headers) {
    String scenario = headers.get(SCENARIO);
    return new Knobs(
        scenario == null || scenario.isBlank() ? "text" : scenario.trim(),
        number(headers, HEADER_DELAY, 0, 0, Integer.MAX_VALUE),
        number(headers, FIRST_DELAY, 0, 0, Integer.MAX_VALUE),
        number(headers, DELAY, 0, 0, Integer.MAX_VALUE),
        (int) number(headers, CHUNK_BYTES, 0, 1, Integer.MAX_VALUE),
        headers.get(HOLD),
        (int) number(headers, DELTAS, 64, 0, 10_000_000),
        (int) number(headers, DELTA_BYTES, 1024, 1, 64 * 1024 * 1024));
  }

  private static long number(HttpFields headers, String name, long absent, long min, long max) {
    String value = headers.get(name);
    if (value == null) {
      return absent;
    }
    try {
      long n = Long.parseLong(value.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below, with the range
    }
    throw new MockRequestException(
        400, "invalid_request_error", name + " must be an integer in [" + min + ", " + max + "]");
  }
}
