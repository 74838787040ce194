package dev.sluice.failover;

/**
 * Which entries and keys are cooling down: the one seam between the attempt loop and where that
 * state lives. The built-in {@link MemoryHealth} is per filter instance and in memory; a store
 * shared by several instances (a cache, a database) would implement this. Times are wall-clock
 * milliseconds so that they mean the same on every instance.
 *
 * <p>Called from transport and timer threads, concurrently; implementations are thread-safe and
 * never block for long (they run on I/O threads).
 */
interface Health {

  /**
   * Until when (epoch ms) the pair may not be tried: the later of the entry's and the key's
   * cool-downs; at or before now when it is open. {@code key} -1 asks for the entry's own.
   */
  long closedUntil(int entry, int key);

  /**
   * Records a failure and returns how many came in a row (1 for the first), for the cool-down's
   * backoff. {@code key} is -1 for the entry as a whole.
   */
  int failed(int entry, int key);

  /** Cools the entry down ({@code key} -1) or one of its keys until {@code untilMillis}. */
  void coolDown(int entry, int key, long untilMillis);

  /** A response that went to the client: the pair's failure counts start over. */
  void succeeded(int entry, int key);
}
