package dev.sluice.client;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Tells Sluice at once when a client has closed its connection, so that upstream stops
 * generating (and billing) for no one.
 *
 * <p>Why an SPI: no Servlet API reports a client that leaves while nothing is being written
 * (jakartaee/servlet#44), and neither Jetty nor Tomcat keeps read interest on an HTTP/1.1
 * connection once the request body has been read. A container module can add that interest
 * through the container's internals; filter-core holds no container type, so each container gets
 * its own jar ({@code sluice-disconnect-jetty}, {@code sluice-disconnect-tomcat}). Without one,
 * Sluice notices a client that left at its next failed write, and HTTP/2 clients through
 * {@code AsyncListener.onError} on both containers, which needs no detector.
 *
 * <p>Discovery: {@link java.util.ServiceLoader} through the web app's class loader, from
 * {@code META-INF/services/dev.sluice.client.DisconnectDetector}; the first, by {@link #name()},
 * whose {@link #supports(ServletContext)} is true is used for every request of the filter, and
 * named in the filter's start-up line. The {@code client-disconnect} setting {@code off} turns
 * discovery off.
 *
 * <p>Lifecycle, per request: Sluice calls {@link #supports(HttpServletRequest)} and
 * {@link #arm} once the request body has been read, on the thread that read it (a container
 * thread); then {@link Watch#disarm()} exactly once, before it writes the response's last bytes
 * and before {@code AsyncContext.complete()}, under the exchange's lock. A failure of any of these
 * methods is logged and the request goes on without a watch.
 *
 * <p>Implementations must be thread-safe and must not block.
 */
public interface DisconnectDetector {
  /** A short name for the start-up line and log messages ({@code jetty-http1}). */
  String name();

  /**
   * Whether this detector knows the container (its name and version, from {@link
   * ServletContext#getServerInfo()} and what its classes offer). Called once, from the filter's
   * {@code init}.
   */
  boolean supports(ServletContext context);

  /**
   * Whether this request's connection can be watched: the protocol (HTTP/1.1 on a connector the
   * detector knows; not HTTP/2, whose containers report a reset stream themselves). Cheap: called
   * for every relayed request.
   */
  boolean supports(HttpServletRequest request);

  /**
   * Starts watching {@code request}'s connection and calls {@code onGone} at most once, from any
   * thread, when the client has closed it (or it failed). {@code onGone} does not block. When a
   * client sends bytes instead (a pipelined next request) the detector must keep them for the
   * container and stop watching, without calling {@code onGone}.
   *
   * <p>The detector should also make the container itself see the loss, so that it releases the
   * connection; after {@code onGone} Sluice writes nothing more and completes the request.
   *
   * @return the watch; {@link Watch#NONE} when the connection cannot be watched after all
   */
  Watch arm(HttpServletRequest request, Runnable onGone);

  /** One armed request. */
  interface Watch {
    /** Nothing watched. */
    Watch NONE = new Watch() {
      @Override
      public void disarm() {}

      @Override
      public String toString() {
        return "Watch.NONE";
      }
    };

    /**
     * Stops watching and withdraws any read interest, so that the container can read the next
     * request on a kept-alive connection; {@code onGone} is not called after this returns. Must
     * not wait for a callback in flight that is about to call {@code onGone} (that callback may
     * be waiting for the lock this is called under).
     */
    void disarm();
  }
}
