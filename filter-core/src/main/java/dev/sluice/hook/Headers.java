package dev.sluice.hook;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An ordered, case-insensitive list of header lines; repeated names stay separate lines.
 *
 * <p>The headers a hook is shown are {@link #redacted() redacted} unless the hook {@linkplain
 * Hook#readsCredentials() reads credentials}: the value of every {@linkplain #isCredential
 * credential} header then reads as {@link #REDACTED}, while the real value is still the one
 * forwarded. So a hook that logs, traces or exports the headers it sees cannot leak a key.
 */
public final class Headers {
  /** What the value of a credential header reads as in {@link #redacted()} headers. */
  public static final String REDACTED = "[redacted]";

  private static final Set<String> CREDENTIALS = Set.of("x-api-key", "authorization",
      "proxy-authorization", "api-key", "cookie", "set-cookie", "set-cookie2");

  private final List<Map.Entry<String, String>> lines;
  private final boolean mutable;
  private final boolean redacting;

  private Headers(List<Map.Entry<String, String>> lines, boolean mutable, boolean redacting) {
    this.lines = lines;
    this.mutable = mutable;
    this.redacting = redacting;
  }

  /**
   * Whether the values of header {@code name} are credentials: {@code x-api-key}, {@code
   * authorization}, {@code proxy-authorization}, {@code api-key}, {@code cookie} and {@code
   * set-cookie}, in any case.
   */
  public static boolean isCredential(String name) {
    return CREDENTIALS.contains(name.toLowerCase(Locale.ROOT));
  }

  /**
   * A view of the same lines in which credential values read as {@link #REDACTED}. Changes
   * through the view apply to these headers (a hook may set a key it cannot read back).
   */
  public Headers redacted() {
    return redacting ? this : new Headers(lines, mutable, true);
  }

  /** A mutable copy of {@code lines}. */
  public static Headers mutableCopyOf(List<Map.Entry<String, String>> lines) {
    return new Headers(new ArrayList<>(lines), true, false);
  }

  /** A read-only view of {@code lines}. */
  public static Headers readOnly(List<Map.Entry<String, String>> lines) {
    return new Headers(List.copyOf(lines), false, false);
  }

  /** The first value of {@code name}, or "" when absent. */
  public String get(String name) {
    for (Map.Entry<String, String> h : lines) {
      if (h.getKey().equalsIgnoreCase(name)) {
        return shown(h).getValue();
      }
    }
    return "";
  }

  public List<String> all(String name) {
    List<String> values = new ArrayList<>();
    for (Map.Entry<String, String> h : lines) {
      if (h.getKey().equalsIgnoreCase(name)) {
        values.add(shown(h).getValue());
      }
    }
    return values;
  }

  /** Replaces every line of {@code name} with one. */
  public Headers set(String name, String value) {
    remove(name);
    return add(name, value);
  }

  public Headers add(String name, String value) {
    checkMutable();
    lines.add(Map.entry(Objects.requireNonNull(name, "name == null"),
        Objects.requireNonNull(value, "value == null")));
    return this;
  }

  public Headers remove(String name) {
    checkMutable();
    lines.removeIf(h -> h.getKey().equalsIgnoreCase(name));
    return this;
  }

  /** The lines, in order. */
  public List<Map.Entry<String, String>> lines() {
    if (redacting) {
      List<Map.Entry<String, String>> shown = new ArrayList<>(lines.size());
      lines.forEach(h -> shown.add(shown(h)));
      return List.copyOf(shown);
    }
    return mutable ? List.copyOf(lines) : lines;
  }

  private Map.Entry<String, String> shown(Map.Entry<String, String> line) {
    return redacting && isCredential(line.getKey()) ? Map.entry(line.getKey(), REDACTED) : line;
  }

  private void checkMutable() {
    if (!mutable) {
      throw new UnsupportedOperationException("these headers are read-only");
    }
  }

  /** Names only: header values may be credentials. */
  @Override
  public String toString() {
    List<String> names = new ArrayList<>();
    lines.forEach(h -> names.add(h.getKey()));
    return "Headers" + names;
  }
}
