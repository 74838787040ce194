package dev.sluice.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final Duration FIRST = Duration.ofMillis(500);
  private static final Duration MAX = Duration.ofSeconds(8);

  @Test
  void delay_doublesPerRetry_upToTheCap() {
    assertThat(Backoff.delayNanos(1, FIRST, MAX, () -> 0)).isEqualTo(500_000_000L);
    assertThat(Backoff.delayNanos(2, FIRST, MAX, () -> 0)).isEqualTo(1_000_000_000L);
    assertThat(Backoff.delayNanos(4, FIRST, MAX, () -> 0)).isEqualTo(4_000_000_000L);
    assertThat(Backoff.delayNanos(5, FIRST, MAX, () -> 0)).isEqualTo(8_000_000_000L);
    assertThat(Backoff.delayNanos(60, FIRST, MAX, () -> 0)).isEqualTo(8_000_000_000L);
  }

  @Test
  void jitter_takesUpToAQuarterOff() {
    assertThat(Backoff.delayNanos(1, FIRST, MAX, () -> 0.999_999)).isBetween(375_000_000L,
        375_001_000L);
    assertThat(Backoff.delayNanos(1, FIRST, MAX, () -> 0.5)).isEqualTo(437_500_000L);
  }

  @Test
  void retryAfterMs_winsOverRetryAfter() {
    assertThat(Backoff.retryAfterNanos(List.of(Map.entry("retry-after", "7"),
        Map.entry("retry-after-ms", "1500.5")), 0)).isEqualTo(1_500_500_000L);
  }

  @Test
  void retryAfter_secondsOrDate() {
    assertThat(Backoff.retryAfterNanos(List.of(Map.entry("retry-after", "1")), 0))
        .isEqualTo(1_000_000_000L);
    long now = Instant.parse("2026-12-04T20:00:00Z").toEpochMilli();
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(
        Instant.parse("2026-12-04T20:00:03Z").atOffset(ZoneOffset.UTC));
    assertThat(Backoff.retryAfterNanos(List.of(Map.entry("retry-after", date)), now))
        .isEqualTo(3_000_000_000L);
    assertThat(Backoff.retryAfterNanos(List.of(Map.entry("retry-after", date)), now + 10_000))
        .isZero();
  }

  @Test
  void retryAfter_absentOrInvalid_isMinusOne() {
    assertThat(Backoff.retryAfterNanos(List.of(), 0)).isEqualTo(-1);
    assertThat(Backoff.retryAfterNanos(List.of(Map.entry("retry-after", "soon")), 0))
        .isEqualTo(-1);
    assertThat(Backoff.retryAfterNanos(List.of(Map.entry("retry-after", "-3")), 0)).isEqualTo(-1);
    assertThat(Backoff.retryAfterNanos(List.of(Map.entry("retry-after-ms", "x"),
        Map.entry("retry-after", "2")), 0)).isEqualTo(2_000_000_000L);
  }

  @Test
  void xShouldRetry_overridesTheStatusList() {
    var statuses = RetryPolicy.DEFAULT_STATUSES;
    assertThat(Backoff.retryable(529, List.of(), statuses)).isTrue();
    assertThat(Backoff.retryable(400, List.of(), statuses)).isFalse();
    assertThat(Backoff.retryable(529, List.of(Map.entry("x-should-retry", "false")), statuses))
        .isFalse();
    assertThat(Backoff.retryable(409, List.of(Map.entry("x-should-retry", "true")), statuses))
        .isTrue();
  }
}
