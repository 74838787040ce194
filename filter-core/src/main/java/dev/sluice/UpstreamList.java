package dev.sluice;

import dev.sluice.failover.UpstreamEntry;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Reads the {@code upstream} list and key sources. An entry is {@code URL[;priority=N]
 * [;weight=N][;api-key=env:NAME|file:PATH]}; entries are separated by commas and take their
 * place in the list as priority unless they say otherwise. Keys are never written into the
 * {@code upstream} setting itself (it is logged and echoed in errors): an entry names where its
 * keys are.
 */
final class UpstreamList {
  private UpstreamList() {}

  /** Parses the setting; one entry without parameters is just that URL. */
  static List<UpstreamEntry> parse(String value, UnaryOperator<String> env) {
    List<UpstreamEntry> entries = new ArrayList<>();
    String[] items = value.split(",");
    for (int i = 0; i < items.length; i++) {
      String item = items[i].trim();
      if (item.isEmpty()) {
        throw new IllegalArgumentException("has an empty entry");
      }
      String[] parts = item.split(";");
      int priority = i;
      int weight = 1;
      List<String> keys = List.of();
      for (int p = 1; p < parts.length; p++) {
        String param = parts[p].trim();
        int eq = param.indexOf('=');
        String name = eq < 0 ? param : param.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        String v = eq < 0 ? "" : param.substring(eq + 1).trim();
        switch (name) {
          case "priority":
            priority = number(name, v);
            break;
          case "weight":
            weight = number(name, v);
            break;
          case "api-key":
            if (!v.startsWith("env:") && !v.startsWith("file:")) {
              throw new IllegalArgumentException("entry " + (i + 1) + ": api-key must be env:NAME "
                  + "or file:PATH (keys are not written into the upstream setting)");
            }
            keys = keys(v, env);
            if (keys.isEmpty()) {
              throw new IllegalArgumentException("entry " + (i + 1) + ": " + v.substring(0,
                  v.indexOf(':')) + " source holds no key");
            }
            break;
          default:
            throw new IllegalArgumentException("entry " + (i + 1) + ": unknown parameter '" + name
                + "' (known: priority, weight, api-key)");
        }
      }
      entries.add(new UpstreamEntry(URI.create(parts[0].trim()), priority, weight, keys));
    }
    return entries;
  }

  /**
   * Keys from a setting's value: {@code file:PATH} (one key per line; blank lines and lines
   * starting with {@code #} skipped), {@code env:NAME} (a variable holding keys, read like a
   * file), or the keys themselves, separated by commas. A literal value holding a line break is
   * not split at it: it fails as an invalid key (a header injection attempt, not a list). Messages
   * never show a key.
   */
  static List<String> keys(String value, UnaryOperator<String> env) {
    String v = value.trim();
    String text;
    if (!v.startsWith("file:") && !v.startsWith("env:")) {
      List<String> keys = new ArrayList<>();
      for (String k : v.split(",")) {
        if (!k.trim().isEmpty()) {
          keys.add(k); // CR, LF and NUL are refused by SluiceConfig.Builder
        }
      }
      return keys;
    }
    if (v.startsWith("file:")) {
      Path path = Path.of(v.substring(5).trim());
      try {
        text = Files.readString(path, StandardCharsets.UTF_8);
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("cannot read the key file " + path + ": "
            + e.getClass().getSimpleName(), e);
      }
    } else {
      String name = v.substring(4).trim();
      text = env.apply(name);
      if (text == null) {
        throw new IllegalArgumentException("environment variable " + name + " is not set");
      }
    }
    List<String> keys = new ArrayList<>();
    for (String line : text.split("\\R")) {
      if (line.trim().startsWith("#")) {
        continue;
      }
      for (String k : line.split("[,\\s]+")) {
        if (!k.isEmpty()) {
          keys.add(k);
        }
      }
    }
    return keys;
  }

  private static int number(String name, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, got '" + v + "'");
    }
  }
}
