/**
 * The end-of-stream message builder: {@link dev.sluice.assemble.MessageAssembler} turns the events
 * of a streamed {@code /v1/messages} response into the {@link dev.sluice.assemble.AssembledMessage}
 * a non-streaming call would have returned, for hooks that log, bill or inspect a whole turn.
 */
package dev.sluice.assemble;
