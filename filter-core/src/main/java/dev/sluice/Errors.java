package dev.sluice;

import jakarta.servlet.http.HttpServletResponse;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** Anthropic-shaped error bodies and events, written without a JSON library. */
final class Errors {
  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  private Errors() {}

  /** A request id for responses Sluice makes itself; upstream's own ids pass through untouched. */
  static String newRequestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] id = new char[24];
    for (int i = 0; i < id.length; i++) {
      id[i] = BASE62[r.nextInt(BASE62.length)];
    }
    return "req_sluice_" + new String(id);
  }

  /**
   * Sets status and headers of a response Sluice answers itself and returns the body to write;
   * the response carries a fresh {@code request-id}, as Anthropic's do.
   */
  static byte[] prepare(HttpServletResponse response, int status, String message) {
    return prepare(response, status, typeFor(status), message);
  }

  static byte[] prepare(HttpServletResponse response, int status, String type, String message) {
    String requestId = newRequestId();
    byte[] body = json(type, message, requestId);
    response.setStatus(status);
    response.setContentType("application/json");
    response.setHeader("request-id", requestId);
    response.setContentLength(body.length);
    if (status == 405) {
      response.setHeader("allow", "POST");
    }
    return body;
  }

  /** {@code {"type":"error","error":{"type":..,"message":..},"request_id":..}} */
  static byte[] json(String type, String message, String requestId) {
    return ("{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\""
        + escape(message) + "\"},\"request_id\":\"" + requestId + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** An SSE {@code error} event as Anthropic sends it mid-stream, with its closing blank line. */
  static byte[] event(String type, String message) {
    return ("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"" + type
        + "\",\"message\":\"" + escape(message) + "\"}}\n\n").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * What the client is told about a failed upstream connection: what happened, in words. Never an
   * exception's class or message, which may name internal hosts or carry a URL.
   */
  static String upstreamFailure(Throwable error) {
    if (error instanceof HttpConnectTimeoutException) {
      return "Timed out connecting to the upstream API";
    }
    boolean connect = false;
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return "Upstream connection failed: unknown host";
      }
      connect |= t instanceof ConnectException;
    }
    return connect ? "Upstream connection failed: could not connect" : "Upstream connection failed";
  }

  /** The class names of {@code error}'s cause chain, for a debug line: no messages. */
  static String causes(Throwable error) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = error; t != null && b.length() < 500; t = t.getCause()) {
      b.append(b.length() == 0 ? "" : " < ").append(t.getClass().getName());
    }
    return b.toString();
  }

  static String typeFor(int status) {
    switch (status) {
      case 400: case 405: return "invalid_request_error";
      case 413: return "request_too_large";
      case 504: return "timeout_error";
      default: return "api_error";
    }
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"': b.append("\\\""); break;
        case '\\': b.append("\\\\"); break;
        case '\n': b.append("\\n"); break;
        case '\r': b.append("\\r"); break;
        case '\t': b.append("\\t"); break;
        default:
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    return b.toString();
  }
}
