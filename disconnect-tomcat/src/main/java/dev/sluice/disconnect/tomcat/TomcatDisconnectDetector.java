package dev.sluice.disconnect.tomcat;

import dev.sluice.client.DisconnectDetector;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.tomcat.util.net.NioEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tomcat 10.1 and 11, NIO connector, HTTP/1.1 (plain or TLS): watches the request's socket for
 * readability on a selector of its own while Sluice waits on upstream; see {@link Watcher}.
 * Not watched: NIO2 connectors (logged once), HTTP/2 (Tomcat reports a reset stream to {@code
 * AsyncListener.onError} itself).
 */
public final class TomcatDisconnectDetector implements DisconnectDetector {
  private static final Logger LOG = LoggerFactory.getLogger(TomcatDisconnectDetector.class);
  private static final AtomicBoolean TOLD_UNSUPPORTED = new AtomicBoolean();

  @Override
  public String name() {
    return "tomcat-nio";
  }

  /** {@code Apache Tomcat/10.1.x} or {@code 11.x}, with the internals this detector reaches. */
  @Override
  public boolean supports(ServletContext context) {
    String info = context.getServerInfo();
    if (info == null || !(info.startsWith("Apache Tomcat/10.1.")
        || info.startsWith("Apache Tomcat/11."))) {
      return false;
    }
    if (!Internals.AVAILABLE) {
      LOG.warn("{} does not have the Tomcat internals sluice-disconnect-tomcat uses: {}", info,
          Internals.PROBLEM);
    }
    return Internals.AVAILABLE;
  }

  @Override
  public boolean supports(HttpServletRequest request) {
    return nioSocket(request) != null;
  }

  @Override
  public Watch arm(HttpServletRequest request, Runnable onGone) {
    Object socket = nioSocket(request);
    return socket == null ? Watch.NONE : Nio.watch(socket, onGone);
  }

  /**
   * The request's NIO socket wrapper, or null. Typed {@code Object} here, like every member of
   * this class, so that the class links without Tomcat: in a WAR deployed on another container,
   * ServiceLoader creates it, {@link #supports(ServletContext)} says no, and nothing else loads.
   */
  private static Object nioSocket(HttpServletRequest request) {
    if (!request.getProtocol().startsWith("HTTP/1.")) {
      return null; // HTTP/2: the socket is the connection's, shared by every stream
    }
    Object socket = Internals.http11Socket(request);
    if (Nio.is(socket)) {
      return socket;
    }
    if (socket != null && TOLD_UNSUPPORTED.compareAndSet(false, true)) {
      LOG.info("sluice-disconnect-tomcat supports the NIO connector only, not {}: a client that"
          + " leaves is seen at Sluice's next write", socket.getClass().getName());
    }
    return null;
  }

  @Override
  public String toString() {
    return name();
  }

  /** The Tomcat-typed part, linked on first use only. */
  private static final class Nio {
    static boolean is(Object socket) {
      return socket instanceof NioEndpoint.NioSocketWrapper;
    }

    static Watch watch(Object socket, Runnable onGone) {
      return Watcher.watch((NioEndpoint.NioSocketWrapper) socket, onGone);
    }
  }
}
