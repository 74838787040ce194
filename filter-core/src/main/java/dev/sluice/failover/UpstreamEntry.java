package dev.sluice.failover;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * One upstream of the {@code upstream} list: where to send, its place in the priority order, its
 * share of the load among healthy entries of the same priority, and its own keys.
 *
 * <p>{@link #toString()} never shows a key, only how many there are.
 *
 * @param uri the base URL, without a trailing slash
 * @param priority lower goes first; entries of equal priority share the load by weight
 * @param weight at least 1
 * @param keys this entry's own key pool; empty to use the filter's {@code api-key} pool (or the
 *     client's own credentials when that is empty too)
 */
public record UpstreamEntry(URI uri, int priority, int weight, List<String> keys) {

  public UpstreamEntry {
    Objects.requireNonNull(uri, "uri == null");
    if (weight < 1 || weight > 1000) {
      throw new IllegalArgumentException("weight must be between 1 and 1000: " + weight);
    }
    if (priority < 0) {
      throw new IllegalArgumentException("priority must not be negative: " + priority);
    }
    keys = List.copyOf(keys);
  }

  /**
   * An entry with the filter's keys, priority 0 and weight 1: several of these share the load;
   * give later ones a higher priority to have them only as fallbacks.
   */
  public static UpstreamEntry of(URI uri) {
    return new UpstreamEntry(uri, 0, 1, List.of());
  }

  /** The host, with the port when the URL names one: what logs and records show. */
  public String host() {
    return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
  }

  @Override
  public String toString() {
    return host() + " (priority " + priority + ", weight " + weight + ", "
        + (keys.isEmpty() ? "the filter's keys" : keys.size() + (keys.size() == 1 ? " key" : " keys"))
        + ")";
  }
}
