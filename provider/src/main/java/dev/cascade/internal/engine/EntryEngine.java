package dev.cascade.internal.engine;

import dev.cascade.internal.store.EntryStore;
import dev.cascade.internal.store.Mutation;
import dev.cascade.internal.store.Outcome;
import dev.cascade.internal.store.Outcome.Status;
import dev.cascade.internal.store.RedisAccess;
import dev.cascade.internal.store.RedisFailures;
import dev.cascade.internal.store.StoredEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import javax.cache.CacheException;

/**
 * Executes "examine, then mutate" for one cache, choosing the cheapest safe way:
 *
 * <ul>
 *   <li><b>one round trip</b> when the expiry policy is one of the standard ones and no writer must
 *       run first: {@code mutate.lua} examines and changes the entry by itself;
 *   <li><b>read, decide, then mutate only if unchanged</b> when Java must know the case first: to
 *       ask a custom expiry policy the right question, or to call a write-through writer before the
 *       cache changes (then under the key's {@link WriteLocks lock}). If the entry changed in
 *       between, the whole step is retried.
 * </ul>
 *
 * Either way the caller gets the same {@link Outcome}. In a write-behind cache the writer is not
 * called here at all (the script queues the change with it), except when a full queue makes the
 * overflow policy write through. Reads are {@link EntryReader}'s. Thread-safe; runs on the caller's
 * thread.
 */
final class EntryEngine {

  /** Runs under the key's lock after the decision and before the cache changes (the writer). */
  interface BeforeChange {
    /** Returns whether it called the writer (the database may now differ from the entry). */
    boolean run(Decision decision);
  }

  /**
   * A write-through lock expired under its caller before the cache could be changed (the writer or
   * loader took longer than the lease): thrown out of the locked step; callers that let a writer
   * write catch it once their locks are released and remove what may now differ from the database
   * ({@link #lockLost}). Its own message fits a step that wrote nothing to the database.
   */
  static final class LockLost extends CacheException {
    private static final long serialVersionUID = 1L;

    LockLost(String cache) {
      super(
          "The write-through lock of a key in "
              + cache
              + " expired before the cache could be changed (the writer or loader took longer than"
              + " the lock lease); the cache was not changed");
    }
  }

  /**
   * Decides a change from the entry as it is now. Called again if the entry changes before the
   * change lands, so it must not have effects that cannot be repeated (processors and writers of a
   * retried step run again, which JCache allows).
   */
  interface Planner {
    /** The change to make, or null for none. */
    Mutation plan(StoredEntry seen, long now);

    /**
     * Runs under the key's lock (if taken) after planning and before the cache changes. Returns
     * whether it called the writer: a change that fails after that must not leave the entry's old
     * value beside the database's new one.
     */
    default boolean beforeChange(Mutation m, Decision d) {
      return false;
    }

    /**
     * Whether {@link #plan} looks at {@link StoredEntry#isPending} (a read-through load must not
     * replace a queued write). When it does not, a cache whose entries carry no expiry and no queue
     * reads only the value before the change ({@code HGET v}), which costs less than {@code HMGET v
     * x w}.
     */
    default boolean readsQueuedMarker() {
      return true;
    }
  }

  private static final int MAX_ATTEMPTS = 1000;

  private final EntryStore store;

  /** "cache 'name'", for failure messages: built once, not on every call. */
  private final String described;

  private final RedisAccess redis;
  private final ExpiryRules expiry;
  private final WriteLocks locks;
  private final LongSupplier clock;
  private final QueueOverflow overflow;
  private volatile long graceMillis;

  /** Whether some other JVM may listen to this cache: then every change goes through mutate.lua. */
  private volatile boolean othersListen = true;

  /**
   * @param overflow the full-queue policy of a write-behind cache, else null
   */
  EntryEngine(
      EntryStore store,
      ExpiryRules expiry,
      WriteLocks locks,
      LongSupplier clock,
      QueueOverflow overflow) {
    this.store = store;
    this.described = store.describe();
    this.redis = store.redis();
    this.expiry = expiry;
    this.locks = locks;
    this.clock = clock;
    this.overflow = overflow;
  }

  /** Whether some other JVM may listen to this cache (set by {@link EventWiring}). */
  boolean othersListen() {
    return othersListen;
  }

  void othersListen(boolean others) {
    this.othersListen = others;
  }

  long graceMillis() {
    return graceMillis;
  }

  EntryStore store() {
    return store;
  }

  ExpiryRules expiry() {
    return expiry;
  }

  long now() {
    return clock.getAsLong();
  }

  /**
   * Extra native TTL while this JVM listens for expiry events, so it can still see and report them.
   */
  void setGraceMillis(long graceMillis) {
    this.graceMillis = graceMillis;
  }

  boolean canLock() {
    return locks != null;
  }

  // ---------------------------------------------------------------- plain changes, reaping

  /**
   * True when this cache's entries never carry an expiry or a queued write (a standard eternal
   * policy, no write-behind): then a plain {@code HGET}, {@code HSET} or {@code DEL} says all there
   * is.
   */
  boolean plainEntries() {
    return expiry.isEternal() && !store.isWriteBehind();
  }

  /** A put that needs no examination ({@link CacheCore#plainWrites}): one {@code HSET}. */
  Outcome putPlain(byte[] key, byte[] value) {
    return putOutcome(await(store.writeValue(key, value), "changing an entry"));
  }

  /**
   * A put that needs no examination but must report exactly what it did ({@link
   * CacheCore#loggedPlainWrites}): an {@code HSET} with its reply logged, in a {@code changes.lua}
   * call it may share with other threads' changes.
   */
  Outcome putPlainLogged(byte[] key, byte[] value) {
    return putOutcome(awaitLogged(store.writeValueLogged(key, value)));
  }

  private static Outcome putOutcome(boolean created) {
    return new Outcome(created ? Status.CREATED : Status.UPDATED, null, null);
  }

  /** Plain puts of many entries, one script per batch of keys. */
  List<Outcome> putAllPlain(List<byte[]> keys, List<byte[]> values) {
    boolean[] created = await(store.writeValues(keys, values), "changing entries");
    List<Outcome> outcomes = new ArrayList<>(keys.size());
    for (boolean c : created) {
      outcomes.add(new Outcome(c ? Status.CREATED : Status.UPDATED, null, null));
    }
    return outcomes;
  }

  /** Plain removes of many entries, one script per batch of keys. */
  List<Outcome> removeAllPlain(List<byte[]> keys) {
    boolean[] existed = await(store.deleteEntries(keys), "removing entries");
    List<Outcome> outcomes = new ArrayList<>(keys.size());
    for (boolean e : existed) {
      outcomes.add(new Outcome(e ? Status.DELETED : Status.FAILED_ABSENT, null, null));
    }
    return outcomes;
  }

  /** Deletes an entry whose logical expiry passed; returns its value if this call deleted it. */
  byte[] reap(byte[] key, long now) {
    Mutation reap = Mutation.touch(Mutation.Condition.ABSENT, null);
    return await(store.mutate(key, reap, now, graceMillis, null), "removing an expired entry")
        .expired();
  }

  // ---------------------------------------------------------------- mutations

  /**
   * Applies one mutation.
   *
   * @param lock take the key's write-through lock (every change of a write-through cache does)
   * @param beforeChange called with the decision before the cache changes (the writer), or null
   */
  Outcome apply(byte[] key, Mutation m, boolean lock, BeforeChange beforeChange) {
    Outcome o = applyOnce(key, m, lock, beforeChange, false);
    if (o.status() != Status.QUEUE_FULL) {
      return o;
    }
    return overflow.settle(
        () -> applyOnce(key, m, lock, beforeChange, false),
        beforeChange == null || !overflow.writesThrough()
            ? null
            : () -> applyOnce(key, m.ignoringQueueBound(), lock, beforeChange, true));
  }

  /**
   * @param callWriter run {@code beforeChange}: always in a write-through cache; in a write-behind
   *     cache only when the overflow policy writes through
   */
  private Outcome applyOnce(
      byte[] key, Mutation m, boolean lock, BeforeChange beforeChange, boolean callWriter) {
    boolean writes = beforeChange != null && (callWriter || !store.isWriteBehind());
    if (!lock && !writes && expiry.isFixed()) {
      return await(
          store.mutate(key, withAllExpiries(m), now(), graceMillis, null), "changing an entry");
    }
    return computeOnce(
        key,
        lock,
        new Planner() {
          @Override
          public Mutation plan(StoredEntry seen, long now) {
            return m;
          }

          @Override
          public boolean beforeChange(Mutation planned, Decision d) {
            return beforeChange != null && beforeChange.run(d);
          }
        },
        writes);
  }

  /** Read, plan in Java, then change only if the entry is still as read; retried until it is. */
  Outcome compute(byte[] key, boolean lock, Planner planner) {
    Outcome o = computeOnce(key, lock, planner, !store.isWriteBehind());
    if (o.status() != Status.QUEUE_FULL) {
      return o;
    }
    Planner beyondBound =
        new Planner() {
          @Override
          public Mutation plan(StoredEntry seen, long now) {
            Mutation m = planner.plan(seen, now);
            return m == null ? null : m.ignoringQueueBound();
          }

          @Override
          public boolean beforeChange(Mutation m, Decision d) {
            return planner.beforeChange(m, d);
          }
        };
    return overflow.settle(
        () -> computeOnce(key, lock, planner, false),
        overflow.writesThrough() ? () -> computeOnce(key, lock, beyondBound, true) : null);
  }

  private Outcome computeOnce(byte[] key, boolean lock, Planner planner, boolean callWriter) {
    try {
      return computeAttempts(key, lock, planner, callWriter);
    } catch (LockLost lost) {
      // the step's locks are released by now: the removal waits for whoever holds the key now
      throw callWriter ? lockLost(List.of(key)) : lost;
    } catch (FailedAfterWriter failed) {
      throw writtenButNotChanged(List.of(key), failed.cause);
    }
  }

  /**
   * The change failed after the writer ran (a Redis error reply, a timeout): the database may hold
   * the writer's value while the entry keeps the old one. Thrown out of the locked step so that
   * {@link #computeOnce} removes the entry once the lock is released, as after a lost lock.
   */
  private static final class FailedAfterWriter extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final RuntimeException cause;

    FailedAfterWriter(RuntimeException cause) {
      super(null, null, false, false);
      this.cause = cause;
    }
  }

  private Outcome computeAttempts(byte[] key, boolean lock, Planner planner, boolean callWriter) {
    for (int attempt = 1; ; attempt++) {
      // under the lock, the entry is read in the round trip that takes it (lock.lua)
      WriteLocks.Held held = lock ? locks.lockReading(key) : null;
      try {
        StoredEntry seen =
            held != null
                ? held.seen
                : await(readBeforeChange(key, planner), "reading before a change");
        long now = now();
        Mutation m = planner.plan(seen, now);
        if (m == null) {
          m = Mutation.touch(Mutation.Condition.ABSENT, null).returningOld(true);
          if (!seen.isExpiredAt(now)) {
            return seen.isLiveAt(now)
                ? new Outcome(Status.FAILED_PRESENT, seen.value(), null, seen.isPending())
                : new Outcome(Status.FAILED_ABSENT, null, null, seen.isPending());
          }
        }
        Decision d = Decision.of(m, seen, now);
        Outcome o;
        if (callWriter && planner.beforeChange(m, d)) {
          try {
            o = applyDecided(key, m, d, seen, now, held);
          } catch (LockLost lost) {
            throw lost;
          } catch (RuntimeException e) {
            throw new FailedAfterWriter(e);
          }
        } else {
          o = applyDecided(key, m, d, seen, now, held);
        }
        if (o != null) {
          return o;
        }
      } finally {
        if (held != null) {
          locks.unlock(List.of(held));
        }
      }
      if (attempt >= MAX_ATTEMPTS) {
        throw new CacheException(
            "Gave up changing a key of "
                + store.describe()
                + " after "
                + attempt
                + " attempts: other writers kept changing it");
      }
    }
  }

  private CompletableFuture<StoredEntry> readBeforeChange(byte[] key, Planner planner) {
    return plainEntries() && !planner.readsQueuedMarker() ? store.readPlain(key) : store.read(key);
  }

  /**
   * The mutation with every expiry spec filled in, for the one-round-trip path (fixed policy only).
   */
  private Mutation withAllExpiries(Mutation m) {
    return m.withExpiry(
        expiry.forCreation(),
        m.action() == Mutation.Action.TOUCH ? expiry.forAccess() : expiry.forUpdate(),
        m.isAccessOnFailure() ? expiry.forAccess() : Mutation.UNCHANGED);
  }

  /**
   * Applies a decision taken on {@code seen}, if the entry is still as seen. Returns null when it
   * changed meanwhile (the caller retries).
   */
  Outcome applyDecided(
      byte[] key, Mutation m, Decision d, StoredEntry seen, long now, WriteLocks.Held held) {
    Mutation exact;
    switch (d) {
      case CREATE:
        exact = m.withExpiry(expiry.forCreation(), Mutation.UNCHANGED, Mutation.UNCHANGED);
        break;
      case UPDATE:
        exact = m.withExpiry(Mutation.ETERNAL, expiry.forUpdate(), Mutation.UNCHANGED);
        break;
      case TOUCH:
        exact = m.withExpiry(Mutation.ETERNAL, expiry.forAccess(), Mutation.UNCHANGED);
        break;
      case DELETE:
        exact = m;
        break;
      case FAIL_PRESENT:
        if (!m.isAccessOnFailure()) {
          return new Outcome(Status.FAILED_PRESENT, m.isReturnOld() ? seen.value() : null, null);
        }
        String access = expiry.forAccess();
        if (Mutation.UNCHANGED.equals(access)) {
          return new Outcome(Status.FAILED_PRESENT, m.isReturnOld() ? seen.value() : null, null);
        }
        exact =
            m.withAction(Mutation.Action.TOUCH, null)
                .withExpiry(Mutation.ETERNAL, access, Mutation.UNCHANGED);
        break;
      default: // FAIL_ABSENT
        if (store.isWriteBehind()
            && m.action() == Mutation.Action.DELETE
            && conditionHoldsWhenAbsent(m)) {
          // JCache deletes through the writer even when the cache lacks the key: queue the delete
          exact = m;
          break;
        }
        if (!seen.isExpiredAt(now)) {
          return new Outcome(Status.FAILED_ABSENT, null, null, seen.isPending());
        }
        exact = m.withAction(Mutation.Action.TOUCH, null);
        break;
    }
    Mutation guarded = exact.onlyIf(seen, now);
    // the lean changes.lua when mutate.lua's extras (expiry, queue, lock, publishing, old values)
    // are all unused; a resent call is answered from the same operation log either way. Not over
    // an entry that carries an expiry although this cache is eternal (an earlier life of the cache
    // name, or another JVM, with an expiry policy): changes.lua knows nothing of x, and would find
    // present what the decision took as expired, again on every retry; mutate.lua reaps it first
    Outcome o =
        held == null
                && !othersListen
                && plainEntries()
                && seen.expiresAt() == StoredEntry.ETERNAL
                && store.canCompareAndSet(guarded)
            ? awaitLogged(store.compareAndSet(key, guarded))
            : held == null
                ? await(store.mutate(key, guarded, now, graceMillis, null), "changing an entry")
                // under a write-through lock the writer has written: only the reply says whether
                // the lock still held, so an interrupt must not end the wait for it
                : redis.awaitThroughInterrupts(
                    store.mutate(key, guarded, now, graceMillis, held.token),
                    "changing an entry",
                    described);
    if (held != null && o.status() != Status.LOCK_LOST) {
      held.released = true;
    }
    if (o.status() == Status.QUEUE_FULL) {
      return o;
    }
    if (o.status() == Status.LOCK_LOST) {
      throw new LockLost(store.describe());
    }
    if (!matches(d, o.status())) {
      // a load under the lock: the script judged its condition itself (no writer can have written
      // the key meanwhile), so what it did stands, also where a clear() or an expiry changed the
      // entry since it was read
      return held != null && isLoad(m.condition()) ? o : null;
    }
    if (d == Decision.FAIL_PRESENT) {
      return new Outcome(Status.FAILED_PRESENT, m.isReturnOld() ? seen.value() : null, o.expired());
    }
    return o;
  }

  /**
   * After write-through locks were lost under a writer that then wrote: the database may hold this
   * writer's values while the cache holds those of a writer that took the locks meanwhile. An
   * absent entry agrees with any database, so each entry is removed, under new locks (in the global
   * order, after whoever holds them now: removed earlier, a creation that holder was about to make
   * would still land), with a plain delete (like an eviction: no event). Returns the caller's
   * error, saying what happened. Call it holding none of the keys' locks.
   */
  CacheException lockLost(List<byte[]> keys) {
    return removeWritten(
        keys,
        "The write-through lock of "
            + (keys.size() == 1 ? "a key" : keys.size() + " keys")
            + " in "
            + store.describe()
            + " expired before the cache could be changed (the writer took longer than the lock"
            + " lease), so another writer may have changed the key meanwhile and this writer's change"
            + " may have reached the database after it; ",
        "");
  }

  /**
   * After a batch's writer wrote keys whose cache entries could not be changed ({@code cause}: a
   * Redis error or timeout part-way through the batch): the database holds the new values, the
   * cache may still hold the old ones. Each entry is removed as after a lost lock ({@link
   * #lockLost}). Returns the caller's error, saying what happened, with {@code cause} as its cause.
   * Call it holding none of the keys' locks.
   */
  CacheException writtenButNotChanged(List<byte[]> keys, RuntimeException cause) {
    CacheException e =
        removeWritten(
            keys,
            "Changing "
                + (keys.size() == 1 ? "a key" : keys.size() + " keys")
                + " in "
                + store.describe()
                + " failed after the writer had written "
                + (keys.size() == 1 ? "it" : "them")
                + " ("
                + cause.getMessage()
                + "); ",
            // the removal reaches the replicas no sooner than the change did
            RedisFailures.meansReplicasMissing(cause)
                ? " (on the master: until the replicas catch up, a failover may bring back the"
                    + " earlier value)"
                : "");
    e.initCause(cause);
    return e;
  }

  /** Removes entries the writer wrote but the cache could not take; see {@link #lockLost}. */
  private CacheException removeWritten(List<byte[]> keys, String what, String caveat) {
    if (store.isWriteBehind()) {
      return new CacheException(what + "the cache was not changed");
    }
    // an interrupt (often why the change failed) must not stop the removal: the lock waits and the
    // Redis call would end at once; it is set again for the caller's next blocking call
    boolean interrupted = Thread.interrupted();
    try {
      List<WriteLocks.Held> held = locks.lockAll(keys);
      try {
        removeAllPlain(keys);
      } finally {
        locks.unlock(held);
      }
      return new CacheException(
          what
              + (keys.size() == 1 ? "the entry was" : "the entries were")
              + " removed from the cache"
              + caveat
              + ", so the next read goes to the database");
    } catch (RuntimeException e) {
      CacheException failed =
          new CacheException(
              what
                  + "removing "
                  + (keys.size() == 1 ? "it" : "them")
                  + " from the cache failed too ("
                  + e.getMessage()
                  + "): the cache may differ from the database until the key is written again");
      failed.addSuppressed(e);
      return failed;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static boolean isLoad(Mutation.Condition c) {
    return c == Mutation.Condition.LOADABLE || c == Mutation.Condition.REPLACEABLE;
  }

  private static boolean conditionHoldsWhenAbsent(Mutation m) {
    Mutation.Condition c = m.condition();
    return c == Mutation.Condition.ANY || c == Mutation.Condition.ABSENT;
  }

  private static boolean matches(Decision d, Status s) {
    switch (d) {
      case CREATE:
        return s == Status.CREATED || s == Status.NOT_STORED_EXPIRED;
      case UPDATE:
        return s == Status.UPDATED;
      case TOUCH:
      case FAIL_PRESENT:
        return s == Status.TOUCHED;
      case DELETE:
        return s == Status.DELETED;
      default:
        return s == Status.FAILED_ABSENT;
    }
  }

  /**
   * What a change of many keys did: the outcome of each key in order, null where it is unknown or
   * nothing changed because of {@code failure} (the first failure, or null when every key was
   * applied). The keys that were applied still report their events and statistics before the
   * failure is thrown.
   */
  record Applied(List<Outcome> outcomes, RuntimeException failure) {

    /** Throws the failure, if any. */
    void rethrow() {
      if (failure != null) {
        throw failure;
      }
    }
  }

  /**
   * {@code first} with {@code other} added as suppressed, or {@code other} when there is no first;
   * never suppresses an exception in itself (a writer may throw one shared instance twice), which
   * {@link Throwable#addSuppressed} refuses with an IllegalArgumentException.
   */
  static RuntimeException withSuppressed(RuntimeException first, RuntimeException other) {
    if (first == null) {
      return other;
    }
    if (other != null && other != first) {
      first.addSuppressed(other);
    }
    return first;
  }

  /**
   * Applies mutations to many keys in one pipeline (one round trip per node). Only for the
   * one-round-trip case: standard expiry policy, no lock, no writer. Every reply is awaited even
   * after one failed: the other keys' scripts ran (or may have), and their outcomes still count.
   */
  Applied applyAllPipelined(
      List<byte[]> keys, List<Mutation> ms, IntFunction<BeforeChange> writers) {
    List<Mutation> complete = new ArrayList<>(ms.size());
    for (Mutation m : ms) {
      complete.add(withAllExpiries(m));
    }
    List<CompletableFuture<Outcome>> replies = store.mutateAll(keys, complete, now(), graceMillis);
    List<Outcome> outcomes = new ArrayList<>(keys.size());
    RuntimeException failure = null;
    for (int i = 0; i < keys.size(); i++) {
      Outcome o = null;
      try {
        o = await(replies.get(i), "changing entries");
        if (o.status() == Status.QUEUE_FULL) {
          // the rare full queue: this key alone goes through the overflow policy (not after a
          // failure: a blocking policy would wait once per remaining key)
          o = failure == null ? apply(keys.get(i), ms.get(i), false, writers.apply(i)) : null;
        }
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
        o = null;
      }
      outcomes.add(o);
    }
    return new Applied(outcomes, failure);
  }

  boolean canPipeline() {
    return expiry.isFixed();
  }

  /**
   * Reads many entries as they are, without reaping or touching (the first step of a batch change).
   */
  List<StoredEntry> snapshot(List<byte[]> keys) {
    List<StoredEntry> seen = new ArrayList<>(keys.size());
    for (CompletableFuture<StoredEntry> r : snapshotSent(keys)) {
      seen.add(await(r, "reading before a change"));
    }
    return seen;
  }

  /** {@link #snapshot}'s reads, sent (pipelined), each awaited by the caller. */
  List<CompletableFuture<StoredEntry>> snapshotSent(List<byte[]> keys) {
    List<CompletableFuture<StoredEntry>> replies = new ArrayList<>(keys.size());
    for (byte[] key : keys) {
      replies.add(store.read(key));
    }
    return replies;
  }

  List<WriteLocks.Held> lockAll(List<byte[]> keys) {
    return locks.lockAll(keys);
  }

  void unlockAll(List<WriteLocks.Held> held) {
    if (!held.isEmpty()) {
      locks.unlock(held);
    }
  }

  <T> T await(CompletableFuture<T> reply, String what) {
    return redis.await(reply, what, described);
  }

  /**
   * {@link #await} for a change {@code LoggedChanges} may still hold back in its lane: an interrupt
   * does not end the wait ({@link RedisAccess#awaitThroughInterrupts}), or the thread's next change
   * could reach Redis before this one.
   */
  private <T> T awaitLogged(CompletableFuture<T> reply) {
    return redis.awaitThroughInterrupts(reply, "changing an entry", described);
  }

  /**
   * {@link #await} for a read: sent again ({@code again} applied to {@code argument}) when the
   * connection dropped under it ({@link RedisAccess#awaitResending}).
   */
  <A, T> T awaitRead(
      CompletableFuture<T> reply,
      Function<A, CompletableFuture<T>> again,
      A argument,
      String what) {
    return redis.awaitResending(reply, again, argument, what, described);
  }
}
