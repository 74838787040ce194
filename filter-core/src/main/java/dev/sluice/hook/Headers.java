package dev.sluice.hook;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** An ordered, case-insensitive list of header lines; repeated names stay separate lines. */
public final class Headers {
  private final List<Map.Entry<String, String>> lines;
  private final boolean mutable;

  private Headers(List<Map.Entry<String, String>> lines, boolean mutable) {
    this.lines = lines;
    this.mutable = mutable;
  }

  /** A mutable copy of {@code lines}. */
  public static Headers mutableCopyOf(List<Map.Entry<String, String>> lines) {
    return new Headers(new ArrayList<>(lines), true);
  }

  /** A read-only view of {@code lines}. */
  public static Headers readOnly(List<Map.Entry<String, String>> lines) {
    return new Headers(List.copyOf(lines), false);
  }

  /** The first value of {@code name}, or "" when absent. */
  public String get(String name) {
    for (Map.Entry<String, String> h : lines) {
      if (h.getKey().equalsIgnoreCase(name)) {
        return h.getValue();
      }
    }
    return "";
  }

  public List<String> all(String name) {
    List<String> values = new ArrayList<>();
    for (Map.Entry<String, String> h : lines) {
      if (h.getKey().equalsIgnoreCase(name)) {
        values.add(h.getValue());
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
    return mutable ? List.copyOf(lines) : lines;
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
