package dev.sluice.failover;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/** {@link Health} in this filter's memory: a cool-down time and a failure count per slot. */
final class MemoryHealth implements Health {
  private final int[] firstSlot; // entry i's slots: firstSlot[i] (the entry), then one per key
  private final AtomicLongArray until;
  private final AtomicIntegerArray failures;

  /** {@code keys[i]}: how many keys entry {@code i} has (at least 1). */
  MemoryHealth(int[] keys) {
    firstSlot = new int[keys.length];
    int n = 0;
    for (int i = 0; i < keys.length; i++) {
      firstSlot[i] = n;
      n += 1 + keys[i];
    }
    until = new AtomicLongArray(n);
    failures = new AtomicIntegerArray(n);
  }

  private int slot(int entry, int key) {
    return firstSlot[entry] + 1 + key; // key -1: the entry's own slot
  }

  @Override
  public long closedUntil(int entry, int key) {
    return Math.max(until.get(slot(entry, -1)), until.get(slot(entry, key)));
  }

  @Override
  public int failed(int entry, int key) {
    return failures.incrementAndGet(slot(entry, key));
  }

  @Override
  public void coolDown(int entry, int key, long untilMillis) {
    until.accumulateAndGet(slot(entry, key), untilMillis, Math::max);
  }

  @Override
  public void succeeded(int entry, int key) {
    failures.set(slot(entry, -1), 0);
    failures.set(slot(entry, key), 0);
  }
}
