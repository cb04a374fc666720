package dev.cascade.internal.store;

import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Operation ids of one JVM's (one CacheManager's) conditional changes, and the lowest id still
 * waiting for its reply.
 *
 * <p>Why: Lettuce sends a command again after a reconnect when its reply was lost, and a script
 * that ran before the connection dropped would run twice: an {@code invoke} counted twice, a {@code
 * putIfAbsent} answering false to its own write. {@code mutate.lua} and {@code changes.lua} log
 * each change's reply under its id and answer a repeated id from the log. The log keeps only ids at
 * or above {@link #lowestWaiting()}: a call whose reply arrived is never sent again.
 *
 * <p>One per CacheManager (its origin names the log): ids are unique for as long as the origin
 * lives, across every cache it opens, closes and opens again.
 *
 * <p>Thread-safe; {@link #start()} and {@link #finish(long)} are called from any thread.
 */
public final class OperationIds {

  private final AtomicLong next = new AtomicLong(1);
  private final ConcurrentSkipListSet<Long> waiting = new ConcurrentSkipListSet<>();

  /**
   * A new id, waiting until {@link #finish(long)}. It is among the waiting ids before {@code next}
   * moves past it, so {@link #lowestWaiting()} can never answer above an id not yet finished.
   */
  synchronized long start() {
    long id = next.get();
    waiting.add(id);
    next.set(id + 1);
    return id;
  }

  /** The call's reply arrived, or the caller gave up on it. */
  void finish(long id) {
    waiting.remove(id);
  }

  /** The lowest id still waiting; every id below it is finished. */
  long lowestWaiting() {
    // read next first: an id started after this read is larger than the value returned
    long upper = next.get();
    Long first = waiting.ceiling(Long.MIN_VALUE);
    return first == null ? upper : Math.min(first, upper);
  }
}
