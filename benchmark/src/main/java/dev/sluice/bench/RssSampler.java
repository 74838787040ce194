package dev.sluice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Samples the resident set size of one process tree at a fixed period on a daemon thread, so that
 * a run can report its peak (and, for the long scenario, the curve) rather than one end value.
 * One window at a time: {@link #begin} resets, {@link #end} returns what was seen since.
 */
final class RssSampler implements AutoCloseable {
  /** One sample: milliseconds since the window began, and KiB resident. */
  record Point(long ms, long kb) {}

  /** What one window saw. {@code startKb} is sampled at {@link #begin}, {@code endKb} at end. */
  record Window(long startKb, long peakKb, long endKb, List<Point> points) {}

  private final Supplier<List<Long>> pids;
  private final long periodMs;
  private final Thread thread;
  private volatile boolean running = true;
  private long windowStart;
  private long startKb;
  private long peakKb;
  private List<Point> points = new ArrayList<>();

  RssSampler(Supplier<List<Long>> pids, long periodMs) {
    this.pids = pids;
    this.periodMs = periodMs;
    this.thread = new Thread(this::loop, "rss-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  synchronized void begin() {
    windowStart = System.nanoTime();
    startKb = Procs.rssKb(pids.get());
    peakKb = startKb;
    points = new ArrayList<>();
    points.add(new Point(0, startKb));
  }

  synchronized Window end() {
    long kb = Procs.rssKb(pids.get());
    sample(kb);
    return new Window(startKb, peakKb, kb, List.copyOf(points));
  }

  private synchronized void sample(long kb) {
    peakKb = Math.max(peakKb, kb);
    if (points.size() < 20_000) {
      points.add(new Point((System.nanoTime() - windowStart) / 1_000_000, kb));
    }
  }

  private void loop() {
    while (running) {
      try {
        Thread.sleep(periodMs);
      } catch (InterruptedException e) {
        return;
      }
      sample(Procs.rssKb(pids.get()));
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
