package dev.sluice.hook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * One event on its way to the client, as {@link Hook#onEvent} sees it. Doing nothing passes the
 * event's original bytes through. Not thread-safe; valid during the call only.
 */
public interface EventContext {
  /** The event as it stands: upstream's, or the replacement an earlier hook made. */
  StreamEvent event();

  /** The requested model, or "". */
  String model();

  Map<String, Object> attributes();

  /** Replaces the event; {@code data} must be one line of JSON. */
  void replace(String name, String data);

  /** Replaces the event's data, keeping its name; the tree is serialized once. */
  void replace(ObjectNode json);

  /** Drops the event. */
  void drop();

  /** Inserts an event before this one; inserted events are not shown to other hooks. */
  void insertBefore(String name, String data);

  /** Inserts an event after this one; inserted events are not shown to other hooks. */
  void insertAfter(String name, String data);
}
