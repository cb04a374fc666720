package dev.cascade.samples.demo;

import dev.cascade.writebehind.WriteBehindMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Samples the run every {@value #PERIOD_MILLIS} ms on its own daemon thread: operations, cache
 * writes, rows and statements that reached the database, and the write-behind queue depth (read
 * from Redis). Each sample is handed to a listener (the progress line) and kept for the report.
 *
 * <p>Thread-safe: {@link #samples()} copies under the lock the sampler appends under.
 */
final class Timeline {

  static final long PERIOD_MILLIS = 250;

  /** One observation, all counts cumulative since the run started. */
  record Sample(
      double seconds,
      long operations,
      long priceUpdates,
      long views,
      long priceRows,
      long priceStatements,
      long viewRows,
      long viewStatements,
      long queueDepth,
      long errors,
      boolean loading) {}

  private final long startNanos;
  private final Load load;
  private final CountingWriter.Counts prices;
  private final CountingWriter.Counts views;
  private final WriteBehindMXBean writeBehind;
  private final Consumer<Sample> listener;
  private final List<Sample> samples = new ArrayList<>();
  private volatile boolean loading = true;
  private volatile boolean running = true;
  private Thread thread;

  Timeline(
      long startNanos,
      Load load,
      CountingWriter.Counts prices,
      CountingWriter.Counts views,
      WriteBehindMXBean writeBehind,
      Consumer<Sample> listener) {
    this.startNanos = startNanos;
    this.load = load;
    this.prices = prices;
    this.views = views;
    this.writeBehind = writeBehind;
    this.listener = listener;
  }

  void start() {
    thread = new Thread(this::run, "shop-timeline");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    long next = System.nanoTime();
    while (running) {
      Sample s = sample();
      synchronized (samples) {
        samples.add(s);
      }
      listener.accept(s);
      next += PERIOD_MILLIS * 1_000_000L;
      long sleep = (next - System.nanoTime()) / 1_000_000L;
      if (sleep > 0) {
        try {
          Thread.sleep(sleep);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** Takes one sample now (also used for the last one, after the drain). */
  Sample sample() {
    long depth;
    try {
      depth = writeBehind.getQueueDepth();
    } catch (RuntimeException e) {
      depth =
          -1; // Redis did not answer this time; the chart shows a gap rather than a made-up value
    }
    return new Sample(
        (System.nanoTime() - startNanos) / 1e9,
        load.operations(),
        load.priceUpdates.sum(),
        load.views.sum(),
        prices.rows.sum(),
        prices.statements.sum(),
        views.rows.sum(),
        views.statements.sum(),
        depth,
        load.errors.sum(),
        loading);
  }

  /** Marks later samples as taken after the load stopped (the drain). */
  void loadStopped() {
    loading = false;
  }

  void stop() throws InterruptedException {
    running =
        false; // no interrupt: it could cut a Redis call short; the sampler ends within one period
    thread.join();
  }

  List<Sample> samples() {
    synchronized (samples) {
      return new ArrayList<>(samples);
    }
  }
}
