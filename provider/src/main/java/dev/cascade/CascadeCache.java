package dev.cascade;

import dev.cascade.internal.engine.CacheSettings;
import dev.cascade.internal.engine.EntryOperations;
import dev.cascade.internal.management.CacheConfigurationBean;
import dev.cascade.internal.management.MBeans;
import dev.cascade.internal.store.Cleanup;
import dev.cascade.writebehind.WriteBehindMXBean;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.integration.CompletionListener;
import javax.cache.management.CacheStatisticsMXBean;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorResult;
import javax.management.ObjectName;

/**
 * A JCache {@link Cache} whose entries live in Redis.
 *
 * <p>This is the surface users hold: it checks that the cache is open and hands each call to the
 * engine, where every operation is one atomic "examine, then mutate" step in Redis and a
 * write-through writer runs before the cache changes, under the key's lock. It also owns what the
 * JCache API asks of a cache besides its entries: its configuration, its MXBeans, its lifecycle.
 *
 * <pre>{@code
 * CascadeCache<Long, Long> views = cache.unwrap(CascadeCache.class);
 * long queued = views.writeBehind().getQueueDepth();     // a write-behind cache's numbers
 * }</pre>
 *
 * <p>Thread-safe. Every JVM (and every CacheManager) that opens a cache of the same name on the
 * same Redis sees the same entries.
 */
public final class CascadeCache<K, V> implements Cache<K, V> {

  private final CascadeCacheManager manager;
  private final EntryOperations<K, V> operations;
  private final ObjectName configurationName;
  private final ObjectName statisticsName;
  private final ObjectName writeBehindName;
  private volatile boolean managementEnabled;

  /**
   * The settings and the registry token this JVM opened the cache with (see {@link #recordedBy}).
   */
  private final CacheSettings<K, V> settings;

  private volatile String recordedBy;

  /** Ends when a close handed to another thread ({@link #closeDestroyed}) has ended. */
  private final CompletableFuture<Void> closedElsewhere = new CompletableFuture<>();

  /** Why the cache was closed here when it was destroyed elsewhere; null otherwise. */
  private volatile String destroyed;

  CascadeCache(
      CascadeCacheManager manager,
      EntryOperations<K, V> operations,
      CacheSettings<K, V> settings,
      String recordedBy) {
    this.manager = manager;
    this.operations = operations;
    this.settings = settings;
    this.recordedBy = recordedBy;
    // the manager's name: no password, nothing an ObjectName value cannot hold (ManagerName)
    String uri = manager.getURI().toString();
    this.configurationName =
        MBeans.name("javax.cache", "CacheConfiguration", uri, operations.name());
    this.statisticsName = MBeans.name("javax.cache", "CacheStatistics", uri, operations.name());
    this.writeBehindName = MBeans.name("dev.cascade", "WriteBehind", uri, operations.name());
    if (operations.writeBehind() != null) {
      MBeans.register(operations.writeBehind(), writeBehindName, this);
    }
    setStatisticsEnabled(operations.statisticsConfigured());
    setManagementEnabled(operations.managementConfigured());
  }

  EntryOperations<K, V> operations() {
    return operations;
  }

  CacheSettings<K, V> settings() {
    return settings;
  }

  /**
   * The token of the registry record this JVM opened the cache with (null for a record older than
   * the tokens): a record with another token is a cache destroyed and created again.
   */
  String recordedBy() {
    return recordedBy;
  }

  /** The token of the record the cache is used with from now on (see {@link #recordedBy()}). */
  void recordedBy(String token) {
    recordedBy = token;
  }

  // ------------------------------------------------------------------ entries

  @Override
  public V get(K key) {
    enter();
    try {
      return operations.get(key);
    } finally {
      manager.callEnded();
    }
  }

  @Override
  public Map<K, V> getAll(Set<? extends K> keys) {
    enter();
    try {
      return operations.getAll(keys);
    } finally {
      manager.callEnded();
    }
  }

  @Override
  public boolean containsKey(K key) {
    enter();
    try {
      return operations.containsKey(key);
    } finally {
      manager.callEnded();
    }
  }

  @Override
  public void loadAll(
      Set<? extends K> keys, boolean replaceExistingValues, CompletionListener completionListener) {
    enter();
    try {
      operations.loadAll(keys, replaceExistingValues, completionListener);
    } finally {
      manager.callEnded();
    }
  }

  @Override
  public void put(K key, V value) {
    enter();
    try {
      operations.put(key, value);
    } finally {
      manager.callEnded();
    }
  }

  @Override
  public V getAndPut(K key, V value) {
    enter();
    try {
      return operations.getAndPut(key, value);
    } finally {
      manager.callEnded();
    }
  }

  @Override
  public void putAll(Map<? extends K, ? extends V> map) {
    enter();
    try {
      operations.putAll(map);
    } finally {
      manager.callEnded();
    }
  }

  @Override
  public boolean putIfAbsent(K key, V value) {
    enter();
    try {
      return operations.putIfAbsent(key, value);
    } finally {
      manager.callEnded();
    }
  }

  @Override
  public boolean remove(K key) {
    enter();
    try {
      return operations.remove(key);
    } finally {
      manager.callEnded();
    }
  }

  @Override
  public boolean remove(K key, V oldValue) {
    enter();
    try {
      return operations.remove(key, oldValue);
    } finally {
      manager.callEnded();
    }
  }

  @Override
  public V getAndRemove(K key) {
    enter();
    try {
      return operations.getAndRemove(key);
    } finally {
      manager.callEnded();
    }
  }

  @Override
  public boolean replace(K key, V oldValue, V newValue) {
    enter();
    try {
      return operations.replace(key, oldValue, newValue);
    } finally {
      manager.callEnded();
    }
  }

  @Override
  public boolean replace(K key, V value) {
    enter();
    try {
      return operations.replace(key, value);
    } finally {
      manager.callEnded();
    }
  }

  @Override
  public V getAndReplace(K key, V value) {
    enter();
    try {
      return operations.getAndReplace(key, value);
    } finally {
      manager.callEnded();
    }
  }

  @Override
  public void removeAll(Set<? extends K> keys) {
    enter();
    try {
      operations.removeAll(keys);
    } finally {
      manager.callEnded();
    }
  }

  @Override
  public void removeAll() {
    enter();
    try {
      operations.removeAll();
    } finally {
      manager.callEnded();
    }
  }

  @Override
  public void clear() {
    enter();
    try {
      operations.clear();
    } finally {
      manager.callEnded();
    }
  }

  @Override
  public <T> T invoke(K key, EntryProcessor<K, V, T> entryProcessor, Object... arguments) {
    enter();
    try {
      return operations.invoke(key, entryProcessor, arguments);
    } finally {
      manager.callEnded();
    }
  }

  @Override
  public <T> Map<K, EntryProcessorResult<T>> invokeAll(
      Set<? extends K> keys, EntryProcessor<K, V, T> entryProcessor, Object... arguments) {
    enter();
    try {
      return operations.invokeAll(keys, entryProcessor, arguments);
    } finally {
      manager.callEnded();
    }
  }

  @Override
  public Iterator<Entry<K, V>> iterator() {
    requireOpen();
    return operations.iterator();
  }

  // ------------------------------------------------------------------ configuration and lifecycle

  @Override
  public <C extends Configuration<K, V>> C getConfiguration(Class<C> type) {
    Configuration<K, V> view = operations.configuration(managementEnabled);
    if (type.isInstance(view)) {
      return type.cast(view);
    }
    throw new IllegalArgumentException(
        "Cascade cannot give its configuration as a "
            + type.getName()
            + "; ask for CompleteConfiguration, MutableConfiguration or CascadeConfiguration");
  }

  @Override
  public String getName() {
    return operations.name();
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
    operations.registerListener(configuration);
    try {
      manager.listenersChanged(this);
    } catch (RuntimeException | Error e) {
      // not wired (Redis refused the subscription, or is unreachable): not registered either, so
      // the caller may register it again once Redis is back
      operations.deregisterListener(configuration);
      throw e;
    }
  }

  @Override
  public void deregisterCacheEntryListener(CacheEntryListenerConfiguration<K, V> configuration) {
    requireOpen();
    if (configuration == null) {
      throw new NullPointerException("The listener configuration is null");
    }
    operations.deregisterListener(configuration);
    manager.listenersChanged(this);
  }

  /**
   * The write-behind numbers of this cache (queue depth, oldest pending age, records flushed,
   * coalesced, retries, dead letters, last error), the same as its {@code WriteBehind} MXBean; null
   * when this JVM does not flush the cache (not write-behind, or joined without the writer).
   */
  public WriteBehindMXBean writeBehind() {
    return operations.writeBehind();
  }

  /**
   * This JVM's statistics of this cache: the object registered as its {@code CacheStatistics}
   * MXBean while statistics are enabled, readable without JMX (the counters stay still while they
   * are disabled). For metrics libraries; JCache's own view is the MXBean.
   */
  public CacheStatisticsMXBean statistics() {
    return operations.statistics();
  }

  /**
   * What this JVM's asynchronous listeners of this cache missed because the CacheManager's event
   * queue was full ({@code cascade.event-queue}); zero while they keep up.
   */
  public ListenerStatistics listeners() {
    return operations.listenerStatistics();
  }

  /** This JVM's near cache of this cache (hits, misses, size), or null when it has none. */
  public NearCacheStatistics nearCache() {
    return operations.nearCache();
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
    return operations.isClosed();
  }

  /**
   * Closes this JVM's handle: listeners, loader, writer and expiry policy are closed; data stays.
   */
  @Override
  public void close() {
    close(manager.cleanup());
  }

  /**
   * Closes, sending the commands that give back what this cache holds in Redis through {@code
   * cleanup}.
   */
  void close(Cleanup cleanup) {
    if (operations.markClosed()) {
      closeMarked(cleanup);
    }
  }

  private void closeMarked(Cleanup cleanup) {
    manager.release(this, cleanup);
    shutdown(cleanup);
  }

  /** After {@code release}: waits for loads and the flusher, closes the user's parts. */
  private void shutdown(Cleanup cleanup) {
    operations.shutdown(cleanup);
  }

  /**
   * By name, so only from {@link CascadeCacheManager#release}: under its lock no cache of the same
   * name has opened (and registered the same names) meanwhile.
   */
  void unregisterMBeans() {
    MBeans.unregister(writeBehindName, this);
    setStatisticsEnabled(false);
    setManagementEnabled(false);
  }

  /**
   * Closes this handle because the cache was destroyed ({@code why}) by another CacheManager or
   * JVM: calls fail saying so from now on, and the manager forgets it at once (so {@code
   * createCache} and {@code getCache} no longer find it). The rest of the close (waiting for
   * running loads and writer calls, closing the user's loader, writer and listeners) runs on {@code
   * executor}, then {@code whenClosed}. Its write-behind queue went with the cache: nothing is
   * drained.
   */
  void closeDestroyed(String why, Cleanup cleanup, Executor executor, Runnable whenClosed) {
    if (operations.isClosed()) {
      closedElsewhere.complete(null); // closed already, by its own close()
      whenClosed.run();
      return;
    }
    destroyed = why; // first: a call refused from now on says why
    if (!operations.markClosed()) {
      closedElsewhere.complete(null);
      whenClosed.run();
      return;
    }
    operations.abandonDrain();
    manager.release(this, cleanup); // its MBeans too, before a cache of that name can open
    Runnable rest =
        () -> {
          try {
            operations.shutdown(cleanup);
          } finally {
            closedElsewhere.complete(null);
            whenClosed.run();
          }
        };
    try {
      executor.execute(rest);
    } catch (RejectedExecutionException managerClosing) {
      rest.run();
    }
  }

  /** Waits, until {@code deadline} (nanoTime), for a close {@link #closeDestroyed} handed on. */
  void awaitClosed(long deadline) {
    try {
      closedElsewhere.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // the close goes on; what it has not given back by now expires in Redis
    }
  }

  void setStatisticsEnabled(boolean enabled) {
    operations.statistics().setEnabled(enabled);
    if (enabled) {
      MBeans.register(operations.statistics(), statisticsName, this);
    } else {
      MBeans.unregister(statisticsName, this);
    }
  }

  void setManagementEnabled(boolean enabled) {
    managementEnabled = enabled;
    if (enabled) {
      MBeans.register(
          new CacheConfigurationBean(() -> getConfiguration(CompleteConfiguration.class)),
          configurationName,
          this);
    } else {
      MBeans.unregister(configurationName, this);
    }
  }

  private void requireOpen() {
    if (operations.isClosed()) {
      throw closedFailure();
    }
  }

  /**
   * {@link #requireOpen()} for a call of the entries, counted in the manager's calls in flight
   * until {@link CascadeCacheManager#callEnded()}: the manager's close waits for it before it
   * closes the connection ({@link CascadeCacheManager#close()}). Counted first, then checked, so a
   * close either sees the call or the call sees the close. A call that starts once the manager
   * closes fails as one on a closed cache.
   */
  private void enter() {
    manager.callStarted();
    if (operations.isClosed() || manager.isClosed()) {
      manager.callEnded();
      throw closedFailure();
    }
  }

  private IllegalStateException closedFailure() {
    String why = destroyed;
    return new IllegalStateException(
        "Cache '" + getName() + "' is closed" + (why == null ? "" : ": " + why));
  }

  @Override
  public String toString() {
    return "CascadeCache{" + getName() + " on " + manager.shownUri() + "}";
  }
}
