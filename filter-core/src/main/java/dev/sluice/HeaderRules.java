package dev.sluice;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Which headers cross the proxy in each direction (RFC 9110 §7.6.1 plus Anthropic's needs). */
final class HeaderRules {
  static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authorization",
      "proxy-authenticate", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade");

  /** Set by the transport or meaningless upstream; {@code cookie} belongs to this web app. */
  private static final Set<String> REQUEST_DROPPED =
      Set.of("host", "content-length", "cookie", "accept-encoding", "expect");

  private static final Set<String> CREDENTIALS = Set.of("x-api-key", "authorization", "api-key");

  /** The app's session must not be overwritten by upstream's cookies. */
  private static final Set<String> RESPONSE_DROPPED = Set.of("set-cookie", "set-cookie2");

  private HeaderRules() {}

  /**
   * The headers to send upstream, in the client's order. Every value of a repeated header (such as
   * {@code anthropic-beta}) is kept, in order. {@code accept-encoding: identity} keeps the stream
   * uncompressed so every event can be flushed as it arrives.
   */
  static List<Map.Entry<String, String>> toUpstream(HttpServletRequest request, String apiKey) {
    Set<String> dropped = connectionTokens(Collections.list(request.getHeaders("connection")));
    List<Map.Entry<String, String>> out = new ArrayList<>();
    for (String name : Collections.list(request.getHeaderNames())) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(lower) || REQUEST_DROPPED.contains(lower) || dropped.contains(lower)
          || !apiKey.isEmpty() && CREDENTIALS.contains(lower)) {
        continue;
      }
      for (String value : Collections.list(request.getHeaders(name))) {
        out.add(Map.entry(name, value));
      }
    }
    out.add(Map.entry("accept-encoding", "identity"));
    if (!apiKey.isEmpty()) {
      out.add(Map.entry("x-api-key", apiKey));
    }
    return out;
  }

  /** Copies upstream's end-to-end headers onto the client's response. */
  static void toClient(List<Map.Entry<String, String>> upstream, HttpServletResponse response) {
    List<String> connection = new ArrayList<>();
    for (Map.Entry<String, String> h : upstream) {
      if (h.getKey().equals("connection")) {
        connection.add(h.getValue());
      }
    }
    Set<String> dropped = connectionTokens(connection);
    Set<String> seen = new HashSet<>();
    for (Map.Entry<String, String> h : upstream) {
      String name = h.getKey();
      if (HOP_BY_HOP.contains(name) || RESPONSE_DROPPED.contains(name) || dropped.contains(name)
          || !isToken(name) || !isSafeValue(h.getValue())) { // not from a conforming upstream
        continue;
      }
      if (name.equals("content-length")) {
        setContentLength(response, h.getValue());
      } else if (seen.add(name)) {
        response.setHeader(name, h.getValue()); // replaces a container default such as Date
      } else {
        response.addHeader(name, h.getValue());
      }
    }
  }

  private static void setContentLength(HttpServletResponse response, String value) {
    try {
      response.setContentLengthLong(Long.parseLong(value.trim()));
    } catch (NumberFormatException ignored) {
      // A malformed length is left out: the container then chunks the body.
    }
  }

  /** Names listed in {@code Connection} are hop-by-hop too (RFC 9110 §7.6.1). */
  static Set<String> connectionTokens(List<String> connectionValues) {
    if (connectionValues.isEmpty()) {
      return Set.of();
    }
    Set<String> tokens = new HashSet<>();
    for (String value : connectionValues) {
      for (String token : value.split(",")) {
        String t = token.trim().toLowerCase(Locale.ROOT);
        if (!t.isEmpty()) {
          tokens.add(t);
        }
      }
    }
    return tokens;
  }

  /**
   * The first line that must not be sent, or null when all are valid: a name that is not an RFC
   * 9110 token, or a value holding CR, LF or NUL ("invalid and dangerous", RFC 9110 §5.5: they
   * could end the field early and smuggle a header, or a request, into the next hop). The answer
   * names the header only when the name itself is valid and never shows a value, so it is safe to
   * log and to put in an error body.
   */
  static String invalidLine(List<Map.Entry<String, String>> lines) {
    for (Map.Entry<String, String> h : lines) {
      if (!isToken(h.getKey())) {
        return "a header name with characters outside an HTTP token";
      }
      if (!isSafeValue(h.getValue())) {
        return "'" + h.getKey() + "' (its value holds CR, LF or NUL)";
      }
    }
    return null;
  }

  private static boolean isToken(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean alnum = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
      if (!alnum && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean isSafeValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) {
        return false;
      }
    }
    return true;
  }
}
