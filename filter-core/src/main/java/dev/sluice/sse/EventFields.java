package dev.sluice.sse;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Arrays;

/** WHATWG's event type and data buffers for the event being read, filled one line at a time. */
final class EventFields {
  private static final byte[] DATA = "data".getBytes(US_ASCII);
  private static final byte[] EVENT = "event".getBytes(US_ASCII);
  /** A stream uses a handful of event names; decoding each only once saves a String per event. */
  private static final int NAME_CACHE_SIZE = 8;

  private final ByteRun name = new ByteRun(32);
  private final ByteRun data = new ByteRun(256); // a text delta is ~100 bytes; grows by doubling
  private int dataLines;
  private boolean started;
  private final byte[][] cachedNameBytes = new byte[NAME_CACHE_SIZE][];
  private final String[] cachedNames = new String[NAME_CACHE_SIZE];
  private int nextCacheSlot;

  /** Applies one non-blank line, given without its line ending. */
  void line(byte[] a, int from, int to) {
    if (a[from] == ':') {
      return; // A comment: it neither starts an event nor changes one.
    }
    started = true;
    int colon = from;
    while (colon < to && a[colon] != ':') {
      colon++;
    }
    int value = colon < to ? colon + 1 : to; // No colon: the whole line names a field with "" value.
    if (value < to && a[value] == ' ') {
      value++;
    }
    if (Arrays.equals(a, from, colon, DATA, 0, DATA.length)) {
      if (dataLines++ > 0) {
        data.append((byte) '\n');
      }
      data.append(a, value, to - value);
    } else if (Arrays.equals(a, from, colon, EVENT, 0, EVENT.length)) {
      name.clear();
      name.append(a, value, to - value);
    }
    // id and retry only matter to a reconnecting EventSource; unknown fields are ignored.
  }

  /** WHATWG dispatches an event only if it had at least one data line. */
  boolean hasData() {
    return dataLines > 0;
  }

  /** Whether a field line was read since the last blank line, i.e. an event is half received. */
  boolean started() {
    return started;
  }

  String name() {
    if (name.length == 0) {
      return "";
    }
    for (int i = 0; i < NAME_CACHE_SIZE; i++) {
      if (cachedNameBytes[i] != null && name.contentEquals(cachedNameBytes[i])) {
        return cachedNames[i];
      }
    }
    String decoded = new String(name.bytes, 0, name.length, UTF_8);
    cachedNameBytes[nextCacheSlot] = Arrays.copyOf(name.bytes, name.length);
    cachedNames[nextCacheSlot] = decoded;
    nextCacheSlot = (nextCacheSlot + 1) % NAME_CACHE_SIZE;
    return decoded;
  }

  /**
   * The data's bytes, valid until {@link #reset()}. Decoded only by {@link SseFrame#data()}, once
   * the event is complete (so a character split across chunks is whole) and only when asked.
   */
  byte[] dataBytes() {
    return data.bytes;
  }

  int dataLength() {
    return data.length;
  }

  void reset() {
    name.clear();
    data.clear();
    dataLines = 0;
    started = false;
  }
}
