package dev.cascade.internal.event;

import dev.cascade.internal.support.Lifecycle;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that run asynchronous listeners. Events go to lanes by a hash of their key, and a
 * lane runs its events one after another, in order, so a listener sees one key's events in the
 * order they happened. A lane is a mailbox, not a thread: it is handed to a small pool only when it
 * has work and is not already running, so a busy lane drains many events per hand-over instead of
 * waking a thread per event. Listener code never runs on a Lettuce I/O thread. One instance per
 * CacheManager.
 */
public final class EventLanes implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EventLanes.class);

  /** Events one hand-over runs at most, so one busy lane cannot starve the others. */
  private static final int BURST = 256;

  private final Lane[] lanes;
  private final ExecutorService pool;

  private final class Lane implements Runnable {
    final Queue<Runnable> events = new ConcurrentLinkedQueue<>();
    final AtomicBoolean scheduled = new AtomicBoolean();

    void add(Runnable event) {
      events.add(event);
      if (scheduled.compareAndSet(false, true)) {
        try {
          pool.execute(this);
        } catch (RejectedExecutionException e) {
          // the CacheManager is closing: its listeners are closed too
          events.clear();
        }
      }
    }

    @Override
    public void run() {
      for (int n = 0; n < BURST; n++) {
        Runnable event = events.poll();
        if (event == null) {
          break;
        }
        try {
          event.run();
        } catch (RuntimeException | Error e) {
          LOG.warn("An asynchronous cache entry listener failed", e);
        }
      }
      scheduled.set(false);
      // an event added after the last poll but before the flag was cleared must not be stranded
      if (!events.isEmpty() && scheduled.compareAndSet(false, true)) {
        try {
          pool.execute(this);
        } catch (RejectedExecutionException e) {
          events.clear();
        }
      }
    }
  }

  public EventLanes(String owner, int count) {
    this.pool =
        Executors.newFixedThreadPool(
            Math.max(1, Math.min(count, 2)), Lifecycle.daemonThreads("cascade-events-" + owner));
    this.lanes = new Lane[count];
    for (int i = 0; i < count; i++) {
      lanes[i] = new Lane();
    }
  }

  /** Runs {@code task} after every task submitted earlier with the same lane hash. */
  public void submit(int laneHash, Runnable task) {
    lanes[(laneHash & 0x7fffffff) % lanes.length].add(task);
  }

  @Override
  public void close() {
    pool.shutdown();
    try {
      if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pool.shutdownNow();
    }
  }
}
