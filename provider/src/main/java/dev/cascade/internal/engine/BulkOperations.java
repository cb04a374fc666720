package dev.cascade.internal.engine;

import dev.cascade.codec.CodecException;
import dev.cascade.internal.event.EntryChange;
import dev.cascade.internal.store.EntryStore;
import dev.cascade.internal.store.Mutation;
import dev.cascade.internal.store.Mutation.Condition;
import dev.cascade.internal.store.Outcome;
import dev.cascade.internal.store.Outcome.Status;
import dev.cascade.internal.store.RedisFailures;
import dev.cascade.internal.store.StoredEntry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import javax.cache.event.EventType;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriterException;
import javax.cache.integration.CompletionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations of one cache that touch many keys: each validates every key and value before any
 * side effect, then sends its commands as one pipeline (one round trip per Redis node), and in a
 * write-through cache calls the writer's batch method once, under the locks of all the keys.
 */
final class BulkOperations<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(BulkOperations.class);

  private final CacheCore<K, V> core;
  private final ReadThrough<K, V> readThrough;

  /**
   * Background loads still running: closing the cache waits for them before it closes the loader.
   */
  private final Phaser loads = new Phaser(1);

  /**
   * @param readThrough the cache's loads through its loader, or null when it does not read through
   */
  BulkOperations(CacheCore<K, V> core, ReadThrough<K, V> readThrough) {
    this.readThrough = readThrough;
    this.core = core;
  }

  // ------------------------------------------------------------------ getAll

  Map<K, V> getAll(Set<? extends K> keys) {
    List<K> keyList = validKeys(keys);
    long start = core.stats().start();
    List<byte[]> encoded = encodeKeys(keyList);
    List<EntryReader.Read> reads = core.reader().readAll(encoded);
    Map<K, V> result = new LinkedHashMap<>(keyList.size() * 4 / 3 + 1);
    List<EntryChange<K, V>> changes = new ArrayList<>();
    List<Integer> misses = new ArrayList<>();
    int missCount = 0;
    for (int i = 0; i < keyList.size(); i++) {
      EntryReader.Read r = reads.get(i);
      core.collectExpired(changes, keyList.get(i), encoded.get(i), r.expired());
      if (r.value() != null) {
        result.put(keyList.get(i), core.decodeValue(r.value()));
      } else {
        missCount++;
        if (r.loadable()) {
          misses.add(i);
        }
      }
    }
    core.stats().hits(result.size());
    core.stats().misses(missCount);
    core.dispatch(changes);
    if (readThrough != null && !misses.isEmpty()) {
      if (core.locks()) {
        for (int i : misses) {
          V v = readThrough.load(keyList.get(i), encoded.get(i));
          if (v != null) {
            result.put(keyList.get(i), v);
          }
        }
      } else {
        loadMissing(keyList, encoded, misses, result);
      }
    }
    core.stats().getTime(start);
    return result;
  }

  /** Read-through for the misses of a getAll: one {@code loadAll}, then one pipeline of stores. */
  private void loadMissing(
      List<K> keyList, List<byte[]> encoded, List<Integer> misses, Map<K, V> result) {
    List<K> missing = new ArrayList<>(misses.size());
    for (int i : misses) {
      missing.add(keyList.get(i));
    }
    Map<K, V> loaded = callLoadAll(missing);
    List<byte[]> storeKeys = new ArrayList<>();
    List<Mutation> stores = new ArrayList<>();
    List<K> storedKeys = new ArrayList<>();
    List<V> storedValues = new ArrayList<>();
    for (int i : misses) {
      K key = keyList.get(i);
      V value = loaded.get(key);
      if (value != null) {
        result.put(key, value);
        storeKeys.add(encoded.get(i));
        stores.add(Mutation.set(Condition.LOADABLE, null, core.encodeValue(value)));
        storedKeys.add(key);
        storedValues.add(value);
      }
    }
    EntryEngine.Applied applied = applyAll(storeKeys, stores);
    dispatchApplied(storedKeys, storeKeys, applied.outcomes(), storedValues);
    applied.rethrow();
  }

  /** The events of the keys whose outcome is known (not null), in order. */
  private void dispatchApplied(
      List<K> keys, List<byte[]> encoded, List<Outcome> outcomes, List<V> values) {
    List<EntryChange<K, V>> changes = new ArrayList<>();
    for (int i = 0; i < outcomes.size(); i++) {
      if (outcomes.get(i) != null) {
        core.collect(changes, keys.get(i), encoded.get(i), outcomes.get(i), values.get(i));
      }
    }
    core.dispatch(changes);
  }

  private Map<K, V> callLoadAll(Collection<K> keys) {
    Map<? extends K, ? extends V> loaded;
    try {
      loaded = core.loader().loadAll(keys);
    } catch (CacheLoaderException e) {
      throw e;
    } catch (Exception e) {
      throw new CacheLoaderException("The cache loader of " + core.describe() + " failed: " + e, e);
    }
    Map<K, V> result = new HashMap<>();
    if (loaded != null) {
      for (Map.Entry<? extends K, ? extends V> e : loaded.entrySet()) {
        if (e.getKey() != null && e.getValue() != null) {
          result.put(e.getKey(), e.getValue());
        }
      }
    }
    return result;
  }

  // ------------------------------------------------------------------ loadAll

  void loadAll(
      Set<? extends K> keys,
      boolean replaceExisting,
      CompletionListener listener,
      Executor background) {
    List<K> keyList = validKeys(keys);
    if (core.loader() == null) {
      if (listener != null) {
        listener.onCompletion();
      }
      return;
    }
    loads.register();
    background.execute(
        () -> {
          try {
            core.keyOrder()
                .all(() -> core.encodedKeys(keyList), () -> load(keyList, replaceExisting));
            if (listener != null) {
              listener.onCompletion();
            }
          } catch (Exception e) {
            if (listener != null) {
              listener.onException(e);
            }
          } catch (Error e) {
            // a loader's NoClassDefFoundError, say: a caller waiting on the listener must not wait
            // for good. Handed to the listener, as an exception would be (the pool's thread is
            // reused, not ended by it)
            if (listener != null) {
              listener.onException(
                  new CacheLoaderException(
                      "loadAll of cache '" + core.settings().name + "' failed: " + e, e));
            } else {
              LOG.warn("loadAll of cache '{}' failed", core.settings().name, e);
            }
          } finally {
            loads.arriveAndDeregister();
          }
        });
  }

  /** Waits (bounded) until the background loads this cache started have finished. */
  void awaitLoads(long timeoutMillis) {
    try {
      loads.awaitAdvanceInterruptibly(loads.arrive(), timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException e) {
      // a loader that hangs: close anyway, as the spec asks
    }
  }

  private void load(List<K> keyList, boolean replaceExisting) {
    List<byte[]> encoded = encodeKeys(keyList);
    List<WriteLocks.Held> held = core.locks() ? core.engine().lockAll(encoded) : List.of();
    try {
      List<K> toLoad = new ArrayList<>();
      List<byte[]> toLoadEncoded = new ArrayList<>();
      if (replaceExisting) {
        toLoad.addAll(keyList);
        toLoadEncoded.addAll(encoded);
      } else {
        List<StoredEntry> seen = core.engine().snapshot(encoded);
        long now = core.engine().now();
        for (int i = 0; i < keyList.size(); i++) {
          if (!seen.get(i).isLiveAt(now)) {
            toLoad.add(keyList.get(i));
            toLoadEncoded.add(encoded.get(i));
          }
        }
      }
      if (toLoad.isEmpty()) {
        return;
      }
      Map<K, V> loaded = callLoadAll(toLoad);
      List<byte[]> storeKeys = new ArrayList<>();
      List<Mutation> stores = new ArrayList<>();
      List<K> storedKeys = new ArrayList<>();
      List<V> storedValues = new ArrayList<>();
      boolean oldValues = core.needsOld(EventType.UPDATED);
      for (int i = 0; i < toLoad.size(); i++) {
        V value = loaded.get(toLoad.get(i));
        if (value != null) {
          storeKeys.add(toLoadEncoded.get(i));
          stores.add(
              Mutation.set(
                      replaceExisting ? Condition.REPLACEABLE : Condition.LOADABLE,
                      null,
                      core.encodeValue(value))
                  .returningOld(oldValues));
          storedKeys.add(toLoad.get(i));
          storedValues.add(value);
        }
      }
      EntryEngine.Applied applied;
      if (held.isEmpty()) {
        applied = applyAll(storeKeys, stores);
      } else {
        // still under the locks: no writer can change the database between load and store
        Map<ByteBuffer, WriteLocks.Held> byKey = byKey(held);
        List<StoredEntry> seen = core.engine().snapshot(storeKeys);
        // a load changes nothing in the database: after a failure the rest is not stored
        applied =
            applyInOrder(
                storeKeys.size(),
                i ->
                    applyLocked(
                        storeKeys.get(i),
                        stores.get(i),
                        seen.get(i),
                        byKey.get(ByteBuffer.wrap(storeKeys.get(i)))));
      }
      dispatchApplied(storedKeys, storeKeys, applied.outcomes(), storedValues);
      applied.rethrow();
    } finally {
      core.engine().unlockAll(held);
    }
  }

  // ------------------------------------------------------------------ putAll

  void putAll(Map<? extends K, ? extends V> map) {
    if (map == null) {
      throw new NullPointerException("The map given to putAll of " + core.describe() + " is null");
    }
    Map<K, V> entries = new LinkedHashMap<>(map.size());
    for (Map.Entry<? extends K, ? extends V> e : map.entrySet()) {
      core.checkKey(e.getKey());
      core.checkValue(e.getKey(), e.getValue());
      entries.put(e.getKey(), e.getValue());
    }
    List<K> keyList = new ArrayList<>(entries.keySet());
    List<byte[]> encoded = encodeKeys(keyList);
    List<byte[]> encodedValues = new ArrayList<>(keyList.size());
    for (K k : keyList) {
      encodedValues.add(core.encodeValue(entries.get(k)));
    }
    boolean oldValues = core.needsOld(EventType.UPDATED);
    WriteThrough<K, V> overflow = core.overflowWriter();
    applyBulk(
        keyList,
        encoded,
        new BulkChange<K, V>() {
          @Override
          public List<Outcome> plain() {
            return core.engine().putAllPlain(encoded, encodedValues);
          }

          @Override
          public Mutation mutation(int i) {
            return Mutation.set(Condition.ANY, null, encodedValues.get(i)).returningOld(oldValues);
          }

          @Override
          public EntryEngine.BeforeChange overflowStep(int i) {
            return overflow == null
                ? null
                : d -> {
                  overflow.write(keyList.get(i), entries.get(keyList.get(i)));
                  return true;
                };
          }

          @Override
          public WriteThrough.BatchResult<K> writeThrough() {
            return core.writeThrough().writeAll(entries);
          }

          @Override
          public EntryEngine.BeforeChange writerStep(int i) {
            K key = keyList.get(i);
            return d -> {
              if (!d.writes()) {
                return false;
              }
              core.writeThrough().write(key, entries.get(key));
              return true;
            };
          }

          @Override
          public V newValue(int i) {
            return entries.get(keyList.get(i));
          }

          @Override
          public boolean counts(Outcome o) {
            return o.changedValue();
          }

          @Override
          public void record(int count, long start) {
            core.stats().puts(count);
            if (count > 0) {
              core.stats().putTime(start);
            }
          }
        });
  }

  /**
   * What one bulk change (putAll, removeAll) says of itself; {@link #applyBulk} is the rest,
   * written once: the plain path, or the script per key (with the overflow writer of a full
   * write-behind queue), or, with write-through, the keys' locks, the writer's batch call, a
   * snapshot and the change of each key the writer took; then statistics, events, and the writer's
   * failure.
   */
  private interface BulkChange<K, V> {
    List<Outcome> plain();

    Mutation mutation(int i);

    EntryEngine.BeforeChange overflowStep(int i);

    WriteThrough.BatchResult<K> writeThrough();

    /** The writer's call for key {@code i} alone, for a retry after the batch call. */
    EntryEngine.BeforeChange writerStep(int i);

    V newValue(int i);

    boolean counts(Outcome o);

    void record(int count, long start);
  }

  private void applyBulk(List<K> keyList, List<byte[]> encoded, BulkChange<K, V> change) {
    long start = core.stats().start();
    // outcomes.get(j) is the outcome of key applied.get(j); null where it is unknown (a failure)
    List<Outcome> outcomes = new ArrayList<>(keyList.size());
    List<Integer> applied = new ArrayList<>(keyList.size());
    CacheWriterException failure = null;
    // a change that failed part-way: the keys changed before it still report events and
    // statistics, then this is thrown
    RuntimeException broken = null;
    if (core.plainWrites()) {
      outcomes.addAll(change.plain());
      for (int i = 0; i < keyList.size(); i++) {
        applied.add(i);
      }
    } else if (core.writeThrough() == null) {
      List<Mutation> ms = new ArrayList<>(keyList.size());
      for (int i = 0; i < keyList.size(); i++) {
        ms.add(change.mutation(i));
        applied.add(i);
      }
      EntryEngine.Applied all = applyAll(encoded, ms, change::overflowStep);
      outcomes.addAll(all.outcomes());
      broken = all.failure();
    } else {
      List<WriteLocks.Held> held = core.engine().lockAll(encoded);
      List<Integer> moved = new ArrayList<>(); // positions in outcomes of keys to change again
      List<byte[]> written = new ArrayList<>();
      List<byte[]> unchanged = new ArrayList<>(); // written, but not changed in the cache
      boolean lockLost = false;
      try {
        WriteThrough.BatchResult<K> batch = change.writeThrough();
        failure = batch.failure;
        List<CompletableFuture<StoredEntry>> seen = core.engine().snapshotSent(encoded);
        Map<ByteBuffer, WriteLocks.Held> byKey = byKey(held);
        // every key the writer wrote, before any is changed: a lost lock at one key means the
        // batch's leases (which began together) may have run out under all of them
        for (int i = 0; i < keyList.size(); i++) {
          if (batch.done.contains(keyList.get(i))) {
            written.add(encoded.get(i));
          }
        }
        boolean unreachable = false;
        for (int i = 0; i < keyList.size(); i++) {
          if (batch.done.contains(keyList.get(i))) {
            if (unreachable) {
              unchanged.add(encoded.get(i));
              continue;
            }
            Outcome o;
            try {
              StoredEntry before = core.engine().await(seen.get(i), "reading before a change");
              o =
                  applyLocked(
                      encoded.get(i),
                      change.mutation(i),
                      before,
                      byKey.get(ByteBuffer.wrap(encoded.get(i))));
            } catch (EntryEngine.LockLost lost) {
              throw lost;
            } catch (RuntimeException e) {
              // The key is in the database, and its entry may keep the old value. An error
              // reply concerns this key alone (a value of another type in its place): the others
              // go on. Without an answer from Redis, neither would the keys after it; nor, with
              // replicas that did not confirm it, would they (each would wait the whole timeout,
              // under the batch's locks)
              broken = EntryEngine.withSuppressed(broken, e);
              unchanged.add(encoded.get(i));
              unreachable =
                  RedisFailures.meansUnreachable(e) || RedisFailures.meansReplicasMissing(e);
              continue;
            }
            if (o == null) {
              moved.add(outcomes.size());
            }
            outcomes.add(o);
            applied.add(i);
          }
        }
      } catch (EntryEngine.LockLost lost) {
        lockLost = true;
      } finally {
        core.engine().unlockAll(held);
      }
      if (lockLost) {
        // the batch's leases began together: every key the writer wrote may now differ
        RuntimeException lost = core.engine().lockLost(written);
        EntryEngine.withSuppressed(lost, failure); // what the writer refused of the batch
        EntryEngine.withSuppressed(lost, broken); // a Redis error of an earlier key
        throw lost;
      }
      if (broken != null) {
        broken = core.engine().writtenButNotChanged(unchanged, broken);
      }
      // Keys whose entry changed after the snapshot (a clear(), an expiry: what changes an entry
      // without its lock) lost their lock with the failed attempt, and another writer may have
      // written them since. Each is changed again as a single put or remove is: under a lock of its
      // own, taken now that the batch's are released (taking it while holding keys after it would
      // break the global order), calling the writer again so that database and cache agree.
      for (int j : moved) {
        int i = applied.get(j);
        try {
          outcomes.set(
              j,
              core.engine().apply(encoded.get(i), change.mutation(i), true, change.writerStep(i)));
        } catch (CacheWriterException e) {
          // the writer refused this key on its own: what the caller must see first, as above
          failure =
              failure == null ? e : (CacheWriterException) EntryEngine.withSuppressed(failure, e);
        } catch (RuntimeException e) {
          // as a single put that failed: its entry is absent (it moved) or as the change left it
          broken = EntryEngine.withSuppressed(broken, e);
        }
      }
    }
    List<EntryChange<K, V>> changes = new ArrayList<>();
    int counted = 0;
    for (int j = 0; j < applied.size(); j++) {
      int i = applied.get(j);
      Outcome o = outcomes.get(j);
      if (o == null) {
        continue;
      }
      if (change.counts(o)) {
        counted++;
      }
      core.collect(changes, keyList.get(i), encoded.get(i), o, change.newValue(i));
    }
    change.record(counted, start);
    core.dispatch(changes);
    // the writer's failure first: JCache callers (and removeAll() above) expect a
    // CacheWriterException when the writer failed; a Redis failure of the same call rides along
    RuntimeException thrown = EntryEngine.withSuppressed(failure, broken);
    if (thrown != null) {
      throw thrown;
    }
  }

  // ------------------------------------------------------------------ removeAll

  void removeAll(Set<? extends K> keys) {
    List<K> keyList = validKeys(keys);
    removeKeys(keyList, encodeKeys(keyList));
  }

  /**
   * Removes every entry, with events and the writer (unlike {@code clear}), one scanned batch at a
   * time.
   */
  void removeAll() {
    EntryStore.KeyCursor cursor = core.engine().store().cursor();
    List<byte[]> batch;
    CacheWriterException failure = null;
    int unreadable = 0;
    CodecException firstUnreadable = null;
    while ((batch = cursor.next()) != null) {
      batch = core.engine().store().holdingValues(batch);
      if (batch.isEmpty()) {
        continue;
      }
      List<K> keyList = new ArrayList<>(batch.size());
      List<byte[]> encoded = new ArrayList<>(batch.size());
      for (byte[] k : batch) {
        try {
          keyList.add(core.decodeKey(k));
          encoded.add(k);
        } catch (CodecException e) {
          // one entry another program wrote must not keep every later batch in place
          unreadable++;
          firstUnreadable = firstUnreadable == null ? e : firstUnreadable;
        }
      }
      if (encoded.isEmpty()) {
        continue;
      }
      try {
        // one batch's keys at a time: the whole cache would hold up every listened change
        core.keyOrder().all(() -> encoded, () -> removeKeys(keyList, encoded));
      } catch (CacheWriterException e) {
        failure = failure == null ? e : failure;
      }
    }
    CodecException skipped =
        firstUnreadable == null
            ? null
            : new CodecException(
                "removeAll() of cache '"
                    + core.settings().name
                    + "' left "
                    + unreadable
                    + " entr"
                    + (unreadable == 1 ? "y" : "ies")
                    + " whose key it could not read; the first: "
                    + firstUnreadable.getMessage(),
                firstUnreadable);
    if (failure != null) {
      if (skipped != null) {
        failure.addSuppressed(skipped);
      }
      throw failure;
    }
    if (skipped != null) {
      throw skipped;
    }
  }

  private void removeKeys(List<K> keyList, List<byte[]> encoded) {
    boolean oldValues = core.needsOld(EventType.REMOVED);
    WriteThrough<K, V> overflow = core.overflowWriter();
    applyBulk(
        keyList,
        encoded,
        new BulkChange<K, V>() {
          @Override
          public List<Outcome> plain() {
            return core.engine().removeAllPlain(encoded);
          }

          @Override
          public Mutation mutation(int i) {
            return Mutation.delete(Condition.ANY, null).returningOld(oldValues);
          }

          @Override
          public EntryEngine.BeforeChange overflowStep(int i) {
            return overflow == null
                ? null
                : d -> {
                  overflow.delete(keyList.get(i));
                  return true;
                };
          }

          @Override
          public WriteThrough.BatchResult<K> writeThrough() {
            return core.writeThrough().deleteAll(keyList);
          }

          @Override
          public EntryEngine.BeforeChange writerStep(int i) {
            K key = keyList.get(i);
            return d -> {
              core.writeThrough().delete(key); // as remove(key): present or not
              return true;
            };
          }

          @Override
          public V newValue(int i) {
            return null;
          }

          @Override
          public boolean counts(Outcome o) {
            return o.status() == Status.DELETED;
          }

          @Override
          public void record(int count, long start) {
            core.stats().removals(count);
            if (count > 0) {
              core.stats().removeTime(start);
            }
          }
        });
  }

  // ------------------------------------------------------------------ shared steps

  private List<K> validKeys(Set<? extends K> keys) {
    if (keys == null) {
      throw new NullPointerException("The key set given to " + core.describe() + " is null");
    }
    List<K> keyList = new ArrayList<>(keys.size());
    for (K k : keys) {
      core.checkKey(k);
      keyList.add(k);
    }
    return keyList;
  }

  private List<byte[]> encodeKeys(List<K> keyList) {
    List<byte[]> encoded = new ArrayList<>(keyList.size());
    for (K k : keyList) {
      encoded.add(core.encodeKey(k));
    }
    return encoded;
  }

  /** Loads: pipelined when the expiry policy allows one round trip; else one step per key. */
  private EntryEngine.Applied applyAll(List<byte[]> keys, List<Mutation> ms) {
    return applyAll(keys, ms, i -> null);
  }

  /**
   * Changes without a write-through writer: pipelined when the expiry policy allows one round trip,
   * else one step per key. {@code writers} gives a key's writer step for a write-behind queue that
   * overflows into write-through.
   */
  private EntryEngine.Applied applyAll(
      List<byte[]> keys, List<Mutation> ms, IntFunction<EntryEngine.BeforeChange> writers) {
    if (core.engine().canPipeline()) {
      return core.engine().applyAllPipelined(keys, ms, writers);
    }
    return applyInOrder(
        keys.size(), i -> core.engine().apply(keys.get(i), ms.get(i), false, writers.apply(i)));
  }

  /**
   * Applies keys 0 to {@code n - 1} one at a time, in order, until one fails: the keys after it are
   * not sent, and their outcomes are null.
   */
  private static EntryEngine.Applied applyInOrder(int n, IntFunction<Outcome> step) {
    List<Outcome> outcomes = new ArrayList<>(n);
    RuntimeException failure = null;
    for (int i = 0; i < n; i++) {
      Outcome o = null;
      if (failure == null) {
        try {
          o = step.apply(i);
        } catch (RuntimeException e) {
          failure = e;
        }
      }
      outcomes.add(o);
    }
    return new EntryEngine.Applied(outcomes, failure);
  }

  /**
   * Applies a change to a key whose lock the caller holds. Null when the entry changed since {@code
   * seen}: the attempt released the lock (the script does, whatever it decides), and the caller
   * must change the key again under a lock of its own. A load never answers null: under the lock
   * the script judges a load's condition itself.
   */
  private Outcome applyLocked(byte[] key, Mutation m, StoredEntry seen, WriteLocks.Held held) {
    long now = core.engine().now();
    return core.engine().applyDecided(key, m, Decision.of(m, seen, now), seen, now, held);
  }

  private static Map<ByteBuffer, WriteLocks.Held> byKey(List<WriteLocks.Held> held) {
    Map<ByteBuffer, WriteLocks.Held> map = new HashMap<>(held.size() * 2);
    for (WriteLocks.Held h : held) {
      map.put(ByteBuffer.wrap(h.key), h);
    }
    return map;
  }
}
