package dev.sluice.hook;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A typed view of one SSE event over its original bytes. The cheap accessors ({@link #type()},
 * {@link #index()}, {@link #deltaType()}, {@link #text()}) share one streaming scan of the data,
 * done on first use; {@link #json()} builds the full tree only when asked.
 */
public interface StreamEvent {
  /** The {@code event:} field; "" when the event had none. */
  String name();

  /** The {@code data:} field, lines joined with {@code \n}. */
  String data();

  /** The JSON {@code type}, or "" when the data is not a JSON object with one. */
  String type();

  /** The JSON {@code index}, or -1. */
  int index();

  /** {@code delta.type} (such as {@code text_delta}), or "". */
  String deltaType();

  /** {@code delta.text} of a {@code text_delta}, or "". */
  String text();

  /**
   * The data parsed as a JSON object; an empty object when it is not one. The tree is cached and
   * read-only by contract: to change the event, build a new tree and
   * {@link EventContext#replace(ObjectNode) replace} it.
   */
  ObjectNode json();
}
