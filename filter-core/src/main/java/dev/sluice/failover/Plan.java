package dev.sluice.failover;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The entries with their resolved key pools, the health of each, and the choice of where the
 * next attempt goes. Shared by every exchange of a filter; thread-safe.
 */
final class Plan {
  private static final Set<String> CREDENTIALS = Set.of("x-api-key", "authorization", "api-key");

  final String primary; // the base the core built each request's URI on
  final List<UpstreamEntry> entries;
  final List<List<String>> pools; // per entry; an empty pool: the client's own credentials
  final RetryPolicy policy;
  final Health health;
  final LongSupplier millis;
  final int maxAttempts;
  private final AtomicInteger[] turn; // per entry: whose turn among its keys

  /** A pair to try, and from when it is open (epoch ms); {@code fresh}: not tried yet. */
  record Choice(int entry, int key, long openAt, boolean fresh) {}

  Plan(URI primary, List<UpstreamEntry> entries, List<String> filterKeys, RetryPolicy policy,
      Health health, LongSupplier millis) {
    this.primary = primary.toString();
    this.entries = List.copyOf(entries);
    List<List<String>> p = new ArrayList<>();
    int candidates = 0;
    for (UpstreamEntry e : entries) {
      List<String> pool = e.keys().isEmpty() ? List.copyOf(filterKeys) : e.keys();
      p.add(pool);
      candidates += Math.max(1, pool.size());
    }
    this.pools = List.copyOf(p);
    this.policy = policy;
    this.health = health;
    this.millis = millis;
    this.maxAttempts = policy.attempts(candidates);
    this.turn = new AtomicInteger[entries.size()];
    for (int i = 0; i < turn.length; i++) {
      turn[i] = new AtomicInteger();
    }
  }

  static int[] keyCounts(List<UpstreamEntry> entries, List<String> filterKeys) {
    int[] n = new int[entries.size()];
    for (int i = 0; i < n.length; i++) {
      List<String> own = entries.get(i).keys();
      n[i] = Math.max(1, own.isEmpty() ? filterKeys.size() : own.size());
    }
    return n;
  }

  int keys(int entry) {
    return Math.max(1, pools.get(entry).size());
  }

  /** {@code "1"}, {@code "2"}, ... or {@code "client"}: never the key. */
  String keyId(int entry, int key) {
    return pools.get(entry).isEmpty() ? "client" : String.valueOf(key + 1);
  }

  /**
   * Where the next attempt goes: the first priority that has an open pair not tried yet in this
   * exchange (by weight among its entries, keys in turn); else the open pair tried longest ago
   * in priority order; else the pair that opens first.
   */
  Choice choose(Set<Long> tried, long now) {
    Choice fresh = freshOpen(tried, now);
    if (fresh != null) {
      return fresh;
    }
    Choice soonest = null;
    for (int e : byPriority()) {
      for (int k = 0; k < keys(e); k++) {
        long at = health.closedUntil(e, k);
        if (soonest == null || at < soonest.openAt()) {
          soonest = new Choice(e, k, at, !tried.contains(pair(e, k)));
        }
      }
    }
    return soonest;
  }

  private Choice freshOpen(Set<Long> tried, long now) {
    List<Integer> order = byPriority();
    for (int i = 0; i < order.size(); ) {
      int priority = entries.get(order.get(i)).priority();
      List<Integer> group = new ArrayList<>();
      List<Integer> keyOf = new ArrayList<>();
      int totalWeight = 0;
      for (; i < order.size() && entries.get(order.get(i)).priority() == priority; i++) {
        int e = order.get(i);
        int k = openKey(e, tried, now);
        if (k >= 0) {
          group.add(e);
          keyOf.add(k);
          totalWeight += entries.get(e).weight();
        }
      }
      if (group.isEmpty()) {
        continue;
      }
      int pick = 0;
      if (group.size() > 1) {
        int r = ThreadLocalRandom.current().nextInt(totalWeight);
        while (r >= entries.get(group.get(pick)).weight()) {
          r -= entries.get(group.get(pick)).weight();
          pick++;
        }
      }
      int e = group.get(pick);
      int k = keyOf.get(pick);
      if (keys(e) > 1) {
        turn[e].set(k + 1);
      }
      return new Choice(e, k, now, true);
    }
    return null;
  }

  /** The entry's next open key not tried yet, from whose turn it is; -1 when none. */
  private int openKey(int e, Set<Long> tried, long now) {
    int n = keys(e);
    int start = n == 1 ? 0 : Math.floorMod(turn[e].get(), n);
    for (int j = 0; j < n; j++) {
      int k = (start + j) % n;
      if (!tried.contains(pair(e, k)) && health.closedUntil(e, k) <= now) {
        return k;
      }
    }
    return -1;
  }

  private List<Integer> byPriority() {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      order.add(i);
    }
    order.sort((a, b) -> Integer.compare(entries.get(a).priority(), entries.get(b).priority()));
    return order; // stable: equal priorities keep the list's order
  }

  /** Every entry's cool-downs as of now, for health pages. */
  List<UpstreamStatus> status() {
    long now = millis.getAsLong();
    List<UpstreamStatus> out = new ArrayList<>(entries.size());
    for (int e = 0; e < entries.size(); e++) {
      UpstreamEntry entry = entries.get(e);
      boolean pooled = !pools.get(e).isEmpty();
      long until = pooled ? health.closedUntil(e, -1) : health.closedUntil(e, 0);
      int cooling = 0;
      long keysUntil = 0;
      for (int k = 0; pooled && k < keys(e); k++) {
        long at = health.closedUntil(e, k);
        if (at > now && at > until) {
          cooling++;
          keysUntil = Math.max(keysUntil, at);
        }
      }
      out.add(new UpstreamStatus(entry.host(), entry.priority(), entry.weight(),
          pools.get(e).size(), opensAt(until, now), cooling, opensAt(keysUntil, now)));
    }
    return List.copyOf(out);
  }

  private static java.util.Optional<java.time.Instant> opensAt(long until, long now) {
    return until > now ? java.util.Optional.of(java.time.Instant.ofEpochMilli(until))
        : java.util.Optional.empty();
  }

  static long pair(int entry, int key) {
    return (long) entry << 32 | key;
  }

  /** The request for one attempt: the entry's base, and its key instead of any other. */
  dev.sluice.upstream.UpstreamRequest request(dev.sluice.upstream.UpstreamRequest r, int entry,
      int key) {
    String uri = r.uri().toString();
    String rest = uri.startsWith(primary) ? uri.substring(primary.length())
        : r.uri().getRawPath() + (r.uri().getRawQuery() == null ? "" : "?" + r.uri().getRawQuery());
    URI target = URI.create(entries.get(entry).uri() + rest);
    List<String> pool = pools.get(entry);
    List<Map.Entry<String, String>> headers = r.headers();
    if (!pool.isEmpty()) {
      headers = new ArrayList<>(headers.size());
      for (Map.Entry<String, String> h : r.headers()) {
        if (!CREDENTIALS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
          headers.add(h);
        }
      }
      headers.add(Map.entry("x-api-key", pool.get(key)));
    }
    return new dev.sluice.upstream.UpstreamRequest(target, headers, r.body(), r.bodyLength());
  }
}
