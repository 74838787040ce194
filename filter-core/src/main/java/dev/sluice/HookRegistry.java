package dev.sluice;

import dev.sluice.cost.Pricing;
import dev.sluice.cost.PricingAware;
import dev.sluice.hook.Hook;
import dev.sluice.hook.HookPoint;
import dev.sluice.hook.HookSettings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The enabled hooks, with one prebuilt array per {@link HookPoint} so that dispatch loops only
 * over hooks that override the point, and an unused point costs nothing. Built once, at start.
 */
final class HookRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(HookRegistry.class);
  static final HookRegistry EMPTY = new HookRegistry(List.of());

  private final List<Hook> hooks;
  private final boolean legacy;
  private final Map<HookPoint, Hook[]> byPoint = new EnumMap<>(HookPoint.class);
  private final EventRoutes events;
  /** Hooks of either request point, in order: one pass runs them whichever form they use. */
  private final Hook[] requestHooks;
  /** Hooks shown credential values (Hook.readsCredentials), asked once here. */
  private final Set<Hook> credentialReaders =
      java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

  /** What each hook answered at start: asked once, so a plugin that throws fails start once. */
  private final Map<Hook, String> names = new IdentityHashMap<>();

  private HookRegistry(List<Hook> hooks, boolean legacy) {
    Map<Hook, Integer> priorities = new IdentityHashMap<>();
    for (Hook h : hooks) {
      names.put(h, ask(h, "name()", h::name));
      priorities.put(h, ask(h, "priority()", h::priority));
    }
    List<Hook> sorted = new ArrayList<>(hooks);
    sorted.sort(Comparator.<Hook>comparingInt(priorities::get).thenComparing(names::get));
    this.hooks = List.copyOf(sorted);
    this.legacy = legacy;
    for (HookPoint p : HookPoint.values()) {
      byPoint.put(p, sorted.stream().filter(h -> legacy || p.isOverriddenBy(h))
          .toArray(Hook[]::new));
    }
    this.requestHooks = sorted.stream().filter(h -> calls(h, HookPoint.REQUEST)
        || calls(h, HookPoint.REQUEST_ASYNC)).toArray(Hook[]::new);
    this.events = new EventRoutes(byPoint.get(HookPoint.EVENT), legacy);
    for (Hook h : sorted) {
      if (ask(h, "readsCredentials()", h::readsCredentials)) {
        credentialReaders.add(h);
      }
    }
  }

  /**
   * Asks a plugin something at start. A failure fails start naming the plugin by its class (its
   * name may be what failed), instead of an anonymous exception from deep inside init.
   */
  private static <T> T ask(Hook hook, String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (Throwable t) {
      Guard.propagateIfFatal(t);
      throw new IllegalArgumentException("Hook " + hook.getClass().getName() + " failed in "
          + what + ": " + t, t);
    }
  }

  /**
   * Hands every hook the filter's settings, in order, and a {@link PricingAware} one the filter's
   * pricing table first. A hook that throws fails start, naming it:
   * a plugin that could not configure itself (an auth plugin without its key store) must not run.
   */
  void configure(HookSettings settings, Pricing pricing) {
    for (Hook h : hooks) {
      try {
        if (h instanceof PricingAware) { // the filter's one table, before configure
          ((PricingAware) h).pricing(pricing);
        }
        h.configure(settings);
      } catch (Throwable t) {
        Guard.propagateIfFatal(t);
        throw new IllegalArgumentException("Hook '" + names.get(h) + "' ("
            + h.getClass().getName() + ") failed to configure: " + t, t);
      }
    }
  }

  /** Whether {@code hook} sees credential header values instead of {@code [redacted]}. */
  boolean readsCredentials(Hook hook) {
    return credentialReaders.contains(hook);
  }

  private HookRegistry(List<Hook> hooks) {
    this(hooks, false);
  }

  /**
   * The baseline the fast paths are measured against (benchmark only): every hook at every
   * point, and every stage built for every request, as a proxy without override detection does.
   */
  HookRegistry legacy() {
    return new HookRegistry(hooks, true);
  }

  boolean isLegacy() {
    return legacy;
  }

  /** Whether requests need the hook pipeline at all; false means the pure byte relay. */
  boolean needsPipeline() {
    if (legacy) {
      return true;
    }
    for (Hook[] at : byPoint.values()) {
      if (at.length > 0) {
        return true;
      }
    }
    return false; // no hook, or hooks that override no point (a name-only placeholder)
  }

  /** Every hook in {@code hooks} is enabled (the programmatic seam for frameworks and tests). */
  static HookRegistry of(List<Hook> hooks) {
    return hooks.isEmpty() ? EMPTY : new HookRegistry(hooks);
  }

  /**
   * Discovers hooks with {@link ServiceLoader} through {@code loader} (the web app's) and enables
   * those named in {@code names} ({@code *} for all). A provider that fails to load is logged and
   * skipped; a name nothing provides fails start, listing what is available.
   */
  static HookRegistry load(ClassLoader loader, List<String> names) {
    if (names.isEmpty()) {
      return EMPTY;
    }
    Map<String, Hook> found = discover(loader);
    List<Hook> enabled = new ArrayList<>();
    if (names.contains("*")) {
      enabled.addAll(found.values());
    } else {
      for (String name : names) {
        Hook h = found.get(name);
        if (h == null) {
          throw new IllegalArgumentException("Invalid Sluice setting 'hooks': no hook named '"
              + name + "'; available: " + String.join(", ", found.keySet()));
        }
        enabled.add(h);
      }
    }
    return of(enabled);
  }

  private static Map<String, Hook> discover(ClassLoader loader) {
    Map<String, Hook> found = new LinkedHashMap<>();
    Iterator<Hook> it = ServiceLoader.load(Hook.class, loader).iterator();
    for (int guard = 0; guard < 10_000; guard++) {
      try {
        if (!it.hasNext()) {
          break;
        }
        Hook h = it.next();
        String name;
        try {
          name = h.name();
        } catch (RuntimeException e) {
          LOG.warn("Skipping hook {}: its name() failed: {}", h.getClass().getName(), e.toString());
          continue;
        }
        Hook previous = found.putIfAbsent(name, h);
        if (previous != null && previous.getClass() != h.getClass()) {
          LOG.warn("Two hooks are named '{}': keeping {}, ignoring {}", name,
              previous.getClass().getName(), h.getClass().getName());
        }
      } catch (ServiceConfigurationError | LinkageError e) {
        LOG.warn("Skipping a hook provider that failed to load: {}", e.toString());
      }
    }
    return found;
  }

  Hook[] at(HookPoint point) {
    return byPoint.get(point);
  }

  /** The hooks of {@link HookPoint#REQUEST} and {@link HookPoint#REQUEST_ASYNC}, in order. */
  Hook[] requestHooks() {
    return requestHooks;
  }

  /** Whether {@code hook} is called at {@code point} (legacy: every hook at every point). */
  boolean calls(Hook hook, HookPoint point) {
    if (legacy) {
      return true;
    }
    for (Hook h : byPoint.get(point)) {
      if (h == hook) {
        return true;
      }
    }
    return false;
  }

  /** The event hooks by event name (legacy: every event hook for every name). */
  EventRoutes events() {
    return events;
  }

  boolean has(HookPoint point) {
    return legacy || byPoint.get(point).length > 0;
  }

  boolean isEmpty() {
    return hooks.isEmpty();
  }

  List<Hook> hooks() {
    return hooks;
  }

  /**
   * {@code usage-log[COMPLETE], model-alias[REQUEST, EVENT], my-auth[REQUEST] reads credentials},
   * for the start-up line.
   */
  @Override
  public String toString() {
    if (legacy) {
      return "LEGACY PIPELINE (benchmark baseline: every stage, every hook, every point) "
          + hooks.stream().map(names::get).toList();
    }
    if (hooks.isEmpty()) {
      return "none (pure byte relay)";
    }
    StringJoiner j = new StringJoiner(", ");
    StringJoiner events = new StringJoiner("; ", " (events: ", ")").setEmptyValue("");
    for (Hook h : hooks) {
      Set<HookPoint> points = HookPoint.of(h);
      j.add(names.get(h) + points + (readsCredentials(h) ? " reads credentials" : ""));
      if (points.contains(HookPoint.EVENT)) {
        String names = EventRoutes.describe(h);
        if (!names.isEmpty()) {
          events.add(this.names.get(h) + " " + names);
        }
      }
    }
    return j.toString() + events;
  }
}
