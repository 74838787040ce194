package dev.sluice.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.List;

/** A deliberately tiny SSE reader for checking transcripts; independent of the code under test. */
final class Sse {

  /**
   * One event as framed on the wire.
   *
   * @param name the {@code event:} value, or null when the event had no such line
   * @param terminated whether a blank line ended it (false only for trailing bytes at EOF)
   */
  record Event(String name, String data, boolean terminated) {}

  private Sse() {}

  static List<Event> parse(byte[] bytes) {
    String text = new String(bytes, UTF_8);
    List<Event> events = new ArrayList<>();
    String name = null;
    StringBuilder data = null;
    boolean pending = false;
    int i = 0;
    while (i < text.length()) {
      int end = i;
      while (end < text.length() && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
        end++;
      }
      String line = text.substring(i, end);
      if (end < text.length()) {
        end += text.startsWith("\r\n", end) ? 2 : 1;
      }
      i = end;
      if (line.isEmpty()) {
        if (pending) {
          events.add(new Event(name, data == null ? null : data.toString(), true));
        }
        name = null;
        data = null;
        pending = false;
        continue;
      }
      if (line.startsWith(":")) {
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      pending = true;
      if (field.equals("event")) {
        name = value;
      } else if (field.equals("data")) {
        data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
      }
    }
    if (pending) {
      events.add(new Event(name, data == null ? null : data.toString(), false));
    }
    return events;
  }
}
