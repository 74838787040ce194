package dev.sluice.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What a complete-hook inside a container under test saw, for the test to read.
 *
 * <p>testkit cannot implement Sluice's {@code Hook} (filter-core's tests depend on testkit), so
 * the hook lives in filter-core's test-jar ({@code dev.sluice.testing.RecordingCompleteHook},
 * enabled by the name {@code test-recorder}) and copies each {@code ExchangeRecord} into an
 * {@link Entry} here. The queue is static because ServiceLoader creates the hook inside the web
 * app; the embedded example containers load classes parent-first, so the hook and the test share
 * this class (and Jackson's).
 */
public final class HookRecords {
  /** The name to list in the {@code hooks} setting. */
  public static final String HOOK_NAME = "test-recorder";

  /**
   * One {@code ExchangeRecord}, with the outcome as the name of its {@code Outcome} constant.
   *
   * @param usage the usage seen so far (empty when none)
   * @param message the assembled message (empty when none)
   * @param attempts the record's attempts (failover), in order; empty without failover
   */
  public record Entry(String requestId, String path, int status, String outcome, boolean partial,
      ObjectNode usage, ObjectNode message, List<Attempt> attempts) {

    public Entry {
      attempts = List.copyOf(attempts);
    }

    public Entry(String requestId, String path, int status, String outcome, boolean partial,
        ObjectNode usage, ObjectNode message) {
      this(requestId, path, status, outcome, partial, usage, message, List.of());
    }
  }

  /** One {@code Attempt} of a record, its ending as the name of the constant. */
  public record Attempt(String upstream, String key, int status, String error, String ending) {}

  private static final BlockingQueue<Entry> ENTRIES = new LinkedBlockingQueue<>();

  private HookRecords() {}

  /** Called by the hook, on Sluice's completion thread. */
  public static void add(Entry entry) {
    ENTRIES.add(Objects.requireNonNull(entry, "entry == null"));
  }

  /**
   * The oldest record not yet taken, waiting for one if needed.
   *
   * @throws AssertionError if none arrives within {@code timeout}
   */
  public static Entry take(Duration timeout) throws InterruptedException {
    Entry next = ENTRIES.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (next == null) {
      throw new AssertionError("no exchange record within " + timeout);
    }
    return next;
  }

  /** Removes and returns the records not yet taken, without waiting. */
  public static List<Entry> drain() {
    List<Entry> left = new ArrayList<>();
    ENTRIES.drainTo(left);
    return left;
  }
}
