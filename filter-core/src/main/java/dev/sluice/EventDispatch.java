package dev.sluice;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.hook.EventContext;
import dev.sluice.hook.Hook;
import dev.sluice.hook.HookPoint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the event hooks over one event at a time and says what to send instead. An event no hook
 * changed goes out as its original bytes. Each event is shown only to the hooks that asked for
 * its name ({@link EventRoutes}).
 */
final class EventDispatch implements EventContext {
  /** One event to send: its name and data (for the record) and its exact bytes. */
  record Out(String name, String data, byte[] bytes) {}

  private final EventRoutes routes;
  private String lastName;
  private Hook[] lastRoute;
  private final String model;
  private final Map<String, Object> attributes;
  private final boolean parseEvery;
  private EventView current;
  private byte[] currentBytes;
  private boolean dropped;
  private final List<Out> before = new ArrayList<>();
  private final List<Out> after = new ArrayList<>();

  EventDispatch(EventRoutes routes, String model, Map<String, Object> attributes,
      boolean parseEvery) {
    this.routes = routes;
    this.model = model;
    this.attributes = attributes;
    this.parseEvery = parseEvery;
  }

  /** Whether some hook wants events named {@code name}; if not, they need no dispatch at all. */
  boolean wants(String name) {
    return route(name).length > 0;
  }

  /** Runs of one name are the norm, and the parser hands out one String per name. */
  private Hook[] route(String name) {
    if (name != lastName) {
      lastRoute = routes.forName(name);
      lastName = name;
    }
    return lastRoute;
  }

  /**
   * Runs the hooks that want this event; appends what to send to {@code out}. Returns true when
   * the event goes out exactly as it came (nothing changed, dropped or inserted), appended as the
   * only {@link Out} with {@code bytes}.
   */
  boolean dispatch(String name, String data, byte[] bytes, List<Out> out) {
    Hook[] hooks = route(name);
    current = new EventView(name, data);
    if (parseEvery) {
      current.json(); // the legacy baseline builds a tree for every event
    }
    currentBytes = bytes;
    dropped = false;
    before.clear();
    after.clear();
    for (Hook hook : hooks) {
      EventView view = current;
      byte[] viewBytes = currentBytes;
      int b = before.size();
      int a = after.size();
      try {
        hook.onEvent(this);
      } catch (Throwable t) {
        Guard.propagateIfFatal(t);
        Guard.logFailure(hook, HookPoint.EVENT, t);
        current = view; // continue with the event as it was before this hook
        currentBytes = viewBytes;
        dropped = false;
        before.subList(b, before.size()).clear();
        after.subList(a, after.size()).clear();
      }
      if (dropped) {
        break;
      }
    }
    out.addAll(before);
    if (!dropped) {
      out.add(new Out(current.name(), current.data(), currentBytes));
    }
    out.addAll(after);
    return !dropped && currentBytes == bytes && before.isEmpty() && after.isEmpty();
  }

  static byte[] encode(String name, String data) {
    if (data.indexOf('\n') >= 0 || data.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("event data must be one line");
    }
    return ("event: " + name + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public EventView event() {
    return current;
  }

  @Override
  public String model() {
    return model;
  }

  @Override
  public Map<String, Object> attributes() {
    return attributes;
  }

  @Override
  public void replace(String name, String data) {
    currentBytes = encode(name, data);
    current = new EventView(name, data);
  }

  @Override
  public void replace(ObjectNode json) {
    replace(current.name(), Json.string(json));
  }

  @Override
  public void drop() {
    dropped = true;
  }

  @Override
  public void insertBefore(String name, String data) {
    before.add(new Out(name, data, encode(name, data)));
  }

  @Override
  public void insertAfter(String name, String data) {
    after.add(new Out(name, data, encode(name, data)));
  }
}
