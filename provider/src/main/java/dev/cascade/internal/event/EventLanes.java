package dev.cascade.internal.event;

import dev.cascade.internal.support.Lifecycle;
import dev.cascade.internal.support.WarningWindow;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
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
 *
 * <p><b>Why the queue is bounded, and how.</b> A listener that blocks or cannot keep up would
 * otherwise let its events fill the heap. At most {@code capacity} events wait (all lanes
 * together); when that many wait:
 *
 * <ul>
 *   <li>a change made in this JVM ({@link #submit}) waits for room, so a slow listener slows the
 *       writers instead of losing their events; but at most {@code maxWait} (a listener waiting for
 *       a lock the writer holds would otherwise stop both for good), and never on a listener's own
 *       thread (a listener that writes to a cache would wait for itself). An event that finds no
 *       room then is dropped with a WARNING, and until the listeners have worked the queue down to
 *       half, changes do not wait at all: one stuck listener costs the writers one wait, not one
 *       per event, and the heap stays bounded;
 *   <li>a change made in another JVM ({@link #offer}) is refused once the queue is half full: it
 *       arrives on the pub/sub I/O thread, which must not wait (it carries every cache's
 *       announcements), and its caller drops it with a WARNING; Redis drops what a slow subscriber
 *       does not read too, only later and with every channel. Half, so that other JVMs' changes, or
 *       forged ones, never make this JVM's writers wait.
 * </ul>
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

  /** Period of the WARNING about dropped events. */
  private static final long DROP_WARNING_PERIOD_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final String owner;
  private final Lane[] lanes;
  private final Queue<Lane> ready = new ConcurrentLinkedQueue<>();
  private final Worker[] workers;
  private volatile boolean closed;

  private final int capacity;
  private final long maxWaitNanos;

  /**
   * Events waiting or running. A LongAdder, not an AtomicInteger: every caller adds to it and every
   * worker takes from it, and on one contended cache line that cost a listened put at 16 threads
   * more than the rest of the bound; reading the sum is cheap beside it.
   */
  private final LongAdder queued = new LongAdder();

  private final AtomicInteger waiting = new AtomicInteger();
  private final Object room = new Object();
  private final WarningWindow dropWarnings =
      new WarningWindow(DROP_WARNING_PERIOD_NANOS, System::nanoTime);

  /** A wait for room ran out: nobody waits until the queue is down to half (see awaitRoom). */
  private volatile boolean overflowing;

  private final class Lane {
    final Queue<Runnable> events = new ConcurrentLinkedQueue<>();
    final AtomicBoolean scheduled = new AtomicBoolean();

    void add(Runnable event) {
      if (closed) {
        return; // the CacheManager is closing: its listeners are closed too
      }
      queued.increment();
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
        } catch (Throwable e) {
          // Throwable: a checked exception thrown undeclared (Kotlin, Lombok's @SneakyThrows) must
          // not end the worker and leave this lane scheduled, and its events counted, for good
          LOG.warn("An asynchronous cache entry listener failed", e);
        } finally {
          tookOne();
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
          // A caller that saw this worker napping woke nobody, counting on it to look; but it may
          // have taken another lane and block there in a listener. Work left behind it gets a
          // worker of its own now, or it would wait for that listener (EventLanesTest).
          if (!ready.isEmpty()) {
            wakeIfAllAsleep();
          }
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

  /**
   * @param owner names the threads (and the manager in warnings)
   * @param count lanes: events of keys whose hashes share a lane run one after another
   * @param threads the workers (at most {@code count}): as many listeners may block at once before
   *     every other event waits
   * @param capacity events that may wait, all lanes together (see the class comment)
   * @param maxWait how long a change made in this JVM waits for room at most
   */
  public EventLanes(String owner, int count, int threads, int capacity, Duration maxWait) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
    }
    this.owner = owner;
    this.capacity = capacity;
    this.maxWaitNanos = maxWait.toNanos();
    this.lanes = new Lane[count];
    for (int i = 0; i < count; i++) {
      lanes[i] = new Lane();
    }
    ThreadFactory factory = Lifecycle.daemonThreads("cascade-events-" + owner);
    this.workers = new Worker[Math.max(1, Math.min(count, threads))];
    for (int i = 0; i < workers.length; i++) {
      workers[i] = new Worker();
      workers[i].thread = factory.newThread(workers[i]);
    }
    // only once every worker exists: a started worker looks at the others
    for (Worker w : workers) {
      w.thread.start();
    }
  }

  /**
   * Runs {@code task} after every task submitted earlier with the same lane hash. When the queue is
   * full, waits for room first, at most {@code maxWait}; a task that finds no room then (or that is
   * submitted from a worker's own thread, or while the queue is still overflowing, or by an
   * interrupted thread) is dropped with a WARNING.
   *
   * @param cacheName the cache whose change this is, for the warning
   * @return false when the task was dropped
   */
  public boolean submit(int laneHash, Runnable task, String cacheName) {
    if (queued.sum() >= capacity && !awaitRoom()) {
      dropped(cacheName);
      return false;
    }
    lanes[(laneHash & 0x7fffffff) % lanes.length].add(task);
    return true;
  }

  /**
   * Runs {@code task} after every task submitted earlier with the same lane hash, unless the queue
   * is half full: then returns false and the task never runs. Never waits. Half, so that changes
   * from other JVMs (or a flood of forged ones, from anybody allowed to PUBLISH) can never fill the
   * queue and make this JVM's writers wait or lose their events.
   */
  public boolean offer(int laneHash, Runnable task) {
    if (queued.sum() >= Math.max(1, capacity / 2)) {
      return false;
    }
    lanes[(laneHash & 0x7fffffff) % lanes.length].add(task);
    return true;
  }

  /** Events waiting to run, the running ones included (for tests and operators). */
  public int queued() {
    return (int) queued.sum();
  }

  private void tookOne() {
    queued.decrement();
    if (overflowing && queued.sum() <= capacity / 2) {
      overflowing = false; // the listeners caught up: callers wait for room again
      long more = dropWarnings.takeUnreported();
      if (more > 0) {
        LOG.warn(
            "The asynchronous listeners of CacheManager "
                + owner
                + " caught up; "
                + more
                + " more events were dropped since the last warning (cascade.event-queue = "
                + capacity
                + ").");
      }
    }
    if (waiting.get() > 0) {
      synchronized (room) {
        room.notifyAll();
      }
    }
  }

  /**
   * Waits until the queue has room; false when it has none in time. Waits only once per overflow:
   * after a wait that ran out, nobody waits until the listeners have worked the queue down to half,
   * so an operation that hands over many events (a putAll, several listeners) waits once, not once
   * per event.
   */
  private boolean awaitRoom() {
    if (overflowing || closed || onWorkerThread()) {
      return false; // a worker would wait for itself
    }
    long start = System.nanoTime();
    waiting.incrementAndGet();
    try {
      synchronized (room) {
        while (queued.sum() >= capacity) {
          long left = maxWaitNanos - (System.nanoTime() - start);
          if (left <= 0 || overflowing || closed) {
            overflowing = true;
            return false;
          }
          // in slices: a notification sent between the check and the wait is not waited out
          room.wait(Math.max(1, Math.min(10, TimeUnit.NANOSECONDS.toMillis(left))));
        }
        return true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      waiting.decrementAndGet();
    }
  }

  private void dropped(String cacheName) {
    if (closed) {
      return; // the manager is closing: its listeners are closed too
    }
    long more = dropWarnings.admit();
    if (more < 0) {
      return;
    }
    LOG.warn(
        "Dropped an event of cache '"
            + cacheName
            + "' for the asynchronous listeners of CacheManager "
            + owner
            + ": they have "
            + queued.sum()
            + " events waiting (cascade.event-queue = "
            + capacity
            + "), and a change waits for room at most "
            + TimeUnit.NANOSECONDS.toMillis(maxWaitNanos)
            + " ms, once per overflow, never on a listener's own thread nor when interrupted"
            + (more > 0 ? " (and " + more + " more dropped since the last warning)" : "")
            + ". A listener is blocked or slower than the writers; until they have worked the"
            + " queue down to half, changes do not wait and their events are dropped. At most one"
            + " such warning a minute, and one when the listeners catch up.");
  }

  private boolean onWorkerThread() {
    Thread current = Thread.currentThread();
    for (Worker w : workers) {
      if (w.thread == current) {
        return true;
      }
    }
    return false;
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
    synchronized (room) {
      room.notifyAll(); // callers waiting for room stop waiting; their events are dropped
    }
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
