package dev.sluice.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code paced} and {@code bulk} streams: message_start, one text block of {@code deltas}
 * identical text deltas, message_delta, message_stop. Encoded once per parameter set and cached, so
 * a load test measures the proxy rather than the mock.
 */
final class GeneratedStreams {
  static final String PACED_TEXT = "hello ";
  private static final String FILLER = "lorem ipsum dolor sit amet consectetur adipiscing elit ";
  private static final long MAX_BYTES = 1L << 30;
  /** Past this many cached bytes the cache starts over; a test suite uses a handful of shapes. */
  private static final long CACHE_BUDGET = 512L << 20;

  private record Key(String model, int deltas, String text, boolean streaming) {}

  private static final Map<Key, Object> CACHE = new ConcurrentHashMap<>();
  private static final AtomicLong CACHED_BYTES = new AtomicLong();

  private GeneratedStreams() {}

  static String bulkText(int bytes) {
    StringBuilder sb = new StringBuilder(bytes);
    while (sb.length() < bytes) {
      sb.append(FILLER, 0, Math.min(FILLER.length(), bytes - sb.length()));
    }
    return sb.toString();
  }

  static EncodedStream stream(String model, int deltas, String text) {
    return (EncodedStream) cached(new Key(model, deltas, text, true));
  }

  static byte[] message(String model, int deltas, String text) {
    return (byte[]) cached(new Key(model, deltas, text, false));
  }

  /**
   * {@code malformed_sse}: a short {@code paced} message with events an SSE reader must survive
   * inserted after content_block_start: a line without a colon, a comment, an unknown field, data
   * that is not JSON, a delta whose JSON is cut off, an event name with no data, a delta for a
   * block that does not exist. Every byte must still be relayed as sent.
   */
  static EncodedStream malformed(String model) {
    return withInserted(model, (
        "this line has no colon\n\n"
            + ": a comment\nevent: content_block_delta\nunknown-field: x\ndata: not json\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
            + "\"delta\":{\"type\":\"text_delta\",\"text\":\"cut off\n\n"
            + "event: content_block_delta\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":7,"
            + "\"delta\":{\"type\":\"text_delta\",\"text\":\"no such block\"}}\n\n")
        .getBytes(UTF_8));
  }

  /**
   * {@code invalid_utf8}: a short {@code paced} message with one more text delta whose JSON string
   * holds bytes that are not UTF-8 (a broken two-byte sequence, {@code FF}, an encoded
   * surrogate). A relay forwards bytes, so the client gets exactly these.
   */
  static EncodedStream invalidUtf8(String model) {
    byte[] head = event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
        + "\"delta\":{\"type\":\"text_delta\",\"text\":\"bad ");
    byte[] bad = {(byte) 0xC3, '(', ' ', (byte) 0xFF, ' ', (byte) 0xED, (byte) 0xA0, (byte) 0x80};
    byte[] tail = " end\"}}\n\n".getBytes(UTF_8);
    int open = head.length - 2; // before the blank line event() ends with
    byte[] delta = new byte[open + bad.length + tail.length];
    System.arraycopy(head, 0, delta, 0, open);
    System.arraycopy(bad, 0, delta, open, bad.length);
    System.arraycopy(tail, 0, delta, open + bad.length, tail.length);
    return withInserted(model, delta);
  }

  /**
   * What an overloaded API sends inside a 200: {@code message_start}, a {@code ping}, then an
   * {@code overloaded_error} event before any content.
   */
  static EncodedStream overloadBeforeContent(String model) {
    EncodedStream base = stream(model, 2, PACED_TEXT);
    byte[] start = java.util.Arrays.copyOf(base.bytes(), base.eventEnds()[0]);
    byte[] rest = ("event: ping\ndata: {\"type\": \"ping\"}\n\n"
        + "event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", "
        + "\"message\": \"Overloaded\"}}\n\n").getBytes(UTF_8);
    byte[] out = java.util.Arrays.copyOf(start, start.length + rest.length);
    System.arraycopy(rest, 0, out, start.length, rest.length);
    return EncodedStream.split(out);
  }

  /** Two {@code paced} deltas with {@code extra} bytes inserted after content_block_start. */
  private static EncodedStream withInserted(String model, byte[] extra) {
    EncodedStream base = stream(model, 2, PACED_TEXT);
    int at = base.eventEnds()[1];
    byte[] out = new byte[base.bytes().length + extra.length];
    System.arraycopy(base.bytes(), 0, out, 0, at);
    System.arraycopy(extra, 0, out, at, extra.length);
    System.arraycopy(base.bytes(), at, out, at + extra.length, base.bytes().length - at);
    return EncodedStream.split(out);
  }

  private static Object cached(Key key) {
    Object hit = CACHE.get(key);
    if (hit != null) {
      return hit;
    }
    // Generated outside any lock: two racing requests may both encode, which is harmless.
    Object made = key.streaming() ? encodeStream(key) : encodeMessage(key);
    long size = made instanceof EncodedStream s ? s.bytes().length : ((byte[]) made).length;
    if (CACHED_BYTES.addAndGet(size) > CACHE_BUDGET) {
      CACHE.clear();
      CACHED_BYTES.set(size);
    }
    Object raced = CACHE.putIfAbsent(key, made);
    return raced != null ? raced : made;
  }

  private static String quote(String s) {
    return new String(JsonStringEncoder.getInstance().quoteAsString(s));
  }

  private static String messageId(Key key) {
    // The same for the streamed and the non-streamed form, so both assemble to one Message.
    long hash = Math.abs((long) (key.model() + "|" + key.deltas() + "|" + key.text()).hashCode());
    return String.format("msg_01MockGen%014d", hash);
  }

  private static byte[] event(String name, String data) {
    return ("event: " + name + "\ndata: " + data + "\n\n").getBytes(UTF_8);
  }

  private static EncodedStream encodeStream(Key key) {
    byte[][] head = {
      event(
          "message_start",
          "{\"type\":\"message_start\",\"message\":{\"model\":\""
              + quote(key.model())
              + "\",\"id\":\""
              + messageId(key)
              + "\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],"
              + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,"
              + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,"
              + "\"output_tokens\":1,\"service_tier\":\"standard\"}}}"),
      event(
          "content_block_start",
          "{\"type\":\"content_block_start\",\"index\":0,"
              + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
    };
    byte[] delta =
        event(
            "content_block_delta",
            "{\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\""
                + quote(key.text())
                + "\"}}");
    byte[][] tail = {
      event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
      event(
          "message_delta",
          "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
              + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":"
              + key.deltas()
              + "}}"),
      event("message_stop", "{\"type\":\"message_stop\"}")
    };
    long total = (long) delta.length * key.deltas();
    for (byte[] e : head) total += e.length;
    for (byte[] e : tail) total += e.length;
    checkSize(total);

    byte[] out = new byte[(int) total];
    int[] ends = new int[head.length + key.deltas() + tail.length];
    int pos = 0;
    int n = 0;
    for (byte[] e : head) {
      System.arraycopy(e, 0, out, pos, e.length);
      ends[n++] = pos += e.length;
    }
    for (int i = 0; i < key.deltas(); i++) {
      System.arraycopy(delta, 0, out, pos, delta.length);
      ends[n++] = pos += delta.length;
    }
    for (byte[] e : tail) {
      System.arraycopy(e, 0, out, pos, e.length);
      ends[n++] = pos += e.length;
    }
    return new EncodedStream(out, ends);
  }

  private static byte[] encodeMessage(Key key) {
    byte[] head =
        ("{\"model\":\""
                + quote(key.model())
                + "\",\"id\":\""
                + messageId(key)
                + "\",\"type\":\"message\",\"role\":\"assistant\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"")
            .getBytes(UTF_8);
    byte[] text = quote(key.text()).getBytes(UTF_8);
    byte[] tail =
        ("\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,"
                + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,"
                + "\"output_tokens\":"
                + key.deltas()
                + ",\"service_tier\":\"standard\"}}")
            .getBytes(UTF_8);
    long total = head.length + (long) text.length * key.deltas() + tail.length;
    checkSize(total);
    byte[] out = Arrays.copyOf(head, (int) total);
    int pos = head.length;
    for (int i = 0; i < key.deltas(); i++, pos += text.length) {
      System.arraycopy(text, 0, out, pos, text.length);
    }
    System.arraycopy(tail, 0, out, pos, tail.length);
    return out;
  }

  private static void checkSize(long total) {
    if (total > MAX_BYTES) {
      throw new MockRequestException(
          400, "invalid_request_error", "generated stream of " + total + " bytes exceeds 1 GiB");
    }
  }
}
