package dev.sluice.spring.boot;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Upstream reachable: a TCP connect to its host and port within {@code sluice.health.timeout},
 * no TLS and no request (so no key is spent, and nothing is billed), its answer reused for
 * {@code sluice.health.cache-ttl}. UP with the connect time, DOWN with the error. Details name the
 * host and port only, never the URL's user info.
 *
 * <p>The details are per entry ({@code upstreams}, one today), so that a filter with several
 * upstreams shows each one, and an entry that is cooling down after a 429 or 529 can say so
 * beside it once failover exists.
 */
final class UpstreamHealthIndicator implements HealthIndicator {
  private final String host;
  private final int port;
  private final Duration timeout;
  private final long ttlNanos;
  private Health cached;
  private long checkedAt;

  UpstreamHealthIndicator(URI upstream, SluiceProperties.Health settings) {
    this.host = upstream.getHost();
    this.port = upstream.getPort() >= 0 ? upstream.getPort()
        : "https".equalsIgnoreCase(upstream.getScheme()) ? 443 : 80;
    this.timeout = settings.getTimeout();
    this.ttlNanos = settings.getCacheTtl().toNanos();
  }

  @Override
  public synchronized Health health() {
    long now = System.nanoTime();
    if (cached == null || now - checkedAt >= ttlNanos) {
      cached = check();
      checkedAt = System.nanoTime();
    }
    return cached;
  }

  private Health check() {
    String entry = host + ":" + port;
    long start = System.nanoTime();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      long millis = (System.nanoTime() - start) / 1_000_000;
      return Health.up().withDetail("upstreams",
          java.util.Map.of(entry, java.util.Map.of("reachable", true, "connectMillis", millis)))
          .build();
    } catch (IOException | RuntimeException e) {
      return Health.down().withDetail("upstreams", java.util.Map.of(entry,
          java.util.Map.of("reachable", false, "error", e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage())))).build();
    }
  }
}
