package dev.sluice.sse;

import java.util.Arrays;

/** A growable byte array that is reused across events: cleared, never shrunk. */
final class ByteRun {
  byte[] bytes;
  int length;

  ByteRun(int initialCapacity) {
    bytes = new byte[initialCapacity];
  }

  void append(byte[] src, int off, int len) {
    if (len == 0) {
      return;
    }
    ensure(length + len);
    System.arraycopy(src, off, bytes, length, len);
    length += len;
  }

  void append(byte b) {
    ensure(length + 1);
    bytes[length++] = b;
  }

  void clear() {
    length = 0;
  }

  boolean contentEquals(byte[] other) {
    return Arrays.equals(bytes, 0, length, other, 0, other.length);
  }

  private void ensure(int capacity) {
    if (capacity > bytes.length) {
      // Doubling keeps appends amortized O(1); overflow past 2 GiB fails loudly in copyOf.
      bytes = Arrays.copyOf(bytes, Math.max(capacity, bytes.length << 1));
    }
  }
}
