package dev.sluice.failover;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * When and how an exchange is tried again (the retry settings; README "Failover and retries").
 *
 * @param maxAttempts most attempts per exchange, the first included; 0 for automatic: 1 (no
 *     retries) with one upstream and one key, {@link #AUTO_ATTEMPTS} with several entries or keys
 * @param budget no attempt starts later than this after the first one started
 * @param statuses the statuses worth another try ({@code x-should-retry} overrides them)
 * @param backoff the first retry's delay on the same entry and key; doubles each time
 * @param backoffMax the longest delay (and the longest cool-down without {@code retry-after})
 * @param cooldownMax the longest cool-down, whatever {@code retry-after} asks for
 * @param gate how long a 200 stream is held before its first content event; zero for no gate
 * @param gateBytes the most bytes held before the first content event
 */
public record RetryPolicy(int maxAttempts, Duration budget, Set<Integer> statuses,
    Duration backoff, Duration backoffMax, Duration cooldownMax, Duration gate, long gateBytes) {

  /** Attempts per exchange when failover is on by default. */
  public static final int AUTO_ATTEMPTS = 3;

  /** 429, 500, 502, 503, 504, 529. */
  public static final Set<Integer> DEFAULT_STATUSES = Set.of(429, 500, 502, 503, 504, 529);

  /** The documented defaults. */
  public static final RetryPolicy DEFAULT = new RetryPolicy(0, Duration.ofSeconds(30),
      DEFAULT_STATUSES, Duration.ofMillis(500), Duration.ofSeconds(8), Duration.ofSeconds(60),
      Duration.ofSeconds(2), 64 * 1024);

  public RetryPolicy {
    if (maxAttempts < 0 || maxAttempts > 20) {
      throw new IllegalArgumentException("max-attempts must be between 1 and 20");
    }
    statuses = Set.copyOf(statuses);
    for (Duration d : new Duration[] {budget, backoff, backoffMax, cooldownMax, gate}) {
      Objects.requireNonNull(d, "duration == null");
      if (d.isNegative()) {
        throw new IllegalArgumentException("must not be negative: " + d);
      }
    }
    if (gateBytes < 1) {
      throw new IllegalArgumentException("retry-gate-bytes must be positive");
    }
  }

  /** Attempts per exchange for {@code candidates} entry-and-key pairs. */
  int attempts(int candidates) {
    return maxAttempts > 0 ? maxAttempts : candidates > 1 ? AUTO_ATTEMPTS : 1;
  }

  public RetryPolicy withMaxAttempts(int n) {
    return new RetryPolicy(n, budget, statuses, backoff, backoffMax, cooldownMax, gate, gateBytes);
  }

  public RetryPolicy withBudget(Duration d) {
    return new RetryPolicy(maxAttempts, d, statuses, backoff, backoffMax, cooldownMax, gate,
        gateBytes);
  }

  public RetryPolicy withStatuses(Set<Integer> s) {
    return new RetryPolicy(maxAttempts, budget, s, backoff, backoffMax, cooldownMax, gate,
        gateBytes);
  }

  public RetryPolicy withBackoff(Duration first, Duration max) {
    return new RetryPolicy(maxAttempts, budget, statuses, first, max, cooldownMax, gate,
        gateBytes);
  }

  public RetryPolicy withCooldownMax(Duration d) {
    return new RetryPolicy(maxAttempts, budget, statuses, backoff, backoffMax, d, gate, gateBytes);
  }

  public RetryPolicy withGate(Duration time, long bytes) {
    return new RetryPolicy(maxAttempts, budget, statuses, backoff, backoffMax, cooldownMax, time,
        bytes);
  }

  @Override
  public String toString() {
    return "max-attempts=" + (maxAttempts == 0 ? "auto" : maxAttempts)
        + ", retry-budget=" + budget.toMillis() + "ms"
        + ", retry-statuses=" + statuses.stream().sorted().map(String::valueOf)
            .reduce((a, b) -> a + "," + b).orElse("")
        + ", retry-gate=" + (gate.isZero() ? "off" : gate.toMillis() + "ms");
  }
}
