package dev.sluice.hook;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One assistant turn of an exchange that made follow-up requests ({@link Hook#onTurn}), for
 * {@link ExchangeRecord#turns()}: round 0 is upstream's first answer, then one per follow-up.
 * Times are in nanoseconds after {@link Timings#start()}, like the exchange's.
 *
 * @param startNanos when the turn's request was sent (0 for round 0: the exchange's start)
 * @param endNanos when upstream ended the turn's stream
 * @param message the turn's assistant message as upstream sent it ({@code id}, {@code model},
 *     {@code stop_reason}, {@code content}); read-only
 * @param usage the turn's own usage; read-only
 */
public record TurnRecord(int round, long startNanos, long endNanos, ObjectNode message,
    ObjectNode usage) {}
