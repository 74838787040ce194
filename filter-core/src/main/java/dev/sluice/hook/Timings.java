package dev.sluice.hook;

import java.time.Instant;

/**
 * When an exchange reached each milestone, in nanoseconds after {@link #start()}; -1 when it never
 * did. Time to first token is {@link #firstContentNanos()}: the first content delta of any kind
 * (thinking counts).
 */
public record Timings(Instant start, long headersNanos, long firstByteNanos,
    long firstContentNanos, long endNanos) {}
