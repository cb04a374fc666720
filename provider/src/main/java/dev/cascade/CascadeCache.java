package dev.cascade;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.event.EntryChange;
import dev.cascade.management.CacheConfigurationBean;
import dev.cascade.management.MBeans;
import dev.cascade.near.NearCache;
import dev.cascade.store.Mutation;
import dev.cascade.store.Mutation.Condition;
import dev.cascade.store.Outcome;
import dev.cascade.store.Outcome.Status;
import dev.cascade.store.Cleanup;
import dev.cascade.support.Lifecycle;
import dev.cascade.writebehind.Flusher;
import dev.cascade.writebehind.WriteBehindMXBean;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.event.EventType;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorResult;
import javax.management.ObjectName;

/**
 * A JCache {@link Cache} whose entries live in Redis.
 *
 * <p>Each operation validates its arguments before any side effect, then runs as one atomic
 * "examine, then mutate" step in Redis (see {@link EntryEngine}); a write-through writer runs
 * before the cache changes, under the key's lock. Single-entry operations are here; bulk
 * operations are in {@link BulkOperations} and entry processors in {@link Invocations}.
 *
 * <p>Thread-safe. Every JVM (and every CacheManager) that opens a cache of the same name on the
 * same Redis sees the same entries.
 */
public final class CascadeCache<K, V> implements Cache<K, V> {

  private static final Logger LOG = Logger.getLogger(CascadeCache.class.getName());

  private final CascadeCacheManager manager;
  private final CacheCore<K, V> core;
  private final BulkOperations<K, V> bulk;
  private final Invocations<K, V> invocations;
  private final List<Object> closeables;
  private final Flusher<K, V> flusher;
  private final ObjectName configurationName;
  private final ObjectName statisticsName;
  private final ObjectName writeBehindName;
  private volatile boolean closed;
  private volatile boolean managementEnabled;

  /** @param flusher this JVM's write-behind flushers of the cache, or null */
  CascadeCache(CascadeCacheManager manager, CacheCore<K, V> core, List<Object> closeables, Flusher<K, V> flusher) {
    this.manager = manager;
    this.core = core;
    this.flusher = flusher;
    this.bulk = new BulkOperations<>(core, this);
    this.invocations = new Invocations<>(core);
    this.closeables = closeables;
    // MBeans.name shows the manager's URI without its password
    String uri = manager.getURI().toString();
    this.configurationName = MBeans.name("javax.cache", "CacheConfiguration", uri, core.settings.name);
    this.statisticsName = MBeans.name("javax.cache", "CacheStatistics", uri, core.settings.name);
    this.writeBehindName = MBeans.name("dev.cascade", "WriteBehind", uri, core.settings.name);
    if (flusher != null) {
      MBeans.register(flusher.stats(), writeBehindName);
    }
    setStatisticsEnabled(core.settings.template.isStatisticsEnabled());
    setManagementEnabled(core.settings.template.isManagementEnabled());
  }

  CacheCore<K, V> core() {
    return core;
  }

  // ------------------------------------------------------------------ reads

  @Override
  public V get(K key) {
    requireOpen();
    core.checkKey(key);
    long start = core.stats.start();
    byte[] k = core.encodeKey(key);
    EntryReader.Read read = core.reader.read(k);
    List<EntryChange<K, V>> changes = new ArrayList<>(1);
    core.collectExpired(changes, key, k, read.expired);
    V value;
    if (read.value != null) {
      core.stats.hits(1);
      value = core.decodeValue(read.value);
      core.dispatch(changes);
    } else {
      core.stats.misses(1);
      core.dispatch(changes);
      // a queued delete (write-behind) means the database is behind: no load
      value = core.readThrough == null || !read.loadable() ? null : core.readThrough.load(key, k);
    }
    core.stats.getTime(start);
    return value;
  }

  @Override
  public boolean containsKey(K key) {
    requireOpen();
    core.checkKey(key);
    return core.engine.await(core.engine.store().read(core.encodeKey(key)), "checking a key")
        .isLiveAt(core.engine.now());
  }

  // ------------------------------------------------------------------ writes

  @Override
  public void put(K key, V value) {
    requireOpen();
    core.checkKey(key);
    core.checkValue(key, value);
    long start = core.stats.start();
    byte[] k = core.encodeKey(key);
    Outcome o;
    if (core.plainWrites()) {
      o = core.engine.putPlain(k, core.encodeValue(value));
    } else {
      Mutation m = Mutation.set(Condition.ANY, null, core.encodeValue(value)).returningOld(core.needsOld(EventType.UPDATED));
      o = core.engine.apply(k, m, core.locks(), writer(d -> d.writes(), key, value));
    }
    if (o.changedValue()) {
      core.stats.put(start);
    }
    fire(key, k, o, value);
  }

  @Override
  public V getAndPut(K key, V value) {
    requireOpen();
    core.checkKey(key);
    core.checkValue(key, value);
    long start = core.stats.start();
    byte[] k = core.encodeKey(key);
    Mutation m = Mutation.set(Condition.ANY, null, core.encodeValue(value)).returningOld(true);
    Outcome o = core.engine.apply(k, m, core.locks(), writer(d -> d.writes(), key, value));
    V old = core.decodeValue(o.old());
    core.stats.lookup(old != null);
    core.stats.getTime(start);
    if (o.changedValue()) {
      core.stats.put(start);
    }
    fire(key, k, o, value);
    return old;
  }

  @Override
  public boolean putIfAbsent(K key, V value) {
    requireOpen();
    core.checkKey(key);
    core.checkValue(key, value);
    long start = core.stats.start();
    byte[] k = core.encodeKey(key);
    Mutation m = Mutation.set(Condition.ABSENT, null, core.encodeValue(value));
    Outcome o = core.engine.apply(k, m, core.locks(), writer(d -> d == Decision.CREATE, key, value));
    boolean created = o.status() == Status.CREATED;
    core.stats.lookup(!created);
    if (created) {
      core.stats.put(start);
    }
    fire(key, k, o, value);
    return created;
  }

  @Override
  public boolean remove(K key) {
    requireOpen();
    core.checkKey(key);
    long start = core.stats.start();
    byte[] k = core.encodeKey(key);
    // never a plain DEL: its reply, resent after a reconnect, would say "absent" for a key it removed
    Mutation m = Mutation.delete(Condition.ANY, null).returningOld(core.needsOld(EventType.REMOVED));
    // JCache: the writer deletes the key whether or not the cache holds it
    Outcome o = core.engine.apply(k, m, core.locks(), deleter(d -> true, key));
    boolean removed = o.status() == Status.DELETED;
    if (removed) {
      core.stats.removal(start);
    }
    fire(key, k, o, null);
    return removed;
  }

  @Override
  public boolean remove(K key, V oldValue) {
    requireOpen();
    core.checkKey(key);
    core.checkValue(key, oldValue);
    long start = core.stats.start();
    byte[] k = core.encodeKey(key);
    Mutation m = Mutation.delete(Condition.EQUALS, core.encodeValue(oldValue))
        .returningOld(core.needsOld(EventType.REMOVED)).accessingOnFailure();
    Outcome o = core.engine.apply(k, m, core.locks(), deleter(d -> d == Decision.DELETE, key));
    boolean removed = o.status() == Status.DELETED;
    core.stats.lookup(removed || o.status() == Status.FAILED_PRESENT);
    core.stats.getTime(start);
    if (removed) {
      core.stats.removal(start);
    }
    fire(key, k, o, null);
    return removed;
  }

  @Override
  public V getAndRemove(K key) {
    requireOpen();
    core.checkKey(key);
    long start = core.stats.start();
    byte[] k = core.encodeKey(key);
    Mutation m = Mutation.delete(Condition.ANY, null).returningOld(true);
    Outcome o = core.engine.apply(k, m, core.locks(), deleter(d -> true, key));
    V old = o.status() == Status.DELETED ? core.decodeValue(o.old()) : null;
    core.stats.getTime(start);
    core.stats.lookup(old != null);
    if (old != null) {
      core.stats.removal(start);
    }
    fire(key, k, o, null);
    return old;
  }

  @Override
  public boolean replace(K key, V oldValue, V newValue) {
    requireOpen();
    core.checkKey(key);
    core.checkValue(key, oldValue);
    core.checkValue(key, newValue);
    long start = core.stats.start();
    byte[] k = core.encodeKey(key);
    Mutation m = Mutation.set(Condition.EQUALS, core.encodeValue(oldValue), core.encodeValue(newValue))
        .returningOld(core.needsOld(EventType.UPDATED)).accessingOnFailure();
    Outcome o = core.engine.apply(k, m, core.locks(), writer(d -> d == Decision.UPDATE, key, newValue));
    boolean replaced = o.status() == Status.UPDATED;
    if (replaced) {
      core.stats.put(start);
    }
    core.stats.getTime(start);
    core.stats.lookup(replaced || o.status() == Status.FAILED_PRESENT);
    fire(key, k, o, newValue);
    return replaced;
  }

  @Override
  public boolean replace(K key, V value) {
    requireOpen();
    core.checkKey(key);
    core.checkValue(key, value);
    long start = core.stats.start();
    byte[] k = core.encodeKey(key);
    Mutation m = Mutation.set(Condition.PRESENT, null, core.encodeValue(value)).returningOld(core.needsOld(EventType.UPDATED));
    Outcome o = core.engine.apply(k, m, core.locks(), writer(d -> d == Decision.UPDATE, key, value));
    boolean replaced = o.status() == Status.UPDATED;
    core.stats.getTime(start);
    core.stats.lookup(replaced);
    if (replaced) {
      core.stats.put(start);
    }
    fire(key, k, o, value);
    return replaced;
  }

  @Override
  public V getAndReplace(K key, V value) {
    requireOpen();
    core.checkKey(key);
    core.checkValue(key, value);
    long start = core.stats.start();
    byte[] k = core.encodeKey(key);
    Mutation m = Mutation.set(Condition.PRESENT, null, core.encodeValue(value)).returningOld(true);
    Outcome o = core.engine.apply(k, m, core.locks(), writer(d -> d == Decision.UPDATE, key, value));
    V old = o.status() == Status.UPDATED ? core.decodeValue(o.old()) : null;
    core.stats.getTime(start);
    core.stats.lookup(old != null);
    if (old != null) {
      core.stats.put(start);
    }
    fire(key, k, o, value);
    return old;
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
      if (when.test(d)) {
        w.write(key, value);
      }
    };
  }

  private EntryEngine.BeforeChange deleter(When when, K key) {
    WriteThrough<K, V> w = core.writerStep();
    if (w == null) {
      return null;
    }
    return d -> {
      if (when.test(d)) {
        w.delete(key);
      }
    };
  }

  private void fire(K key, byte[] k, Outcome o, V newValue) {
    if (core.events.isEmpty()) {
      return;
    }
    List<EntryChange<K, V>> changes = new ArrayList<>(2);
    core.collect(changes, key, k, o, newValue);
    core.dispatch(changes);
  }

  // ------------------------------------------------------------------ bulk, processors, iteration

  @Override
  public Map<K, V> getAll(Set<? extends K> keys) {
    requireOpen();
    return bulk.getAll(keys);
  }

  @Override
  public void loadAll(Set<? extends K> keys, boolean replaceExistingValues, CompletionListener completionListener) {
    requireOpen();
    bulk.loadAll(keys, replaceExistingValues, completionListener, manager.background());
  }

  @Override
  public void putAll(Map<? extends K, ? extends V> map) {
    requireOpen();
    bulk.putAll(map);
  }

  @Override
  public void removeAll(Set<? extends K> keys) {
    requireOpen();
    bulk.removeAll(keys);
  }

  @Override
  public void removeAll() {
    requireOpen();
    bulk.removeAll();
  }

  @Override
  public void clear() {
    requireOpen();
    core.engine.store().deleteAllEntries();
  }

  @Override
  public <T> T invoke(K key, EntryProcessor<K, V, T> entryProcessor, Object... arguments) {
    requireOpen();
    return invocations.invoke(key, entryProcessor, arguments);
  }

  @Override
  public <T> Map<K, EntryProcessorResult<T>> invokeAll(Set<? extends K> keys, EntryProcessor<K, V, T> entryProcessor,
      Object... arguments) {
    requireOpen();
    return invocations.invokeAll(keys, entryProcessor, arguments);
  }

  @Override
  public Iterator<Entry<K, V>> iterator() {
    requireOpen();
    return new CacheIterator<>(core, this);
  }

  // ------------------------------------------------------------------ configuration and lifecycle

  @Override
  public <C extends Configuration<K, V>> C getConfiguration(Class<C> type) {
    CascadeConfiguration<K, V> view = new CascadeConfiguration<>(core.settings.template);
    for (CacheEntryListenerConfiguration<K, V> l : view.getCacheEntryListenerConfigurations()) {
      view.removeCacheEntryListenerConfiguration(l);
    }
    for (CacheEntryListenerConfiguration<K, V> l : core.events.configurations()) {
      view.addCacheEntryListenerConfiguration(l);
    }
    view.setStatisticsEnabled(core.stats.isEnabled());
    view.setManagementEnabled(managementEnabled);
    view.setPartitions(core.settings.partitions);
    if (type.isInstance(view)) {
      return type.cast(view);
    }
    throw new IllegalArgumentException("Cascade cannot give its configuration as a " + type.getName()
        + "; ask for CompleteConfiguration, MutableConfiguration or CascadeConfiguration");
  }

  @Override
  public String getName() {
    return core.settings.name;
  }

  @Override
  public CacheManager getCacheManager() {
    return manager;
  }

  @Override
  public void registerCacheEntryListener(CacheEntryListenerConfiguration<K, V> configuration) {
    requireOpen();
    if (configuration == null) {
      throw new NullPointerException("The listener configuration is null");
    }
    core.events.register(configuration);
    manager.listenersChanged(this);
  }

  @Override
  public void deregisterCacheEntryListener(CacheEntryListenerConfiguration<K, V> configuration) {
    requireOpen();
    if (configuration == null) {
      throw new NullPointerException("The listener configuration is null");
    }
    core.events.deregister(configuration);
    manager.listenersChanged(this);
  }

  /**
   * The write-behind numbers of this cache (queue depth, oldest pending age, records flushed,
   * coalesced, retries, dead letters, last error), the same as its {@code WriteBehind} MXBean; null
   * when this JVM does not flush the cache (not write-behind, or joined without the writer).
   */
  public WriteBehindMXBean writeBehind() {
    return flusher == null ? null : flusher.stats();
  }

  /** This JVM's near cache of this cache (hits, misses, size), or null when it has none. */
  public NearCache nearCache() {
    return core.reader.nearCache();
  }

  @Override
  public <T> T unwrap(Class<T> type) {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    throw new IllegalArgumentException("Cannot unwrap a Cascade cache to " + type.getName());
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  /** Closes this JVM's handle: listeners, loader, writer and expiry policy are closed; data stays. */
  @Override
  public void close() {
    close(manager.cleanup());
  }

  /** Closes, sending the commands that give back what this cache holds in Redis through {@code cleanup}. */
  void close(Cleanup cleanup) {
    if (closed) {
      return;
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    manager.release(this, cleanup);
    try {
      bulk.awaitLoads(10_000);
      if (flusher != null) {
        // drain before the writer closes: what this JVM cannot flush in time stays queued in Redis
        flusher.close(cleanup);
        MBeans.unregister(writeBehindName);
      }
      setStatisticsEnabled(false);
      setManagementEnabled(false);
    } finally {
      core.events.close();
      for (Object o : closeables) {
        Lifecycle.closeQuietly(o, LOG);
      }
    }
  }

  void setStatisticsEnabled(boolean enabled) {
    core.stats.setEnabled(enabled);
    if (enabled) {
      MBeans.register(core.stats, statisticsName);
    } else {
      MBeans.unregister(statisticsName);
    }
  }

  void setManagementEnabled(boolean enabled) {
    managementEnabled = enabled;
    if (enabled) {
      MBeans.register(new CacheConfigurationBean(() -> getConfiguration(CompleteConfiguration.class)),
          configurationName);
    } else {
      MBeans.unregister(configurationName);
    }
  }


  void requireOpen() {
    if (closed) {
      throw new IllegalStateException("Cache '" + getName() + "' is closed");
    }
  }

  @Override
  public String toString() {
    return "CascadeCache{" + getName() + " on " + manager.shownUri() + "}";
  }
}
