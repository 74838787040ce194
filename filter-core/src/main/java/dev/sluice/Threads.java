package dev.sluice;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The filter's own threads: daemon, named, bounded. */
final class Threads {
  /** Records waiting for completion hooks; past this, records are dropped with a warning. */
  static final int COMPLETION_QUEUE = 10_000;

  private Threads() {}

  static ScheduledExecutorService timer() {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r,
        "sluice-timer"));
    timer.setRemoveOnCancelPolicy(true); // cancelled timeouts must not pile up in the queue
    return timer;
  }

  /** One thread, so completion hooks see exchanges in the order they ended. */
  static ExecutorService completions() {
    return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(COMPLETION_QUEUE), r -> daemon(r, "sluice-complete"),
        new ThreadPoolExecutor.AbortPolicy());
  }

  /** Waits up to {@code max} for {@code executor}'s threads to end (after a shutdown). */
  static void await(ExecutorService executor, java.time.Duration max) {
    try {
      executor.awaitTermination(max.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
