package dev.cascade.internal.engine;

import dev.cascade.ListenerStatistics;
import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.admin.ViewCodecs;
import dev.cascade.internal.event.EntryChange;
import dev.cascade.internal.management.CacheStats;
import dev.cascade.internal.near.NearCache;
import dev.cascade.internal.store.Cleanup;
import dev.cascade.internal.store.EntryStore;
import dev.cascade.internal.store.Mutation;
import dev.cascade.internal.store.Mutation.Condition;
import dev.cascade.internal.store.Outcome;
import dev.cascade.internal.store.Outcome.Status;
import dev.cascade.internal.support.Lifecycle;
import dev.cascade.internal.writebehind.Flusher;
import dev.cascade.writebehind.WriteBehindMXBean;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import javax.cache.Cache;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.event.EventType;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations of one cache, each written once: validate, encode, decide (one atomic "examine,
 * then mutate" step in Redis, see {@link EntryEngine}), write through, apply, statistics, events.
 * Single-entry operations are here; bulk operations are in {@link BulkOperations} and entry
 * processors in {@link Invocations}. The JCache surface ({@code dev.cascade.CascadeCache}) guards
 * (closed?) and delegates here.
 *
 * <p>Thread-safe.
 */
public final class EntryOperations<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(EntryOperations.class);

  private final CacheCore<K, V> core;
  private final ReadThrough<K, V> readThrough;
  private final BulkOperations<K, V> bulk;
  private final Invocations<K, V> invocations;
  private final List<Object> closeables;
  private final Flusher<K, V> flusher;
  private final Executor background;
  private Cache<K, V> cache;
  private volatile boolean closed;

  /**
   * @param closeables the loader, writer and expiry policy made for this cache, closed with it
   * @param flusher this JVM's write-behind flushers of the cache, or null
   * @param background where {@code loadAll} runs
   */
  EntryOperations(
      CacheCore<K, V> core, List<Object> closeables, Flusher<K, V> flusher, Executor background) {
    this.core = core;
    this.closeables = closeables;
    this.flusher = flusher;
    this.background = background;
    this.readThrough = core.readsThrough() ? new ReadThrough<>(core) : null;
    this.bulk = new BulkOperations<>(core, readThrough);
    this.invocations = new Invocations<>(core);
  }

  /**
   * Binds the operations to the cache users hold (the source of its events, what iterators remove
   * through). Called once, by the manager.
   */
  public void start(Cache<K, V> cache) {
    this.cache = cache;
    core.events().attach(cache);
  }

  /** Starts this JVM's write-behind flushers of the cache; false when it has none. */
  public boolean startFlushing() {
    if (flusher == null) {
      return false;
    }
    flusher.start();
    return true;
  }

  CacheCore<K, V> core() {
    return core;
  }

  // ------------------------------------------------------------------ reads

  public V get(K key) {
    core.checkKey(key);
    // a read may reap an expired entry or load one: events, in the key's order
    long start = core.stats().start();
    byte[] k = core.encodeKey(key);
    if (!core.readsMayChange()) {
      return read(key, k, start);
    }
    return core.keyOrder().one(k, () -> read(key, k, start));
  }

  private V read(K key, byte[] k, long start) {
    EntryReader.Read read = core.reader().read(k);
    List<EntryChange<K, V>> changes = new ArrayList<>(1);
    core.collectExpired(changes, key, k, read.expired());
    V value;
    if (read.value() != null) {
      core.stats().hits(1);
      value = core.decodeValue(read.value());
      core.dispatch(changes);
    } else {
      core.stats().misses(1);
      core.dispatch(changes);
      // a queued delete (write-behind) means the database is behind: no load
      value = readThrough == null || !read.loadable() ? null : readThrough.load(key, k);
    }
    core.stats().getTime(start);
    return value;
  }

  public boolean containsKey(K key) {
    core.checkKey(key);
    return core.engine()
        .await(core.engine().store().read(core.encodeKey(key)), "checking a key")
        .isLiveAt(core.engine().now());
  }

  // ------------------------------------------------------------------ writes
  //
  // Every single-entry change is the template change(): the operation validates its arguments (so
  // nothing happens on a bad one), names its mutation, its write-through step and what its outcome
  // means (result and statistics); the template encodes, decides and applies in one atomic step
  // (writing through first, under the key's lock), and fires the events.

  /** What an operation makes of the outcome of its change: its result, and its statistics. */
  @FunctionalInterface
  private interface Completion<R> {
    R complete(Outcome outcome, long start);
  }

  private <R> R change(
      K key,
      V newValue,
      Supplier<Mutation> mutation,
      EntryEngine.BeforeChange beforeChange,
      Completion<R> completion) {
    long start = core.stats().start();
    byte[] k = core.encodeKey(key);
    return core.keyOrder()
        .one(
            k,
            () -> {
              Outcome o = core.engine().apply(k, mutation.get(), core.locks(), beforeChange);
              R result;
              try {
                result = completion.complete(o, start);
              } finally {
                fire(key, k, o, newValue); // made: heard even when its old value cannot be read
              }
              return result;
            });
  }

  public void put(K key, V value) {
    core.checkKey(key);
    core.checkValue(key, value);
    // loggedPlainWrites() holds whenever plainWrites() does: listeners only add the log
    if (core.loggedPlainWrites()) {
      long start = core.stats().start();
      byte[] k = core.encodeKey(key);
      byte[] v = core.encodeValue(value);
      if (core.plainWrites()) {
        // no listener, writer or expiry policy: no user code runs and no event is made, so there
        // is nothing to order (and the hottest path allocates nothing for it)
        core.engine().putPlain(k, v);
        core.stats().put(start);
        return;
      }
      core.keyOrder().one(k, () -> putPlainLogged(key, k, v, value, start));
      return;
    }
    change(
        key,
        value,
        () ->
            Mutation.set(Condition.ANY, null, core.encodeValue(value))
                .returningOld(core.needsOld(EventType.UPDATED)),
        writer(d -> d.writes(), key, value),
        (o, start) -> {
          if (o.changedValue()) {
            core.stats().put(start);
          }
          return null;
        });
  }

  private Outcome putPlainLogged(K key, byte[] k, byte[] v, V value, long start) {
    Outcome o = core.engine().putPlainLogged(k, v);
    core.stats().put(start);
    fire(key, k, o, value);
    return o;
  }

  public V getAndPut(K key, V value) {
    core.checkKey(key);
    core.checkValue(key, value);
    return change(
        key,
        value,
        () -> Mutation.set(Condition.ANY, null, core.encodeValue(value)).returningOld(true),
        writer(d -> d.writes(), key, value),
        (o, start) -> {
          V old = core.decodeReplaced(o.old());
          core.stats().lookup(old != null);
          core.stats().getTime(start);
          if (o.changedValue()) {
            core.stats().put(start);
          }
          return old;
        });
  }

  public boolean putIfAbsent(K key, V value) {
    core.checkKey(key);
    core.checkValue(key, value);
    return change(
        key,
        value,
        () -> Mutation.set(Condition.ABSENT, null, core.encodeValue(value)),
        writer(d -> d == Decision.CREATE, key, value),
        (o, start) -> {
          boolean created = o.status() == Status.CREATED;
          core.stats().lookup(!created);
          if (created) {
            core.stats().put(start);
          }
          return created;
        });
  }

  public boolean remove(K key) {
    core.checkKey(key);
    // never a plain DEL: its reply, resent after a reconnect, would say "absent" for a key it
    // removed.
    // JCache: the writer deletes the key whether or not the cache holds it
    return change(
        key,
        null,
        () -> Mutation.delete(Condition.ANY, null).returningOld(core.needsOld(EventType.REMOVED)),
        deleter(d -> true, key),
        (o, start) -> {
          boolean removed = o.status() == Status.DELETED;
          if (removed) {
            core.stats().removal(start);
          }
          return removed;
        });
  }

  public boolean remove(K key, V oldValue) {
    core.checkKey(key);
    core.checkValue(key, oldValue);
    return change(
        key,
        null,
        () ->
            Mutation.delete(Condition.EQUALS, core.encodeValue(oldValue))
                .returningOld(core.needsOld(EventType.REMOVED))
                .accessingOnFailure(),
        deleter(d -> d == Decision.DELETE, key),
        (o, start) -> {
          boolean removed = o.status() == Status.DELETED;
          core.stats().lookup(removed || o.status() == Status.FAILED_PRESENT);
          core.stats().getTime(start);
          if (removed) {
            core.stats().removal(start);
          }
          return removed;
        });
  }

  public V getAndRemove(K key) {
    core.checkKey(key);
    return change(
        key,
        null,
        () -> Mutation.delete(Condition.ANY, null).returningOld(true),
        deleter(d -> true, key),
        (o, start) -> {
          V old = o.status() == Status.DELETED ? core.decodeReplaced(o.old()) : null;
          core.stats().getTime(start);
          core.stats().lookup(old != null);
          if (old != null) {
            core.stats().removal(start);
          }
          return old;
        });
  }

  public boolean replace(K key, V oldValue, V newValue) {
    core.checkKey(key);
    core.checkValue(key, oldValue);
    core.checkValue(key, newValue);
    return change(
        key,
        newValue,
        () ->
            Mutation.set(Condition.EQUALS, core.encodeValue(oldValue), core.encodeValue(newValue))
                .returningOld(core.needsOld(EventType.UPDATED))
                .accessingOnFailure(),
        writer(d -> d == Decision.UPDATE, key, newValue),
        (o, start) -> {
          boolean replaced = o.status() == Status.UPDATED;
          if (replaced) {
            core.stats().put(start);
          }
          core.stats().getTime(start);
          core.stats().lookup(replaced || o.status() == Status.FAILED_PRESENT);
          return replaced;
        });
  }

  public boolean replace(K key, V value) {
    core.checkKey(key);
    core.checkValue(key, value);
    return change(
        key,
        value,
        () ->
            Mutation.set(Condition.PRESENT, null, core.encodeValue(value))
                .returningOld(core.needsOld(EventType.UPDATED)),
        writer(d -> d == Decision.UPDATE, key, value),
        (o, start) -> {
          boolean replaced = o.status() == Status.UPDATED;
          core.stats().getTime(start);
          core.stats().lookup(replaced);
          if (replaced) {
            core.stats().put(start);
          }
          return replaced;
        });
  }

  public V getAndReplace(K key, V value) {
    core.checkKey(key);
    core.checkValue(key, value);
    return change(
        key,
        value,
        () -> Mutation.set(Condition.PRESENT, null, core.encodeValue(value)).returningOld(true),
        writer(d -> d == Decision.UPDATE, key, value),
        (o, start) -> {
          V old = o.status() == Status.UPDATED ? core.decodeReplaced(o.old()) : null;
          core.stats().getTime(start);
          core.stats().lookup(old != null);
          if (old != null) {
            core.stats().put(start);
          }
          return old;
        });
  }

  private interface When {
    boolean test(Decision d);
  }

  /** The write-through step of a put-like operation, or null when the cache has no writer. */
  private EntryEngine.BeforeChange writer(When when, K key, V value) {
    WriteThrough<K, V> w = core.writerStep();
    if (w == null) {
      return null;
    }
    return d -> {
      if (!when.test(d)) {
        return false;
      }
      w.write(key, value);
      return true;
    };
  }

  private EntryEngine.BeforeChange deleter(When when, K key) {
    WriteThrough<K, V> w = core.writerStep();
    if (w == null) {
      return null;
    }
    return d -> {
      if (!when.test(d)) {
        return false;
      }
      w.delete(key);
      return true;
    };
  }

  private void fire(K key, byte[] k, Outcome o, V newValue) {
    if (core.events().isEmpty()) {
      return;
    }
    List<EntryChange<K, V>> changes = new ArrayList<>(2);
    core.collect(changes, key, k, o, newValue);
    core.dispatch(changes);
  }

  // ------------------------------------------------------------------ bulk, processors, iteration

  public Map<K, V> getAll(Set<? extends K> keys) {
    if (!core.readsMayChange()) {
      return bulk.getAll(keys);
    }
    return core.keyOrder().all(() -> core.encodedKeys(keys), () -> bulk.getAll(keys));
  }

  public void loadAll(
      Set<? extends K> keys, boolean replaceExistingValues, CompletionListener completionListener) {
    bulk.loadAll(keys, replaceExistingValues, completionListener, background);
  }

  public void putAll(Map<? extends K, ? extends V> map) {
    // a null map is refused by putAll itself, with its message
    core.keyOrder()
        .all(() -> core.encodedKeys(map == null ? null : map.keySet()), () -> bulk.putAll(map));
  }

  public void removeAll(Set<? extends K> keys) {
    core.keyOrder().all(() -> core.encodedKeys(keys), () -> bulk.removeAll(keys));
  }

  public void removeAll() {
    bulk.removeAll();
  }

  public void clear() {
    core.engine().store().deleteAllEntries();
  }

  public <T> T invoke(K key, EntryProcessor<K, V, T> entryProcessor, Object... arguments) {
    return invocations.invoke(key, entryProcessor, arguments);
  }

  public <T> Map<K, EntryProcessorResult<T>> invokeAll(
      Set<? extends K> keys, EntryProcessor<K, V, T> entryProcessor, Object... arguments) {
    return invocations.invokeAll(keys, entryProcessor, arguments);
  }

  public Iterator<Cache.Entry<K, V>> iterator() {
    return new CacheIterator<>(core, cache);
  }

  // ------------------------------------------------------------------ what the surface shows

  public String name() {
    return core.settings().name;
  }

  /**
   * The cache's configuration as this JVM runs it: its listeners now, statistics and management as
   * set.
   */
  public CascadeConfiguration<K, V> configuration(boolean managementEnabled) {
    CascadeConfiguration<K, V> view = new CascadeConfiguration<>(core.settings().template);
    for (CacheEntryListenerConfiguration<K, V> l : view.getCacheEntryListenerConfigurations()) {
      view.removeCacheEntryListenerConfiguration(l);
    }
    for (CacheEntryListenerConfiguration<K, V> l : core.events().configurations()) {
      view.addCacheEntryListenerConfiguration(l);
    }
    view.setStatisticsEnabled(core.stats().isEnabled());
    view.setManagementEnabled(managementEnabled);
    view.setPartitions(core.settings().partitions);
    return view;
  }

  public boolean statisticsConfigured() {
    return core.settings().statistics;
  }

  public boolean managementConfigured() {
    return core.settings().management;
  }

  public CacheStats statistics() {
    return core.stats();
  }

  public void registerListener(CacheEntryListenerConfiguration<K, V> configuration) {
    core.events().register(configuration);
  }

  public void deregisterListener(CacheEntryListenerConfiguration<K, V> configuration) {
    core.events().deregister(configuration);
  }

  /** The codecs this cache reads and writes with, for operators' views of its entries. */
  public ViewCodecs viewCodecs() {
    CacheSettings<K, V> s = core.settings();
    return new ViewCodecs(s.keyCodec, s.valueCodec, s.codec.name());
  }

  /** This JVM's write-behind numbers, or null when it does not flush the cache. */
  public WriteBehindMXBean writeBehind() {
    return flusher == null ? null : flusher.stats();
  }

  /**
   * True when puts take the plain {@code HSET} path now (an eternal cache without writer, queue or
   * listeners anywhere): for tests that must know which path they exercise.
   */
  public boolean takesPlainWrites() {
    return core.plainWrites();
  }

  /** What this JVM's asynchronous listeners of the cache missed. */
  public ListenerStatistics listenerStatistics() {
    return core.events();
  }

  /** This JVM's near cache of this cache, or null. */
  public NearCache nearCache() {
    return core.reader().nearCache();
  }

  public boolean isClosed() {
    return closed;
  }

  /**
   * Marks the operations closed (every later call of the surface fails); true for the one call that
   * did it.
   */
  public boolean markClosed() {
    synchronized (this) {
      if (closed) {
        return false;
      }
      closed = true;
      return true;
    }
  }

  /**
   * Starts draining this JVM's write-behind queue of the cache without waiting ({@link
   * Flusher#beginDrain}); {@link #shutdown} waits for it. Nothing to do for other caches.
   */
  public void beginDrain() {
    if (flusher != null) {
      flusher.beginDrain();
    }
  }

  /** The cache's keys and commands in Redis (for {@code destroyCache}). */
  public EntryStore store() {
    return core.engine().store();
  }

  /**
   * The cache was destroyed elsewhere and its write-behind queue with it: {@link #shutdown} drains
   * nothing and does not wait for a drain. Nothing to do for other caches.
   */
  public void abandonDrain() {
    if (flusher != null) {
      flusher.abandon();
    }
  }

  /**
   * After {@link #markClosed()}: waits for running loads, drains what this JVM flushes (within the
   * drain timeout; the commands that give leases back go through {@code cleanup}), then closes
   * listeners, loader, writer and expiry policy. Data stays in Redis.
   */
  public void shutdown(Cleanup cleanup) {
    try {
      bulk.awaitLoads(10_000);
      if (flusher != null) {
        // drain before the writer closes: what this JVM cannot flush in time stays queued in Redis
        flusher.close(cleanup);
      }
    } finally {
      core.events().close();
      for (Object o : closeables) {
        Lifecycle.closeQuietly(o, LOG);
      }
    }
  }
}
