/**
 * Where SSE bytes get split into events: {@link dev.sluice.sse.SseParser} reads a relayed stream
 * incrementally and hands out {@link dev.sluice.sse.SseFrame}s that keep the exact bytes received.
 * The relay itself never needs this package; only hooks that ask for events do.
 */
package dev.sluice.sse;
