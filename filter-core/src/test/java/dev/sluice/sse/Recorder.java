package dev.sluice.sse;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Records frames, copying their raw bytes inside the callback as the contract requires. */
final class Recorder implements SseParser.Listener {
  record Event(String name, String data, byte[] raw) {
    @Override
    public String toString() {
      return name + ":" + data;
    }
  }

  final List<Event> events = new ArrayList<>();
  final List<SseFrame> frames = new ArrayList<>();

  @Override
  public void onEvent(SseFrame frame) {
    byte[] raw = frame.raw();
    if (frame.rawLength() != raw.length || frame.rawBuffer().remaining() != raw.length) {
      throw new AssertionError("raw length mismatch");
    }
    events.add(new Event(frame.name(), frame.data(), raw));
    frames.add(frame);
  }

  List<String> namesAndData() {
    return events.stream().map(Event::toString).toList();
  }

  byte[] concatenatedRaw() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    events.forEach(e -> out.writeBytes(e.raw()));
    return out.toByteArray();
  }

  /** Feeds {@code input} split at random points (chunks of 1..maxChunk bytes). */
  static void feedRandomly(SseParser parser, byte[] input, Random random, int maxChunk) {
    int pos = 0;
    while (pos < input.length) {
      int n = Math.min(input.length - pos, 1 + random.nextInt(maxChunk));
      parser.feed(input, pos, n);
      pos += n;
    }
  }

  static void feedBytewise(SseParser parser, byte[] input) {
    for (int i = 0; i < input.length; i++) {
      parser.feed(input, i, 1);
    }
  }
}
