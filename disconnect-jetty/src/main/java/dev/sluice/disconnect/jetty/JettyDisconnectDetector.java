package dev.sluice.disconnect.jetty;

import dev.sluice.client.DisconnectDetector;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * Jetty 12.1, ee10 and ee11, HTTP/1.1 (plain or TLS): adds read interest to the request's
 * connection while Sluice waits on upstream; see {@link Probe}. HTTP/2 requests are not watched:
 * Jetty reports a reset stream or a closed connection to {@code AsyncListener.onError} itself.
 */
public final class JettyDisconnectDetector implements DisconnectDetector {
  @Override
  public String name() {
    return "jetty-http1";
  }

  /** {@code jetty/12.1.x} or a later 12.x. */
  @Override
  public boolean supports(ServletContext context) {
    String info = context.getServerInfo();
    if (info == null || !info.startsWith("jetty/12.")) {
      return false;
    }
    try {
      String[] v = info.substring("jetty/".length()).split("\\.");
      return Integer.parseInt(v[1]) >= 1;
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public boolean supports(HttpServletRequest request) {
    return connection(request) != null;
  }

  @Override
  public Watch arm(HttpServletRequest request, Runnable onGone) {
    HttpConnection connection = connection(request);
    if (connection == null) {
      return Watch.NONE;
    }
    Probe probe = new Probe(connection, (AbstractEndPoint) connection.getEndPoint(), onGone);
    return probe.start() ? probe : Watch.NONE;
  }

  /** The request's HTTP/1.1 connection, or null (HTTP/2, an unknown request or endpoint). */
  private static HttpConnection connection(ServletRequest request) {
    Request core = core(request);
    if (core == null) {
      return null;
    }
    Connection c = core.getConnectionMetaData().getConnection();
    return c instanceof HttpConnection h && h.getEndPoint() instanceof AbstractEndPoint ? h : null;
  }

  /**
   * The core request behind a servlet request, by environment. Each environment's class is only
   * linked when a request of it comes, so a server without ee11 (or ee10) never loads it.
   */
  private static Request core(ServletRequest request) {
    ServletRequest r = request;
    while (r instanceof ServletRequestWrapper w) {
      r = w.getRequest();
    }
    String type = r.getClass().getName();
    if (type.startsWith("org.eclipse.jetty.ee10.")) {
      return Ee10.core(r);
    }
    if (type.startsWith("org.eclipse.jetty.ee11.")) {
      return Ee11.core(r);
    }
    return null;
  }

  @Override
  public String toString() {
    return name();
  }

  private static final class Ee10 {
    static Request core(ServletRequest r) {
      return org.eclipse.jetty.ee10.servlet.ServletContextRequest.getServletContextRequest(r);
    }
  }

  private static final class Ee11 {
    static Request core(ServletRequest r) {
      return org.eclipse.jetty.ee11.servlet.ServletContextRequest.getServletContextRequest(r);
    }
  }
}
