package dev.cascade;

import dev.cascade.codec.Codec;
import dev.cascade.codec.Codecs;
import dev.cascade.config.CascadeConfiguration;
import dev.cascade.config.ManagerSettings;
import dev.cascade.event.EventDispatcher;
import dev.cascade.event.EventLanes;
import dev.cascade.event.RemoteEvents;
import dev.cascade.management.CacheStats;
import dev.cascade.near.Invalidations;
import dev.cascade.near.NearCache;
import dev.cascade.store.Cleanup;
import dev.cascade.store.EntryStore;
import dev.cascade.store.KeyLayout;
import dev.cascade.store.QueueStore;
import dev.cascade.store.EvictionPolicy;
import dev.cascade.store.RedisAccess;
import dev.cascade.support.Lifecycle;
import dev.cascade.support.Redaction;
import dev.cascade.writebehind.Flusher;
import dev.cascade.writebehind.WriteBehindWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import javax.cache.spi.CachingProvider;

/**
 * The caches of one Redis (or Redis Cluster) for one class loader.
 *
 * <p>Owns one shared Redis connection, a pub/sub connection for events from other JVMs (opened
 * when a cache first has listeners), the threads of asynchronous listeners, and the registry of
 * caches in Redis. {@link #close()} closes every cache this manager opened and releases all of
 * that; the data stays in Redis.
 *
 * <p>Thread-safe.
 */
public final class CascadeCacheManager implements CacheManager {

  private static final Logger LOG = Logger.getLogger(CascadeCacheManager.class.getName());
  private static final AtomicInteger IDS = new AtomicInteger();

  private final CascadeCachingProvider provider;
  private final URI uri;
  /** {@link #uri} without its password: the only form of it in messages, logs, MBean names and toString. */
  private final String shownUri;
  private final ClassLoader classLoader;
  private final Properties properties;
  private final ManagerSettings settings;
  private final RedisAccess redis;
  private final byte[] origin;
  private final String id;
  private final CacheRegistry registry;
  private final EventLanes lanes;
  private final RemoteEvents remoteEvents;
  private final EventWiring events;
  private final Invalidations invalidations;
  private final ExecutorService background;
  private final ConcurrentHashMap<String, CascadeCache<?, ?>> caches = new ConcurrentHashMap<>();
  private volatile boolean closed;

  CascadeCacheManager(CascadeCachingProvider provider, URI uri, ClassLoader classLoader, Properties properties) {
    this.provider = provider;
    this.uri = uri;
    this.shownUri = Redaction.uri(uri);
    this.classLoader = classLoader;
    this.properties = new Properties();
    if (properties != null) {
      this.properties.putAll(properties);
    }
    this.settings = ManagerSettings.resolve(uri, classLoader, this.properties);
    this.redis = RedisAccess.connect(settings.redisTarget());
    warnIfRedisMayEvict();
    this.id = Integer.toString(IDS.incrementAndGet());
    this.origin = UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII);
    this.registry = new CacheRegistry(redis, classLoader);
    this.lanes = new EventLanes(id, 16);
    this.remoteEvents = new RemoteEvents(redis);
    this.invalidations = new Invalidations(redis);
    this.events = new EventWiring(remoteEvents, origin, () -> new ArrayList<>(caches.values()),
        Lifecycle.daemonThreads("cascade-maintenance-" + id));
    this.background = Executors.newCachedThreadPool(Lifecycle.daemonThreads("cascade-load-" + id));
  }

  /** Says at startup, once per manager, when the server's eviction policy can take Cascade's own keys. */
  private void warnIfRedisMayEvict() {
    try {
      String risk = EvictionPolicy.risk(redis.maxmemoryPolicy());
      if (!risk.isEmpty()) {
        LOG.warning("Redis at " + settings.redisTarget() + ": " + risk + ".");
      }
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "Could not read the maxmemory-policy of Redis at " + settings.redisTarget(), e);
    }
  }

  // ------------------------------------------------------------------ caches

  @Override
  public <K, V, C extends Configuration<K, V>> Cache<K, V> createCache(String cacheName, C configuration) {
    requireOpen();
    if (cacheName == null) {
      throw new NullPointerException("The cache name is null");
    }
    if (configuration == null) {
      throw new NullPointerException("The configuration of cache '" + cacheName + "' is null");
    }
    synchronized (caches) {
      if (caches.containsKey(cacheName)) {
        throw new CacheException("Cache '" + cacheName + "' already exists in this CacheManager (" + shownUri + ")");
      }
      CacheSettings<K, V> cacheSettings = CacheSettings.resolve(cacheName, configuration, settings);
      if (cacheSettings.writeBehind == null && !cacheSettings.writeThrough) {
        // without a writer of its own, this JVM still queues the changes of a write-behind cache
        int joinedBound = registry.recordedQueueBound(cacheName);
        if (joinedBound >= 0) {
          cacheSettings = CacheSettings.resolve(cacheName, configuration, settings, joinedBound);
        }
      }
      registry.register(cacheSettings);
      CascadeCache<K, V> cache = open(cacheSettings);
      caches.put(cacheName, cache);
      return cache;
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public <K, V> Cache<K, V> getCache(String cacheName, Class<K> keyType, Class<V> valueType) {
    requireOpen();
    if (cacheName == null) {
      throw new NullPointerException("The cache name is null");
    }
    if (keyType == null || valueType == null) {
      throw new NullPointerException("The key type and the value type must not be null");
    }
    Cache<?, ?> cache = findOrJoin(cacheName, keyType, valueType);
    if (cache == null) {
      return null;
    }
    requireTypes(cacheName, cache.getConfiguration(Configuration.class), keyType, valueType);
    return (Cache<K, V>) cache;
  }

  private static void requireTypes(String cacheName, Configuration<?, ?> c, Class<?> keyType, Class<?> valueType) {
    if (!keyType.equals(c.getKeyType()) || !valueType.equals(c.getValueType())) {
      throw new ClassCastException("Cache '" + cacheName + "' has key type " + c.getKeyType().getName()
          + " and value type " + c.getValueType().getName() + ", not " + keyType.getName() + " and "
          + valueType.getName());
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public <K, V> Cache<K, V> getCache(String cacheName) {
    requireOpen();
    if (cacheName == null) {
      throw new NullPointerException("The cache name is null");
    }
    return (Cache<K, V>) findOrJoin(cacheName, null, null);
  }

  /**
   * This manager's cache of that name, else one another JVM created in Redis (opened here with the
   * types recorded in the registry, without listeners, loader or writer), else null. A joined
   * cache deserializes what this JVM's configuration allows, and the caller's types when it names
   * them (null when not); the recorded type names allow nothing.
   */
  private Cache<?, ?> findOrJoin(String cacheName, Class<?> keyType, Class<?> valueType) {
    Cache<?, ?> cache = caches.get(cacheName);
    if (cache != null) {
      return cache;
    }
    synchronized (caches) {
      cache = caches.get(cacheName);
      if (cache != null) {
        return cache;
      }
      CascadeConfiguration<Object, Object> recorded = registry.recordedConfiguration(cacheName);
      if (recorded == null) {
        return null;
      }
      boolean typesFromCaller = keyType != null;
      if (typesFromCaller) {
        // before opening: a caller that names other types must not leave a cache open that allows them
        requireTypes(cacheName, recorded, keyType, valueType);
      }
      CacheSettings<Object, Object> cacheSettings = CacheSettings.joined(cacheName, recorded, settings,
          registry.recordedQueueBound(cacheName), typesFromCaller);
      registry.register(cacheSettings);
      CascadeCache<Object, Object> joined = open(cacheSettings);
      caches.put(cacheName, joined);
      return joined;
    }
  }

  private <K, V> CascadeCache<K, V> open(CacheSettings<K, V> s) {
    CascadeConfiguration<K, V> c = s.template;
    List<Object> closeables = new ArrayList<>();
    CacheLoader<K, V> loader = c.getCacheLoaderFactory() == null ? null : c.getCacheLoaderFactory().create();
    closeables.add(loader);
    @SuppressWarnings("unchecked")
    CacheWriter<? super K, ? super V> writer = c.getCacheWriterFactory() == null ? null
        : (CacheWriter<? super K, ? super V>) c.getCacheWriterFactory().create();
    closeables.add(writer);
    ExpiryPolicy expiryPolicy = c.getExpiryPolicyFactory().create();
    closeables.add(expiryPolicy);

    // a write-behind writer is never called before a change: the change is queued with it instead
    WriteBehindWriter<K, V> behind = writer instanceof WriteBehindWriter ? (WriteBehindWriter<K, V>) writer : null;
    CacheWriter<? super K, ? super V> syncWriter = s.writeThrough && behind == null ? writer : null;

    KeyLayout layout = new KeyLayout(s.name, s.partitions);
    EntryStore store = s.writeBehind == null ? new EntryStore(redis, layout, origin, s.queueBound)
        : new EntryStore(redis, layout, origin, s.queueBound, s.writeBehind.replicaAcks(),
            s.writeBehind.replicaAckTimeout());
    ExpiryRules expiry = new ExpiryRules(expiryPolicy);
    WriteLocks locks = syncWriter != null ? new WriteLocks(store, s.lockLease, s.lockWait) : null;
    QueueOverflow overflow = s.queueBound >= 0 ? new QueueOverflow(s.writeBehind, s.name) : null;
    EntryEngine engine = new EntryEngine(store, expiry, locks, System::currentTimeMillis, overflow);
    NearCache near = null;
    if (s.nearCacheMaxEntries > 0) {
      if (expiry.readsTouch()) {
        throw new IllegalArgumentException("Cache '" + s.name + "' asks for a near cache, but its expiry policy"
            + " changes entries when they are read (an access duration, or a custom policy), so every read must"
            + " reach Redis. Use a created/modified/eternal policy, or no near cache.");
      }
      near = invalidations.register(layout, s.nearCacheMaxEntries);
      store.observe(near);
    }
    EntryReader reader = new EntryReader(engine, near);
    Codec<K> keys = Codecs.forKeys(s.keyType, s.filter, classLoader);
    Codec<V> values = Codecs.forValues(s.valueType, s.filter, classLoader);

    Flusher<K, V> flusher = null;
    if (s.queueBound >= 0) {
      QueueStore queue = new QueueStore(redis, layout);
      // the consumer group must exist before anything is queued, or no flusher would see it
      queue.ensureGroups();
      if (behind != null) {
        flusher = new Flusher<>(queue, s.writeBehind, behind.delegate(), keys, values,
            new String(origin, StandardCharsets.US_ASCII), engine::graceMillis, store::replacedRecords);
      }
    }
    CacheWriter<? super K, ? super V> overflowWriter =
        behind != null && overflow.writesThrough() ? behind.delegate() : null;

    EventDispatcher<K, V> dispatcher = new EventDispatcher<>(lanes);
    CacheCore<K, V> core = new CacheCore<>(s, keys, values, engine, reader, dispatcher, new CacheStats(), loader,
        syncWriter, overflowWriter);
    CascadeCache<K, V> cache = new CascadeCache<>(this, core, closeables, flusher);
    dispatcher.attach(cache);
    for (CacheEntryListenerConfiguration<K, V> l : s.initialListeners()) {
      dispatcher.register(l);
    }
    events.opened(cache);
    if (flusher != null) {
      flusher.start();
      provider.flushOnExit();
    }
    return cache;
  }

  <K, V> void listenersChanged(CascadeCache<K, V> cache) {
    events.listenersChanged(cache);
  }

  @Override
  public Iterable<String> getCacheNames() {
    requireOpen();
    return Collections.unmodifiableList(new ArrayList<>(caches.keySet()));
  }

  /**
   * Closes the cache here (a write-behind cache first drains what this JVM can, within its drain
   * timeout), then deletes its data in Redis: entries, queues, dead letters, registry entry.
   */
  @Override
  public void destroyCache(String cacheName) {
    requireOpen();
    if (cacheName == null) {
      throw new NullPointerException("The cache name is null");
    }
    CascadeCache<?, ?> cache = caches.get(cacheName);
    if (cache != null) {
      // close first: a write-behind cache drains what this JVM can before its queues are deleted
      cache.close();
      cache.core().engine.store().deleteEverything();
    } else {
      new EntryStore(redis, new KeyLayout(cacheName, registry.recordedPartitions(cacheName)), origin)
          .deleteEverything();
    }
  }

  @Override
  public void enableManagement(String cacheName, boolean enabled) {
    requireOpen();
    if (cacheName == null) {
      throw new NullPointerException("The cache name is null");
    }
    CascadeCache<?, ?> cache = caches.get(cacheName);
    if (cache != null) {
      cache.setManagementEnabled(enabled);
    }
  }

  @Override
  public void enableStatistics(String cacheName, boolean enabled) {
    requireOpen();
    if (cacheName == null) {
      throw new NullPointerException("The cache name is null");
    }
    CascadeCache<?, ?> cache = caches.get(cacheName);
    if (cache != null) {
      cache.setStatisticsEnabled(enabled);
    }
  }

  void release(CascadeCache<?, ?> cache, Cleanup cleanup) {
    caches.remove(cache.getName(), cache);
    events.closed(cache, cleanup);
    NearCache near = cache.core().reader.nearCache();
    if (near != null) {
      invalidations.unregister(near);
    }
  }

  // ------------------------------------------------------------------ manager

  @Override
  public CachingProvider getCachingProvider() {
    return provider;
  }

  /**
   * The URI exactly as the user gave it, password included: JCache finds the manager again by it
   * ({@code getCacheManager(uri, loader)}), and it is the user's own value. Everything Cascade shows
   * itself (messages, logs, MBean names, {@link #toString()}) uses {@link #shownUri()} instead.
   */
  @Override
  public URI getURI() {
    return uri;
  }

  /** {@link #getURI()} without its password ({@link Redaction#uri(URI)}), for display. */
  String shownUri() {
    return shownUri;
  }

  @Override
  public ClassLoader getClassLoader() {
    return classLoader;
  }

  /**
   * The user's own properties, as given; like {@link #getURI()} they may hold a password
   * ({@code cascade.redis.uri}), and Cascade never shows them.
   */
  @Override
  public Properties getProperties() {
    return properties;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public <T> T unwrap(Class<T> type) {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    throw new IllegalArgumentException("Cannot unwrap a Cascade CacheManager to " + type.getName());
  }

  /** Closes every cache this manager opened and releases its connections and threads. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    provider.release(this);
    // one budget for every cache's cleanup: with Redis down, closing costs one command timeout, not one per command
    Cleanup cleanup = cleanup();
    for (CascadeCache<?, ?> cache : new ArrayList<>(caches.values())) {
      try {
        cache.close(cleanup);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "Closing cache '" + cache.getName() + "' failed", e);
      }
    }
    events.close();
    invalidations.close();
    background.shutdown();
    lanes.close();
    remoteEvents.close();
    redis.close();
  }

  /** The cleanup of one close: see {@link Cleanup}. */
  Cleanup cleanup() {
    return new Cleanup(redis);
  }

  ExecutorService background() {
    return background;
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("CacheManager " + shownUri + " is closed");
    }
  }


  @Override
  public String toString() {
    return "CascadeCacheManager{" + shownUri + "}";
  }
}
