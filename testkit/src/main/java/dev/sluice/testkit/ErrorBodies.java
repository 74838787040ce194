package dev.sluice.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.Map;

/** Anthropic error responses: {@code {"type":"error","error":{...},"request_id":"req_..."}}. */
final class ErrorBodies {

  /** The {@code error_NNN} scenarios: status, error type, message, extra headers. */
  private record Canned(int status, String type, String message, Map<String, String> headers) {}

  private static final Map<String, Canned> SCENARIOS =
      Map.of(
          "error_400",
              new Canned(400, "invalid_request_error", "messages: field required", Map.of()),
          "error_401", new Canned(401, "authentication_error", "invalid x-api-key", Map.of()),
          "error_429",
              new Canned(
                  429,
                  "rate_limit_error",
                  "Number of request tokens has exceeded your per-minute rate limit",
                  Map.of("retry-after", "7")),
          "error_500", new Canned(500, "api_error", "Internal server error", Map.of()),
          "error_529",
              new Canned(529, "overloaded_error", "Overloaded", Map.of("x-should-retry", "true")),
          "error_529_retry_after_1",
              new Canned(529, "overloaded_error", "Overloaded",
                  Map.of("x-should-retry", "true", "retry-after", "1")));

  /**
   * Errors that are not Anthropic's JSON: what a load balancer or gateway in front of the API
   * answers with when it fails (an HTML page, or nothing at all).
   */
  private static final Map<String, Payload> FOREIGN =
      Map.of(
          "error_502_html",
              Payload.body(502, "text/html", ("<html><head><title>502 Bad Gateway</title></head>"
                  + "<body><h1>502 Bad Gateway</h1></body></html>\n").getBytes(UTF_8)),
          "error_503_empty", Payload.body(503, null, new byte[0]));

  private ErrorBodies() {}

  static boolean isScenario(String scenario) {
    return SCENARIOS.containsKey(scenario) || FOREIGN.containsKey(scenario);
  }

  static Payload scenario(String scenario, String requestId) {
    Payload foreign = FOREIGN.get(scenario);
    if (foreign != null) {
      return foreign;
    }
    Canned c = SCENARIOS.get(scenario);
    return Payload.json(c.status(), body(c.type(), c.message(), requestId), c.headers());
  }

  static Payload of(int status, String type, String message, String requestId) {
    return Payload.json(status, body(type, message, requestId));
  }

  static byte[] body(String type, String message, String requestId) {
    JsonStringEncoder enc = JsonStringEncoder.getInstance();
    return ("{\"type\":\"error\",\"error\":{\"type\":\""
            + new String(enc.quoteAsString(type))
            + "\",\"message\":\""
            + new String(enc.quoteAsString(message))
            + "\"},\"request_id\":\""
            + requestId
            + "\"}")
        .getBytes(UTF_8);
  }
}
