package dev.sluice.upstream;

import java.time.Duration;

/**
 * Sends one request to the upstream API and streams its response back with demand-driven flow
 * control. The filter owns timeouts other than connect; a transport only moves bytes.
 *
 * <p>Implementations must be safe to share across threads and must never block the caller.
 */
public interface UpstreamTransport extends AutoCloseable {

  /**
   * Prepares {@code request}; nothing is sent, and {@code listener} hears nothing, until
   * {@link UpstreamCall#start()}. That split lets the caller publish the call before callbacks
   * that need it can arrive on other threads.
   */
  UpstreamCall open(UpstreamRequest request, UpstreamListener listener);

  /** Releases threads and connections. */
  @Override
  default void close() {}

  /**
   * The default transport: {@code java.net.http.HttpClient} over HTTP/1.1 (its HTTP/2 fails fast
   * past a server's stream limit, JDK-8225647), no redirects, no cookies, no decompression.
   */
  static UpstreamTransport jdk(Duration connectTimeout) {
    return JdkHttpTransport.create(connectTimeout);
  }
}
