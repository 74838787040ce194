package dev.sluice.failover;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One upstream entry as the filter's failover sees it at one moment: a read-only snapshot for
 * health pages ({@link dev.sluice.SluiceFilter#upstreamStatus()}). It names the host and counts
 * keys, never shows one.
 *
 * @param host the host, with the port when the URL names one ({@link UpstreamEntry#host()})
 * @param priority the entry's place in the priority order
 * @param weight its share of the load among open entries of the same priority
 * @param keys how many keys it uses in turn; 0 when the clients' own credentials pass through
 * @param coolingDownUntil when the entry as a whole opens again (after a 529, an overload inside
 *     a 200, a failed connection; or a 429 when it has no keys of its own); empty while open
 * @param keysCoolingDown how many of its keys are cooling down (after a 429) beyond the entry's
 *     own cool-down
 * @param keysCoolingDownUntil when the last of those keys opens again; empty when none cools down
 */
public record UpstreamStatus(String host, int priority, int weight, int keys,
    Optional<Instant> coolingDownUntil, int keysCoolingDown,
    Optional<Instant> keysCoolingDownUntil) {

  public UpstreamStatus {
    Objects.requireNonNull(host, "host == null");
    Objects.requireNonNull(coolingDownUntil, "coolingDownUntil == null");
    Objects.requireNonNull(keysCoolingDownUntil, "keysCoolingDownUntil == null");
  }

  /** An entry nothing has cooled down. */
  static UpstreamStatus open(UpstreamEntry e, int keys) {
    return new UpstreamStatus(e.host(), e.priority(), e.weight(), keys, Optional.empty(), 0,
        Optional.empty());
  }

  /** Whether the entry as a whole is cooling down (its keys may still be, when it is not). */
  public boolean coolingDown() {
    return coolingDownUntil.isPresent();
  }
}
