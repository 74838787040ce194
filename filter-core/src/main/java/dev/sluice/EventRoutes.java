package dev.sluice;

import dev.sluice.hook.Hook;
import dev.sluice.hook.HookPoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which event hooks see an event of a given name, from each hook's {@link Hook#eventNames()},
 * decided once at start. An event name no hook asked for maps to the hooks that asked for every
 * event ({@code "*"}), usually none: such an event is relayed as its bytes, never decoded.
 */
final class EventRoutes {
  private static final Hook[] NONE = new Hook[0];

  private final Map<String, Hook[]> byName = new HashMap<>();
  private final Hook[] everyName;

  /** {@code hooks} in dispatch order; {@code all}: ignore the declarations (the legacy baseline). */
  EventRoutes(Hook[] hooks, boolean all) {
    List<Hook> wildcard = new ArrayList<>();
    for (Hook h : hooks) {
      Set<String> names = all ? Hook.EVERY_EVENT : declared(h);
      if (names.contains("*")) {
        wildcard.add(h);
      } else {
        for (String name : names) {
          byName.putIfAbsent(name, NONE);
        }
      }
    }
    everyName = wildcard.toArray(NONE);
    for (Map.Entry<String, Hook[]> e : byName.entrySet()) {
      List<Hook> route = new ArrayList<>();
      for (Hook h : hooks) { // keeps the priority order
        Set<String> names = all ? Hook.EVERY_EVENT : declared(h);
        if (names.contains("*") || names.contains(e.getKey())) {
          route.add(h);
        }
      }
      e.setValue(route.toArray(NONE));
    }
  }

  /** The hooks that see events named {@code name}, in order; empty when none does. */
  Hook[] forName(String name) {
    Hook[] route = byName.get(name);
    return route != null ? route : everyName;
  }

  /** What a hook declared, read once; a throw or a null counts as every event (fail safe). */
  private static Set<String> declared(Hook h) {
    try {
      Set<String> names = h.eventNames();
      return names != null ? names : Hook.EVERY_EVENT;
    } catch (RuntimeException e) {
      Guard.logFailure(h, HookPoint.EVENT, e);
      return Hook.EVERY_EVENT;
    }
  }

  /** {@code (message_delta, message_start)} for the start-up line; "" for every event. */
  static String describe(Hook h) {
    Set<String> names = declared(h);
    return names.contains("*") ? "" : "(" + String.join(", ", names.stream().sorted().toList())
        + ")";
  }
}
