package dev.sluice.testkit;

import java.util.Map;

/**
 * What the mock answers with: pre-encoded bytes plus where each SSE event ends, so a writer can
 * send one event per write (or any other slicing) without ever looking at the content again.
 *
 * @param eventEnds exclusive end offset of each event; a non-streaming body is one "event"
 * @param sendLimit bytes to send; less than {@code bytes.length} means abort the exchange there
 * @param contentType the media type, or null for a response without {@code Content-Type}
 * @param contentLength whether to announce the full length (non-streaming) or go chunked (SSE)
 */
record Payload(
    int status,
    String contentType,
    byte[] bytes,
    int[] eventEnds,
    int sendLimit,
    boolean contentLength,
    Map<String, String> extraHeaders,
    boolean hangs) {

  Payload(int status, String contentType, byte[] bytes, int[] eventEnds, int sendLimit,
      boolean contentLength, Map<String, String> extraHeaders) {
    this(status, contentType, bytes, eventEnds, sendLimit, contentLength, extraHeaders, false);
  }

  static final String JSON = "application/json";
  static final String SSE = "text/event-stream; charset=utf-8";

  static Payload json(int status, byte[] body) {
    return json(status, body, Map.of());
  }

  static Payload json(int status, byte[] body, Map<String, String> extraHeaders) {
    return whole(status, JSON, body, extraHeaders);
  }

  /** A body of any (or no) media type, sent whole with its length. */
  static Payload body(int status, String contentType, byte[] body) {
    return whole(status, contentType, body, Map.of());
  }

  private static Payload whole(
      int status, String contentType, byte[] body, Map<String, String> extraHeaders) {
    int[] oneEvent = {body.length};
    return new Payload(status, contentType, body, oneEvent, body.length, true, extraHeaders);
  }

  static Payload stream(EncodedStream stream) {
    return new Payload(
        200, SSE, stream.bytes(), stream.eventEnds(), stream.bytes().length, false, Map.of());
  }

  /** This payload cut after {@code events} whole events, then aborted. */
  Payload truncatedAfterEvents(int events) {
    int limit = events <= 0 ? 0 : eventEnds[Math.min(events, eventEnds.length) - 1];
    return new Payload(status, contentType, bytes, eventEnds, limit, contentLength, extraHeaders);
  }

  /** This payload cut after {@code limit} bytes, then aborted. */
  Payload truncatedAt(int limit) {
    return new Payload(status, contentType, bytes, eventEnds, limit, contentLength, extraHeaders);
  }

  /** This payload, after which the connection stays open (no end) until the client closes it. */
  Payload hanging() {
    return new Payload(status, contentType, bytes, eventEnds, sendLimit, contentLength,
        extraHeaders, true);
  }

  boolean aborts() {
    return sendLimit < bytes.length;
  }
}
