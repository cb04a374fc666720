package dev.cascade.internal.engine;

import java.util.Arrays;
import java.util.Collection;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Makes listeners hear one key's events in the order Redis made the changes (JSR-107 8.3: "events
 * for the same key must be processed in the order in which they occurred"), synchronous and
 * asynchronous listeners alike.
 *
 * <p><b>Why a lock.</b> An event is handed to its listeners by the thread whose operation made the
 * change, after Redis answered. Two threads that change one key at once get their answers in
 * Redis's order, but may hand their events over in either order, and a listener then hears "updated
 * 1→2" before "created 1" ({@code EventOrderTest}). So while the cache has listeners in this JVM,
 * an operation holds the lock of its key's stripe from before its Redis call until its events are
 * handed over: changes of one key made in this JVM go one at a time, in Redis's order. Keys of
 * other stripes are not held up; a bulk operation takes its keys' stripes in ascending order.
 *
 * <p><b>Nested operations take no lock.</b> An operation run inside another on the same thread (a
 * synchronous listener, a loader or a writer that uses a cache) is ordered by the one around it; a
 * lock taken there could wait for a thread that waits for this one. Changes made in other JVMs
 * reach listeners through pub/sub, on another connection: their order against this JVM's changes is
 * not kept by this (docs/design.md, Known gaps).
 *
 * <p>Costs nothing while the cache has no listener here; the stripes are made at the first
 * operation that needs them. Thread-safe.
 */
final class KeyOrder {

  /** Enough that 16 threads on random keys rarely share one (about 1.5% of operations). */
  static final int STRIPES = 1024;

  /** Ordered operations this thread is inside of, over all caches. */
  private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

  private final BooleanSupplier listened;
  private volatile ReentrantLock[] stripes;

  /**
   * @param listened whether the cache has listeners in this JVM now
   */
  KeyOrder(BooleanSupplier listened) {
    this.listened = listened;
  }

  /** Runs an operation that changes {@code key} (or may: reads that load or reap). */
  <R> R one(Object key, Supplier<R> operation) {
    if (!needed()) {
      return operation.get();
    }
    ReentrantLock lock = stripes()[stripeOf(key)];
    lock.lock();
    try {
      return nested(operation);
    } finally {
      lock.unlock();
    }
  }

  /** Runs an operation that changes {@code keys}, holding their stripes in ascending order. */
  <R> R all(Collection<?> keys, Supplier<R> operation) {
    if (!needed()) {
      return operation.get();
    }
    TreeSet<Integer> held = new TreeSet<>();
    for (Object key : keys) {
      if (key != null) { // the operation refuses it, before it changes anything
        held.add(stripeOf(key));
      }
    }
    ReentrantLock[] locks = stripes();
    int taken = 0;
    try {
      for (int s : held) {
        locks[s].lock();
        taken++;
      }
      return nested(operation);
    } finally {
      for (int s : held) {
        if (taken-- == 0) {
          break;
        }
        locks[s].unlock();
      }
    }
  }

  /** Runs an operation without its own void result. */
  void one(Object key, Runnable operation) {
    one(
        key,
        () -> {
          operation.run();
          return null;
        });
  }

  void all(Collection<?> keys, Runnable operation) {
    all(
        keys,
        () -> {
          operation.run();
          return null;
        });
  }

  private boolean needed() {
    return DEPTH.get()[0] == 0 && listened.getAsBoolean();
  }

  private static <R> R nested(Supplier<R> operation) {
    int[] depth = DEPTH.get();
    depth[0]++;
    try {
      return operation.get();
    } finally {
      depth[0]--;
    }
  }

  private static int stripeOf(Object key) {
    // byte[] keys are equal by content (Cascade encodes them as they are), not by identity
    int h = key instanceof byte[] ? Arrays.hashCode((byte[]) key) : key.hashCode();
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
