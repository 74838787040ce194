package dev.sluice.hook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * Everything known about one exchange once it ended, for {@link Hook#onComplete}.
 *
 * @param requestId upstream's {@code request-id}, or the one Sluice answered with
 * @param path the path from {@code /v1/messages} on
 * @param model the requested model, or ""
 * @param status the status the client received; 0 when it received none
 * @param partial true when {@link #message} is incomplete (cut, cancelled, errored)
 * @param message the assembled message, shaped like a non-streaming response; empty when there is
 *     none (errors, count_tokens)
 * @param usage the merged usage: {@code message_start}'s overlaid with the last
 *     {@code message_delta}'s (and summed over follow-up rounds); empty when unknown
 * @param cost the cost in USD from the pricing table; {@code NaN} when the model has no price
 * @param attributes what hooks attached during the exchange (and {@link #TURNS})
 * @param attempts each try at an upstream entry, in order, when the exchange went through
 *     failover (several entries, a key pool, or retries enabled); empty otherwise
 */
public record ExchangeRecord(String requestId, String path, String model, boolean stream,
    int status, Outcome outcome, boolean partial, ObjectNode message, ObjectNode usage,
    double cost, Timings timings, Map<String, Object> attributes, List<Attempt> attempts) {

  public ExchangeRecord {
    attempts = List.copyOf(attempts);
  }

  /** The record of Sluice 0.1 (before attempts), kept for plugins and tests that build one. */
  public ExchangeRecord(String requestId, String path, String model, boolean stream, int status,
      Outcome outcome, boolean partial, ObjectNode message, ObjectNode usage, double cost,
      Timings timings, Map<String, Object> attributes) {
    this(requestId, path, model, stream, status, outcome, partial, message, usage, cost, timings,
        attributes, List.of());
  }

  /** The attribute under which Sluice keeps {@link #turns()}. */
  public static final String TURNS = "sluice.turns";

  /**
   * The assistant turns, one per upstream round, when follow-ups were made; empty otherwise (one
   * turn: the exchange itself). A turn that did not end (the client left, upstream failed) is not
   * listed.
   */
  @SuppressWarnings("unchecked")
  public List<TurnRecord> turns() {
    Object turns = attributes.get(TURNS);
    return turns instanceof List ? (List<TurnRecord>) turns : List.of();
  }
}
