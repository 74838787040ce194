package dev.sluice.plugintest;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the scripted upstream answers one request with: a status, headers and a body, sent in the
 * chunks given (so a test can split an event across two reads, as a network does). Immutable.
 */
public final class Upstream {
  private final int status;
  private final List<Map.Entry<String, String>> headers;
  private final List<byte[]> chunks;

  private Upstream(int status, List<Map.Entry<String, String>> headers, List<byte[]> chunks) {
    this.status = status;
    this.headers = List.copyOf(headers);
    this.chunks = List.copyOf(chunks);
  }

  /** A 200 event stream of exactly these bytes, in these chunks. */
  public static Upstream sse(String... chunks) {
    List<byte[]> bytes = new ArrayList<>();
    for (String c : chunks) {
      bytes.add(Objects.requireNonNull(c, "chunk == null").getBytes(UTF_8));
    }
    return new Upstream(200, List.of(Map.entry("content-type", "text/event-stream; charset=utf-8"),
        Map.entry("request-id", "req_harness")), bytes);
  }

  /** A JSON answer: a non-streaming message (200) or an error body. */
  public static Upstream json(int status, String body) {
    return new Upstream(status, List.of(Map.entry("content-type", "application/json"),
        Map.entry("request-id", "req_harness")), List.of(body.getBytes(UTF_8)));
  }

  /** Anthropic's error shape with {@code status}, {@code type} and {@code message}. */
  public static Upstream error(int status, String type, String message) {
    return json(status, "{\"type\":\"error\",\"error\":{\"type\":" + quote(type)
        + ",\"message\":" + quote(message) + "}}");
  }

  /**
   * A complete, real-shaped stream of one text block from {@code model}, one
   * {@code text_delta} event per delta, with usage (10 input tokens, one output token per delta),
   * each event in a chunk of its own.
   */
  public static Upstream textStream(String model, String... deltas) {
    List<String> events = new ArrayList<>();
    events.add(event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":"
        + "\"msg_harness\",\"type\":\"message\",\"role\":\"assistant\",\"model\":" + quote(model)
        + ",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":"
        + "{\"input_tokens\":10,\"output_tokens\":1}}}"));
    events.add(event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
    for (String d : deltas) {
      events.add(event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
          + "\"delta\":{\"type\":\"text_delta\",\"text\":" + quote(d) + "}}"));
    }
    events.add(event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"));
    events.add(event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
        + "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + deltas.length
        + "}}"));
    events.add(event("message_stop", "{\"type\":\"message_stop\"}"));
    return sse(events.toArray(String[]::new));
  }

  /** The same answer with one more response header. */
  public Upstream withHeader(String name, String value) {
    List<Map.Entry<String, String>> more = new ArrayList<>(headers);
    more.add(Map.entry(name.toLowerCase(java.util.Locale.ROOT), value));
    return new Upstream(status, more, chunks);
  }

  /** The body as one string (what a client reading upstream directly would get). */
  public String body() {
    StringBuilder b = new StringBuilder();
    for (byte[] c : chunks) {
      b.append(new String(c, UTF_8));
    }
    return b.toString();
  }

  int status() {
    return status;
  }

  List<Map.Entry<String, String>> headers() {
    return headers;
  }

  List<byte[]> chunks() {
    return chunks;
  }

  private static String event(String name, String data) {
    return "event: " + name + "\ndata: " + data + "\n\n";
  }

  private static String quote(String s) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
  }
}
