package dev.sluice.micrometer;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds the {@code model} tag: the model comes from the client's request, so a client sending
 * random names must not make a meter per name. The first {@link #MAX} distinct names are kept,
 * later ones read as {@code other}; no model reads as {@code none}.
 */
final class ModelTags {
  static final int MAX = 100;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  String tag(String model) {
    if (model.isEmpty()) {
      return "none";
    }
    if (seen.contains(model)) {
      return model;
    }
    if (seen.size() < MAX && model.length() <= 128) {
      seen.add(model); // a race may keep a few past MAX: still bounded
      return model;
    }
    return "other";
  }
}
