package dev.sluice.sample;

import dev.sluice.hook.HookSettings;
import dev.sluice.hook.RequestContext;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code blocked-words}: rejects requests whose body contains one of the words in the
 * {@code blocked-words} setting (comma-separated; default {@code forbidden-word}). It scans the
 * raw bytes, so it never makes Sluice parse a request.
 */
public final class BlockedWordsGuardrail extends AbstractGuardrail {
  private List<byte[]> words = List.of("forbidden-word".getBytes(StandardCharsets.UTF_8));

  @Override
  public String name() {
    return "blocked-words";
  }

  @Override
  public void configure(HookSettings settings) {
    String spec = settings.get("blocked-words");
    if (spec.isEmpty()) {
      return;
    }
    List<byte[]> parsed = new ArrayList<>();
    for (String w : spec.split(",")) {
      if (!w.isBlank()) {
        parsed.add(w.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
      }
    }
    words = List.copyOf(parsed);
  }

  @Override
  protected String violation(RequestContext request) {
    ByteBuffer body = request.rawBody();
    for (byte[] w : words) {
      if (contains(body, w)) {
        return "Request blocked by policy: it contains '"
            + new String(w, StandardCharsets.UTF_8) + "'";
      }
    }
    return null;
  }

  private static boolean contains(ByteBuffer body, byte[] word) {
    int end = body.limit() - word.length;
    outer:
    for (int i = body.position(); i <= end; i++) {
      for (int j = 0; j < word.length; j++) {
        if (Character.toLowerCase(body.get(i + j)) != word[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
