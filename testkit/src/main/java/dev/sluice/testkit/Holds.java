package dev.sluice.testkit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Named gates for {@code x-mock-hold}. A release is remembered, so a test may release before the
 * request even arrives; {@link #forgetReleased()} clears remembered releases for {@code reset()}.
 */
final class Holds {
  private final ConcurrentMap<String, CompletableFuture<Void>> gates = new ConcurrentHashMap<>();

  CompletableFuture<Void> gate(String name) {
    return gates.computeIfAbsent(name, n -> new CompletableFuture<>());
  }

  void release(String name) {
    gate(name).complete(null);
  }

  void forgetReleased() {
    // A gate still closed may have a waiting stream; dropping it would strand that stream.
    gates.values().removeIf(CompletableFuture::isDone);
  }
}
