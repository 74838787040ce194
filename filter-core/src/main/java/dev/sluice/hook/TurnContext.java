package dev.sluice.hook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** An assembled assistant turn, as {@link Hook#onTurn} sees it. */
public interface TurnContext {
  /** The request body this turn answered (after request hooks). Read-only. */
  ObjectNode request();

  /** The assistant message of this turn, assembled from the stream. Read-only. */
  ObjectNode message();

  /** 0 for upstream's first answer, then 1, 2, … for follow-ups. */
  int round();

  Map<String, Object> attributes();
}
