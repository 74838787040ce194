package dev.sluice.assemble;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The message assembled from a stream so far, shaped like a non-streaming {@code /v1/messages}
 * response. Each {@link MessageAssembler#result()} call returns new trees, so a holder may keep or
 * change them; the record is therefore only as immutable as its caller leaves it.
 *
 * @param message id, type, role, model, content, stop_reason, stop_sequence, usage and whatever
 *     else message_start and message_delta carried (stop_details, container, ...)
 * @param usage message_start's usage overlaid with the message_delta values (a copy of {@code
 *     message.usage})
 * @param complete message_stop was seen; false means {@code message} is partial
 * @param errored an {@code error} event arrived; the message stays partial
 * @param error that event's {@code error} object, or an empty object
 * @param textDeltas how many text deltas were applied
 * @param fastPath the whole stream was assembled on the text fast path
 */
public record AssembledMessage(
    ObjectNode message,
    ObjectNode usage,
    boolean complete,
    boolean errored,
    ObjectNode error,
    long textDeltas,
    boolean fastPath) {}
