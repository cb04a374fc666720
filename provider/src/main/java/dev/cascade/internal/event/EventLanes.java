package dev.cascade.internal.event;

import dev.cascade.internal.support.Lifecycle;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that run asynchronous listeners. Events go to lanes by a hash of their key, and a
 * lane runs its events one after another, in order, so a listener sees one key's events in the
 * order they happened. A lane is a mailbox, not a thread: it joins the ready queue only when it has
 * work and is not already there or running, so a busy lane drains many events per hand-over.
 * Listener code never runs on a Lettuce I/O thread. One instance per CacheManager.
 *
 * <p><b>Why the workers nap.</b> Waking a parked thread for each event cost more than anything else
 * an asynchronous listener adds to a put (a futex wake on the caller's thread, a context switch on
 * the worker's, for every event: on two cores, a third of put throughput at 16 threads). So a
 * caller never wakes a worker while another worker is awake: a worker that runs out of work naps
 * ({@link #NAP_NANOS}) and looks again, and only after {@link #NAPS_BEFORE_SLEEP} empty looks, or
 * when another worker is already napping, it sleeps until a caller wakes it. While events keep
 * coming, one worker picks up every event that arrived during its nap in one wake-up; an event
 * waits at most about one nap for a worker that is napping, and is taken at once by a sleeping one.
 */
public final class EventLanes implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EventLanes.class);

  /** Events one hand-over runs at most, so one busy lane cannot starve the others. */
  private static final int BURST = 256;

  /** How long an idle worker waits before it looks for work again (Linux adds ~50 µs). */
  static final long NAP_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

  /** Empty looks after which an idle worker sleeps until woken (about 10 ms of naps). */
  private static final int NAPS_BEFORE_SLEEP = 50;

  private static final int RUNNING = 0;
  private static final int NAPPING = 1;
  private static final int SLEEPING = 2;

  private final Lane[] lanes;
  private final Queue<Lane> ready = new ConcurrentLinkedQueue<>();
  private final Worker[] workers;
  private volatile boolean closed;

  private final class Lane {
    final Queue<Runnable> events = new ConcurrentLinkedQueue<>();
    final AtomicBoolean scheduled = new AtomicBoolean();

    void add(Runnable event) {
      if (closed) {
        return; // the CacheManager is closing: its listeners are closed too
      }
      events.add(event);
      if (scheduled.compareAndSet(false, true)) {
        ready.add(this);
        wakeIfAllAsleep();
      }
    }

    void run() {
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
      // an event added after the last poll but before the flag was cleared must not be stranded;
      // the worker running this lane looks at the ready queue next, so nobody needs waking
      if (!events.isEmpty() && scheduled.compareAndSet(false, true)) {
        ready.add(this);
      }
    }
  }

  private final class Worker implements Runnable {
    final AtomicInteger state = new AtomicInteger(RUNNING);
    volatile Thread thread;

    @Override
    public void run() {
      thread = Thread.currentThread();
      int emptyLooks = 0;
      while (true) {
        Lane lane = ready.poll();
        if (lane != null) {
          state.set(RUNNING);
          emptyLooks = 0;
          lane.run();
          continue;
        }
        if (closed) {
          return; // what was submitted before the close has run
        }
        if (emptyLooks < NAPS_BEFORE_SLEEP && !anotherNapping(this)) {
          emptyLooks++;
          state.set(NAPPING);
          LockSupport.parkNanos(this, NAP_NANOS);
          continue;
        }
        state.set(SLEEPING);
        // a caller adds its lane before it reads the states: either it sees SLEEPING and wakes
        // this worker, or this look sees its lane
        if (!ready.isEmpty() || closed) {
          state.compareAndSet(SLEEPING, RUNNING);
          continue;
        }
        while (state.get() == SLEEPING && !closed) {
          LockSupport.park(this);
        }
        emptyLooks = 0;
      }
    }
  }

  public EventLanes(String owner, int count) {
    this.lanes = new Lane[count];
    for (int i = 0; i < count; i++) {
      lanes[i] = new Lane();
    }
    ThreadFactory threads = Lifecycle.daemonThreads("cascade-events-" + owner);
    this.workers = new Worker[Math.max(1, Math.min(count, 2))];
    for (int i = 0; i < workers.length; i++) {
      workers[i] = new Worker();
      workers[i].thread = threads.newThread(workers[i]);
    }
    // only once every worker exists: a started worker looks at the others
    for (Worker w : workers) {
      w.thread.start();
    }
  }

  /** Runs {@code task} after every task submitted earlier with the same lane hash. */
  public void submit(int laneHash, Runnable task) {
    lanes[(laneHash & 0x7fffffff) % lanes.length].add(task);
  }

  private boolean anotherNapping(Worker self) {
    for (Worker w : workers) {
      if (w != self && w.state.get() == NAPPING) {
        return true;
      }
    }
    return false;
  }

  /**
   * After a lane joined the ready queue: wakes a sleeping worker unless one is napping (it looks
   * again within a nap). A running worker does not count: it may be stuck in a slow listener.
   */
  private void wakeIfAllAsleep() {
    for (Worker w : workers) {
      if (w.state.get() == NAPPING) {
        return;
      }
    }
    for (Worker w : workers) {
      if (w.state.get() == SLEEPING && w.state.compareAndSet(SLEEPING, RUNNING)) {
        LockSupport.unpark(w.thread);
        return;
      }
    }
  }

  /** Lets what was submitted run (up to 5 s), then stops the workers. */
  @Override
  public void close() {
    closed = true;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    for (Worker w : workers) {
      w.state.set(RUNNING);
      LockSupport.unpark(w.thread);
    }
    try {
      for (Worker w : workers) {
        long left = deadline - System.nanoTime();
        if (left > 0) {
          w.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
        if (w.thread.isAlive()) {
          w.thread.interrupt();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      for (Worker w : workers) {
        w.thread.interrupt();
      }
    }
  }
}
