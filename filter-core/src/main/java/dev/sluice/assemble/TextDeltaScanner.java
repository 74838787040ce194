package dev.sluice.assemble;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Arrays;

/**
 * Reads {@code index} and {@code delta.text} of a text delta straight from its UTF-8 bytes: no
 * String for the data, no parser, no tree. It answers true only when it is sure: the data is one
 * JSON object whose members are {@code type} ({@code "content_block_delta"}), {@code index} (a
 * plain non-negative int) and {@code delta} (an object with {@code type} {@code "text_delta"} and a
 * string {@code text}), each once, plus other members whose values are strings, numbers, {@code
 * true}, {@code false} or {@code null}, in any order and with any JSON whitespace. For anything
 * else (nested values it would have to skip, duplicate or escaped keys, a number it would have to
 * round, bytes that are not well-formed UTF-8, malformed JSON) it answers false, and the caller
 * takes the String path ({@link TextDeltaReader}, then the tree), which decides as before. So it
 * can only ever agree with the Jackson paths, never contradict them.
 *
 * <p>Strings are validated as Jackson validates them (no raw control characters, only the JSON
 * escapes), and {@link #appendText} unescapes exactly: {@code \\uXXXX} is one UTF-16 unit, so a
 * surrogate pair written as two escapes becomes that pair and a lone surrogate stays a lone
 * surrogate, as in Jackson's {@code getText()}.
 *
 * <p>Not thread-safe: one per assembler.
 */
final class TextDeltaScanner {
  /**
   * Larger data goes to the String path; text deltas are a few tokens. Keeps every key and string
   * well below Jackson's read limits (50,000-char names, 20M-char strings), which fail its paths.
   */
  static final int MAX_BYTES = 16 * 1024;
  /** Jackson's limit on a number's length (StreamReadConstraints); longer ones fail its paths. */
  private static final int MAX_NUMBER = 1000;

  private static final byte[] TYPE = "type".getBytes(US_ASCII);
  private static final byte[] INDEX = "index".getBytes(US_ASCII);
  private static final byte[] DELTA = "delta".getBytes(US_ASCII);
  private static final byte[] TEXT = "text".getBytes(US_ASCII);
  private static final byte[] CONTENT_BLOCK_DELTA = "content_block_delta".getBytes(US_ASCII);
  private static final byte[] TEXT_DELTA = "text_delta".getBytes(US_ASCII);
  private static final int NO = -1;
  /** How Anthropic writes a text delta; matched whole first, member by member otherwise. */
  private static final byte[] CANONICAL_HEAD =
      "{\"type\":\"content_block_delta\",\"index\":".getBytes(US_ASCII);
  private static final byte[] CANONICAL_MIDDLE =
      ",\"delta\":{\"type\":\"text_delta\",\"text\":\"".getBytes(US_ASCII);

  /** The delta's index, after a scan that returned true. */
  int index;
  private byte[] a;
  private int end;
  private int textFrom;
  private int textTo;
  private boolean textEscaped;
  // set by string(): where the last string's content ends (its closing quote), and if it had escapes
  private int stringEnd;
  private boolean stringEscaped;

  /** True iff {@code a[from, to)} is surely a text delta (see the class comment). */
  boolean scan(byte[] a, int from, int to) {
    if (to - from > MAX_BYTES) {
      return false;
    }
    this.a = a;
    this.end = to;
    if (canonical(from)) {
      return true;
    }
    int p = object(ws(from), true);
    return p != NO && ws(p) == to;
  }

  /** The exact shape Anthropic sends, compared in bulk: no key-by-key parse. */
  private boolean canonical(int from) {
    int p = from + CANONICAL_HEAD.length;
    if (p > end || !Arrays.equals(a, from, p, CANONICAL_HEAD, 0, CANONICAL_HEAD.length)) {
      return false;
    }
    p = index(p);
    if (p == NO || p + CANONICAL_MIDDLE.length > end
        || !Arrays.equals(a, p, p + CANONICAL_MIDDLE.length, CANONICAL_MIDDLE, 0,
            CANONICAL_MIDDLE.length)) {
      return false;
    }
    textFrom = p + CANONICAL_MIDDLE.length;
    p = string(textFrom);
    if (p == NO || end - p != 2 || a[p] != '}' || a[p + 1] != '}') {
      return false; // trailing whitespace and the like: the general scan decides
    }
    textTo = stringEnd;
    textEscaped = stringEscaped;
    return true;
  }

  /** Appends the unescaped text of the delta the last successful {@link #scan} read. */
  void appendText(StringBuilder out) {
    if (!textEscaped) {
      appendRun(out, textFrom, textTo);
      return;
    }
    int run = textFrom;
    int p = textFrom;
    while (p < textTo) {
      if (a[p] != '\\') {
        p++;
        continue;
      }
      appendRun(out, run, p);
      byte e = a[p + 1];
      if (e == 'u') {
        out.append((char) (hex(a[p + 2]) << 12 | hex(a[p + 3]) << 8 | hex(a[p + 4]) << 4
            | hex(a[p + 5])));
        p += 6;
      } else {
        out.append(switch (e) {
          case 'b' -> '\b';
          case 'f' -> '\f';
          case 'n' -> '\n';
          case 'r' -> '\r';
          case 't' -> '\t';
          default -> (char) e; // the scan let only " \ and / through here
        });
        p += 2;
      }
      run = p;
    }
    appendRun(out, run, textTo);
  }

  /** Bytes without escapes: ASCII char by char; others decoded (they were checked well-formed). */
  private void appendRun(StringBuilder out, int from, int to) {
    for (int i = from; i < to; i++) {
      if (a[i] < 0) {
        out.append(new String(a, i, to - i, UTF_8));
        return;
      }
      out.append((char) a[i]);
    }
  }

  /**
   * An object from its '{' at {@code p}: the top-level event when {@code top}, else the delta.
   * Returns the position after its '}', or NO.
   */
  private int object(int p, boolean top) {
    if (p >= end || a[p] != '{') {
      return NO;
    }
    int seen = 0; // top: 1 type, 2 index, 4 delta; delta: 1 type, 2 text
    p = ws(p + 1);
    if (p < end && a[p] == '}') {
      return NO; // {} is no text delta
    }
    while (true) {
      if (p >= end || a[p] != '"') {
        return NO;
      }
      int keyFrom = p + 1;
      p = string(keyFrom);
      if (p == NO || stringEscaped) {
        return NO; // an escaped key may spell a known one: leave it to Jackson
      }
      int keyTo = stringEnd;
      p = ws(p);
      if (p >= end || a[p] != ':') {
        return NO;
      }
      p = ws(p + 1);
      int bit;
      if (is(keyFrom, keyTo, TYPE)) {
        bit = 1;
        p = string(p, top ? CONTENT_BLOCK_DELTA : TEXT_DELTA);
      } else if (top && is(keyFrom, keyTo, INDEX)) {
        bit = 2;
        p = index(p);
      } else if (top && is(keyFrom, keyTo, DELTA)) {
        bit = 4;
        p = object(p, false);
      } else if (!top && is(keyFrom, keyTo, TEXT)) {
        bit = 2;
        if (p >= end || a[p] != '"') {
          return NO;
        }
        textFrom = p + 1;
        p = string(textFrom);
        textTo = stringEnd;
        textEscaped = stringEscaped;
      } else {
        bit = 0;
        p = scalar(p);
      }
      if (p == NO || (seen & bit) != 0) {
        return NO; // a duplicate key: Jackson would take the last; we do not guess
      }
      seen |= bit;
      p = ws(p);
      if (p >= end) {
        return NO;
      }
      if (a[p] == '}') {
        return seen == (top ? 7 : 3) ? p + 1 : NO;
      }
      if (a[p] != ',') {
        return NO;
      }
      p = ws(p + 1);
    }
  }

  /** A string value at {@code p} that must equal {@code expected} (unescaped); after it, or NO. */
  private int string(int p, byte[] expected) {
    if (p >= end || a[p] != '"') {
      return NO;
    }
    int from = p + 1;
    int after = string(from);
    return after != NO && !stringEscaped && is(from, stringEnd, expected) ? after : NO;
  }

  /**
   * String content from {@code p} (just after the opening quote) through the closing quote:
   * returns the position after it, or NO. Rejects what Jackson rejects (raw control characters,
   * unknown escapes) and bytes that are not well-formed UTF-8.
   */
  private int string(int p) {
    boolean escaped = false;
    while (p < end) {
      byte b = a[p];
      if (b == '"') {
        stringEnd = p;
        stringEscaped = escaped;
        return p + 1;
      }
      if (b == '\\') {
        if (p + 1 >= end) {
          return NO;
        }
        byte e = a[p + 1];
        if (e == 'u') {
          if (p + 5 >= end || (hex(a[p + 2]) | hex(a[p + 3]) | hex(a[p + 4]) | hex(a[p + 5])) < 0) {
            return NO;
          }
          p += 6;
        } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n'
            || e == 'r' || e == 't') {
          p += 2;
        } else {
          return NO;
        }
        escaped = true;
      } else if (b >= 0 && b < 0x20) {
        return NO;
      } else if (b < 0) {
        p = utf8(p);
        if (p == NO) {
          return NO;
        }
      } else {
        p++;
      }
    }
    return NO;
  }

  /** One well-formed UTF-8 sequence (RFC 3629: no overlongs, no surrogates) at {@code p}. */
  private int utf8(int p) {
    int b = a[p] & 0xff;
    int n;
    int lo = 0x80;
    int hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
      n = 1;
    } else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      lo = b == 0xe0 ? 0xa0 : 0x80;
      hi = b == 0xed ? 0x9f : 0xbf;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      lo = b == 0xf0 ? 0x90 : 0x80;
      hi = b == 0xf4 ? 0x8f : 0xbf;
    } else {
      return NO;
    }
    if (p + n >= end) {
      return NO;
    }
    int second = a[p + 1] & 0xff;
    if (second < lo || second > hi) {
      return NO;
    }
    for (int i = 2; i <= n; i++) {
      if ((a[p + i] & 0xc0) != 0x80) {
        return NO;
      }
    }
    return p + n + 1;
  }

  /** A plain int: 0, or 1 to 9 digits without a leading zero (sure to fit); else NO. */
  private int index(int p) {
    int from = p;
    int value = 0;
    while (p < end && a[p] >= '0' && a[p] <= '9' && p - from < 9) {
      value = value * 10 + (a[p] - '0');
      p++;
    }
    int digits = p - from;
    if (digits == 0 || (a[from] == '0' && digits > 1)) {
      return NO;
    }
    if (p < end && (a[p] >= '0' && a[p] <= '9' || a[p] == '.' || a[p] == 'e' || a[p] == 'E')) {
      return NO; // longer, or not an int: Jackson decides
    }
    index = value;
    return p;
  }

  /** A string, number, true, false or null at {@code p}; after it, or NO (objects, arrays). */
  private int scalar(int p) {
    if (p >= end) {
      return NO;
    }
    byte b = a[p];
    if (b == '"') {
      return string(p + 1);
    }
    if (b == 't') {
      return literal(p, "true");
    }
    if (b == 'f') {
      return literal(p, "false");
    }
    if (b == 'n') {
      return literal(p, "null");
    }
    return number(p);
  }

  private int literal(int p, String word) {
    if (p + word.length() > end) {
      return NO;
    }
    for (int i = 0; i < word.length(); i++) {
      if (a[p + i] != word.charAt(i)) {
        return NO;
      }
    }
    return p + word.length();
  }

  /** RFC 8259 number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
  private int number(int p) {
    int from = p;
    p = numberEnd(p);
    return p != NO && p - from <= MAX_NUMBER ? p : NO;
  }

  private int numberEnd(int p) {
    if (p < end && a[p] == '-') {
      p++;
    }
    if (p >= end || a[p] < '0' || a[p] > '9') {
      return NO;
    }
    if (a[p] == '0') {
      p++;
    } else {
      p = digits(p);
    }
    if (p < end && a[p] == '.') {
      int q = digits(p + 1);
      if (q == p + 1) {
        return NO;
      }
      p = q;
    }
    if (p < end && (a[p] == 'e' || a[p] == 'E')) {
      p++;
      if (p < end && (a[p] == '+' || a[p] == '-')) {
        p++;
      }
      int q = digits(p);
      if (q == p) {
        return NO;
      }
      p = q;
    }
    return p;
  }

  private int digits(int p) {
    while (p < end && a[p] >= '0' && a[p] <= '9') {
      p++;
    }
    return p;
  }

  private int ws(int p) {
    while (p < end && (a[p] == ' ' || a[p] == '\n' || a[p] == '\r' || a[p] == '\t')) {
      p++;
    }
    return p;
  }

  private boolean is(int from, int to, byte[] word) {
    if (to - from != word.length) {
      return false;
    }
    for (int i = 0; i < word.length; i++) {
      if (a[from + i] != word[i]) {
        return false;
      }
    }
    return true;
  }

  /** The value of a hex digit, or -1. */
  private static int hex(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    return -1;
  }
}
