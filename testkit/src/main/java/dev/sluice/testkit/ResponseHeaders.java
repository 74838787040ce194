package dev.sluice.testkit;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/** The headers the real API sends on every response, plus two a proxy test can check for. */
final class ResponseHeaders {
  static final String ORGANIZATION_ID = "4c1f7e2a-9b3d-4e8f-a6c5-0d2b8e1f3a7c";
  /** Shared by every mock in the JVM so ids stay unique across instances. */
  private static final AtomicLong IDS = new AtomicLong();

  private ResponseHeaders() {}

  static String nextRequestId() {
    return String.format("req_011CMock%012d", IDS.incrementAndGet());
  }

  static void apply(HttpFields.Mutable h, String requestId, Payload payload) {
    String reset =
        DateTimeFormatter.ISO_INSTANT.format(
            Instant.now().plusSeconds(60).truncatedTo(ChronoUnit.SECONDS));
    h.put("request-id", requestId);
    h.put("anthropic-organization-id", ORGANIZATION_ID);
    h.put("anthropic-ratelimit-requests-limit", "4000");
    h.put("anthropic-ratelimit-requests-remaining", "3999");
    h.put("anthropic-ratelimit-requests-reset", reset);
    h.put("anthropic-ratelimit-tokens-limit", "400000");
    h.put("anthropic-ratelimit-tokens-remaining", "399000");
    h.put("anthropic-ratelimit-tokens-reset", reset);
    h.put("anthropic-ratelimit-input-tokens-limit", "200000");
    h.put("anthropic-ratelimit-input-tokens-remaining", "199000");
    h.put("anthropic-ratelimit-input-tokens-reset", reset);
    h.put("anthropic-ratelimit-output-tokens-limit", "200000");
    h.put("anthropic-ratelimit-output-tokens-remaining", "200000");
    h.put("anthropic-ratelimit-output-tokens-reset", reset);
    // A proxy must drop this one (cookies are the client's business, not the upstream's) ...
    h.put("set-cookie", "_cfuvid=mock; path=/; HttpOnly");
    // ... and pass this unknown end-to-end header through untouched.
    h.put("x-mock-end-to-end", "yes");
    if (payload.contentType() != null) {
      h.put(HttpHeader.CONTENT_TYPE, payload.contentType());
    }
    if (payload.contentLength()) {
      h.put(HttpHeader.CONTENT_LENGTH, payload.bytes().length);
    } else {
      h.put(HttpHeader.CACHE_CONTROL, "no-cache");
    }
    for (Map.Entry<String, String> e : payload.extraHeaders().entrySet()) {
      h.put(e.getKey(), e.getValue());
    }
  }
}
