package dev.sluice.upstream;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to send upstream: always a {@code POST} of {@code body[0, bodyLength)}, sent as is.
 *
 * @param headers header lines in order, names as the client sent them; repeated names stay
 *     separate lines (never hop-by-hop, {@code host} or {@code content-length})
 */
public record UpstreamRequest(URI uri, List<Map.Entry<String, String>> headers, byte[] body,
    int bodyLength) {
  public UpstreamRequest {
    Objects.requireNonNull(uri, "uri == null");
    headers = List.copyOf(headers);
    Objects.requireNonNull(body, "body == null");
    if (bodyLength < 0 || bodyLength > body.length) {
      throw new IllegalArgumentException("bodyLength out of range: " + bodyLength);
    }
  }
}
