package dev.cascade.internal.engine;

import dev.cascade.internal.store.Outcome;
import dev.cascade.writebehind.Overflow;
import dev.cascade.writebehind.WriteBehindSettings;
import java.util.function.Supplier;
import javax.cache.integration.CacheWriterException;

/**
 * What a change of a write-behind cache does when its partition's queue is full: wait for room,
 * fail, or write through (see {@link Overflow}). A JVM that joined the cache without its writer
 * cannot write through, so it waits.
 */
final class QueueOverflow {

  private final Overflow policy;
  private final long timeoutMillis;
  private final String cacheName;

  QueueOverflow(WriteBehindSettings settings, String cacheName) {
    this.policy = settings == null ? Overflow.BLOCK : settings.overflow();
    this.timeoutMillis =
        (settings == null
                ? WriteBehindSettings.DEFAULT_OVERFLOW_TIMEOUT
                : settings.overflowTimeout())
            .toMillis();
    this.cacheName = cacheName;
  }

  boolean writesThrough() {
    return policy == Overflow.WRITE_THROUGH;
  }

  /**
   * Settles a change that met a full queue.
   *
   * @param retry applies the change again, as before
   * @param writeThrough applies it with a synchronous writer call and beyond the bound, or null
   *     when this JVM has no writer
   */
  Outcome settle(Supplier<Outcome> retry, Supplier<Outcome> writeThrough) {
    if (policy == Overflow.FAIL) {
      throw full("");
    }
    if (policy == Overflow.WRITE_THROUGH && writeThrough != null) {
      return writeThrough.get();
    }
    long deadline = System.currentTimeMillis() + timeoutMillis;
    long pause = 1;
    while (true) {
      sleep(pause);
      Outcome o = retry.get();
      if (o.status() != Outcome.Status.QUEUE_FULL) {
        return o;
      }
      if (System.currentTimeMillis() > deadline) {
        throw full(" after waiting " + timeoutMillis + " ms for room");
      }
      pause = Math.min(pause * 2, 50);
    }
  }

  private CacheWriterException full(String waited) {
    return new CacheWriterException(
        "The write-behind queue of cache '"
            + cacheName
            + "' is full"
            + waited
            + ": the flushers are behind or the writer is failing (see the WriteBehind MXBean's LastError)."
            + " The change was not made.");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheWriterException(
          "Interrupted while waiting for room in a write-behind queue", e);
    }
  }
}
