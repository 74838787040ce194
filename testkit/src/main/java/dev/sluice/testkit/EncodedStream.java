package dev.sluice.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * An SSE body encoded once and shared by every request that asks for it. Never mutate
 * {@link #bytes()}: writers wrap it in read-only views.
 */
record EncodedStream(byte[] bytes, int[] eventEnds) {

  /**
   * Finds event boundaries: an event ends right after an empty line. Accepts LF, CRLF and CR line
   * endings, as SSE does; a comment line belongs to the event it precedes.
   */
  static EncodedStream split(byte[] bytes) {
    List<Integer> ends = new ArrayList<>();
    int lineStart = 0;
    int i = 0;
    while (i < bytes.length) {
      byte b = bytes[i];
      if (b != '\n' && b != '\r') {
        i++;
        continue;
      }
      int lineEnd = i;
      i += (b == '\r' && i + 1 < bytes.length && bytes[i + 1] == '\n') ? 2 : 1;
      if (lineEnd == lineStart) {
        ends.add(i);
      }
      lineStart = i;
    }
    // Bytes after the last blank line (a stream cut without its final blank line) still get sent.
    if (ends.isEmpty() || ends.get(ends.size() - 1) != bytes.length) {
      ends.add(bytes.length);
    }
    return new EncodedStream(bytes, ends.stream().mapToInt(Integer::intValue).toArray());
  }

  int eventCount() {
    return eventEnds.length;
  }
}
