package dev.cascade.internal.engine;

import dev.cascade.internal.support.WarningWindow;
import java.time.Duration;
import java.util.Arrays;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes listeners hear one key's events in the order Redis made the changes (JSR-107 8.3: "events
 * for the same key must be processed in the order in which they occurred"), synchronous and
 * asynchronous listeners alike.
 *
 * <p><b>Why a lock.</b> An event is handed to its listeners by the thread whose operation made the
 * change, after Redis answered. Two threads that change one key at once get their answers in
 * Redis's order, but may hand their events over in either order, and a listener then hears "updated
 * 1→2" before "created 1" ({@code EventOrderTest}). So while the cache has listeners in this JVM,
 * an operation holds the lock of its key's stripe (by the encoded key, as the event lanes are
 * chosen) from before its Redis call until its events are handed over: changes of one key made in
 * this JVM go one at a time, in Redis's order. Keys of other stripes are not held up; a bulk
 * operation takes its keys' stripes in ascending order.
 *
 * <p><b>No wait without end, no cycle.</b> An operation run inside another on the same thread (a
 * synchronous listener, a loader or a writer that uses a cache, of this cache or another, listened
 * or not) takes no stripe: it is ordered by the operation around it, and a stripe taken there could
 * wait for a thread that waits for this one (a read-through load that another thread joined). Work
 * handed to other threads (a {@code loadAll}, a listener's executor) is not nested and can still
 * wait for a stripe this thread holds; so nobody waits for a stripe longer than {@code maxWait}:
 * after that the operation goes on without it, unordered, and a WARNING says so (at most one a
 * minute).
 *
 * <p>Changes made in other JVMs reach listeners through pub/sub, on another connection: their order
 * against this JVM's changes is not kept by this (docs/design.md, Known gaps). Costs a thread-local
 * counter while the cache has no listener here; the stripes are made at the first operation that
 * needs them. Thread-safe.
 */
final class KeyOrder {

  private static final Logger LOG = LoggerFactory.getLogger(KeyOrder.class);

  /** Enough that 16 threads on random keys rarely share one (about 1.5% of operations). */
  static final int STRIPES = 1024;

  private static final long WARNING_PERIOD_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** Operations this thread is inside of, over all caches. */
  private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

  private final String cacheName;
  private final BooleanSupplier listened;
  private final long maxWaitNanos;
  private final WarningWindow warnings = new WarningWindow(WARNING_PERIOD_NANOS, System::nanoTime);
  private volatile ReentrantLock[] stripes;

  /**
   * @param listened whether the cache has listeners in this JVM now
   * @param maxWait how long an operation waits for a stripe at most
   */
  KeyOrder(String cacheName, BooleanSupplier listened, Duration maxWait) {
    this.cacheName = cacheName;
    this.listened = listened;
    this.maxWaitNanos = maxWait.toNanos();
  }

  /** Runs an operation that changes the entry of {@code encodedKey} (or may: a load, a reap). */
  <R> R one(byte[] encodedKey, Supplier<R> operation) {
    int[] depth = DEPTH.get();
    if (depth[0] > 0) {
      return operation.get();
    }
    depth[0]++;
    ReentrantLock lock = listened.getAsBoolean() ? stripes()[stripeOf(encodedKey)] : null;
    boolean held = lock != null && acquire(lock, System.nanoTime() + maxWaitNanos);
    try {
      return operation.get();
    } finally {
      if (held) {
        lock.unlock();
      }
      depth[0]--;
    }
  }

  /**
   * Runs an operation that changes the entries of several keys, holding their stripes in ascending
   * order. {@code encodedKeys} is asked only while the cache has listeners here.
   */
  <R> R all(Supplier<? extends Iterable<byte[]>> encodedKeys, Supplier<R> operation) {
    int[] depth = DEPTH.get();
    if (depth[0] > 0) {
      return operation.get();
    }
    depth[0]++;
    ReentrantLock[] locks = null;
    int[] held = null;
    int count = 0;
    try {
      TreeSet<Integer> wanted = new TreeSet<>();
      if (listened.getAsBoolean()) {
        for (byte[] k : encodedKeys.get()) {
          wanted.add(stripeOf(k));
        }
      }
      locks = wanted.isEmpty() ? null : stripes();
      held = new int[wanted.size()];
      long deadline = System.nanoTime() + maxWaitNanos;
      for (int s : wanted) {
        if (!acquire(locks[s], deadline)) {
          break; // goes on unordered (warned): holding on would only make others wait longer
        }
        held[count++] = s;
      }
      return operation.get();
    } finally {
      for (int i = 0; i < count; i++) {
        locks[held[i]].unlock();
      }
      depth[0]--;
    }
  }

  void all(Supplier<? extends Iterable<byte[]>> encodedKeys, Runnable operation) {
    all(
        encodedKeys,
        () -> {
          operation.run();
          return null;
        });
  }

  private boolean acquire(ReentrantLock lock, long deadline) {
    try {
      if (lock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        return true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the operation runs (unordered) and sees the interrupt
      return false;
    }
    warnUnordered();
    return false;
  }

  private void warnUnordered() {
    long more = warnings.admit();
    if (more < 0) {
      return;
    }
    LOG.warn(
        "A change of cache '"
            + cacheName
            + "' waited "
            + TimeUnit.NANOSECONDS.toMillis(maxWaitNanos)
            + " ms (the command timeout) for another change of a key on the same stripe and went"
            + " on without it: listeners may hear this key's events out of order"
            + (more > 0 ? " (and " + more + " more since the last warning)" : "")
            + ". Something holds a change of this cache for long: a writer or loader that hangs,"
            + " a listener that waits for work it handed to another thread, or a Redis that does"
            + " not answer. At most one such warning a minute.");
  }

  /** The stripe of a key, from its encoded bytes as its event lane is (CacheCore.collect). */
  private static int stripeOf(byte[] encodedKey) {
    int h = Arrays.hashCode(encodedKey);
    return ((h ^ (h >>> 16)) & 0x7fffffff) % STRIPES;
  }

  private ReentrantLock[] stripes() {
    ReentrantLock[] s = stripes;
    if (s == null) {
      synchronized (this) {
        s = stripes;
        if (s == null) {
          s = new ReentrantLock[STRIPES];
          for (int i = 0; i < STRIPES; i++) {
            s[i] = new ReentrantLock();
          }
          stripes = s;
        }
      }
    }
    return s;
  }
}
