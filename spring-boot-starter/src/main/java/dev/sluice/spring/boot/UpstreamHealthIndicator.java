package dev.sluice.spring.boot;

import dev.sluice.failover.UpstreamEntry;
import dev.sluice.failover.UpstreamStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Each upstream entry reachable: a TCP connect to its host and port within {@code
 * sluice.health.timeout}, no TLS and no request (so no key is spent, and nothing is billed), the
 * answers reused for {@code sluice.health.cache-ttl}. Beside it, read fresh on every call, what
 * the filter's failover says of the entry: whether it is cooling down and until when, and how
 * many of its keys are. UP when at least one entry is reachable (an entry cooling down after a
 * 529 opens again by itself, so it is a detail, not an outage), DOWN when none is.
 *
 * <p>Details are {@code upstreams}, one map per entry keyed by host and port only: never the
 * URL's user info, never a key (only how many there are).
 */
final class UpstreamHealthIndicator implements HealthIndicator {
  private final List<String> targets; // host:port, per entry
  private final Duration timeout;
  private final long ttlNanos;
  private final Supplier<List<UpstreamStatus>> status;
  private List<Map<String, Object>> cached;
  private long checkedAt;

  /**
   * @param status the filter's {@link dev.sluice.SluiceFilter#upstreamStatus()}, in the order of
   *     {@code entries}; empty before the filter started (then reachability alone is shown)
   */
  UpstreamHealthIndicator(List<UpstreamEntry> entries, SluiceProperties.Health settings,
      Supplier<List<UpstreamStatus>> status) {
    List<String> t = new ArrayList<>();
    for (UpstreamEntry e : entries) {
      URI u = e.uri();
      t.add(u.getHost() + ":" + (u.getPort() >= 0 ? u.getPort()
          : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80));
    }
    this.targets = List.copyOf(t);
    this.timeout = settings.getTimeout();
    this.ttlNanos = settings.getCacheTtl().toNanos();
    this.status = status;
  }

  /** One upstream, no failover state. */
  UpstreamHealthIndicator(URI upstream, SluiceProperties.Health settings) {
    this(List.of(UpstreamEntry.of(upstream)), settings, List::of);
  }

  @Override
  public Health health() {
    List<Map<String, Object>> reach = reachability();
    List<UpstreamStatus> states = status.get();
    Map<String, Object> entries = new LinkedHashMap<>();
    boolean anyReachable = false;
    for (int i = 0; i < targets.size(); i++) {
      Map<String, Object> entry = new LinkedHashMap<>(reach.get(i));
      anyReachable |= Boolean.TRUE.equals(entry.get("reachable"));
      if (states.size() == targets.size()) {
        UpstreamStatus s = states.get(i);
        entry.put("priority", s.priority());
        entry.put("weight", s.weight());
        entry.put("coolingDown", s.coolingDown());
        s.coolingDownUntil().ifPresent(at -> entry.put("coolingDownUntil", at.toString()));
        if (s.keys() > 0) {
          entry.put("keys", s.keys());
          entry.put("keysCoolingDown", s.keysCoolingDown());
          s.keysCoolingDownUntil().ifPresent(at -> entry.put("keysCoolingDownUntil",
              at.toString()));
        }
      }
      String name = targets.get(i);
      for (int n = 2; entries.containsKey(name); n++) {
        name = targets.get(i) + " (" + n + ")"; // the same host twice, with other keys or paths
      }
      entries.put(name, entry);
    }
    return (anyReachable ? Health.up() : Health.down()).withDetail("upstreams", entries).build();
  }

  private synchronized List<Map<String, Object>> reachability() {
    long now = System.nanoTime();
    if (cached == null || now - checkedAt >= ttlNanos) {
      List<Map<String, Object>> fresh = new ArrayList<>();
      for (String target : targets) {
        fresh.add(check(target));
      }
      cached = List.copyOf(fresh);
      checkedAt = System.nanoTime();
    }
    return cached;
  }

  private Map<String, Object> check(String target) {
    int colon = target.lastIndexOf(':');
    long start = System.nanoTime();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(target.substring(0, colon),
          Integer.parseInt(target.substring(colon + 1))), (int) timeout.toMillis());
      return Map.of("reachable", true, "connectMillis", (System.nanoTime() - start) / 1_000_000);
    } catch (IOException | RuntimeException e) {
      return Map.of("reachable", false, "error", e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
  }
}
