package dev.cascade;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.admin.RecordedCodecs;
import dev.cascade.internal.admin.ViewCodecs;
import dev.cascade.internal.config.DeclaredCache;
import dev.cascade.internal.config.ManagerSettings;
import dev.cascade.internal.engine.CacheAssembly;
import dev.cascade.internal.engine.CacheRegistry;
import dev.cascade.internal.engine.CacheSettings;
import dev.cascade.internal.engine.EntryOperations;
import dev.cascade.internal.engine.EventWiring;
import dev.cascade.internal.event.EventLanes;
import dev.cascade.internal.event.RemoteEvents;
import dev.cascade.internal.management.ManagerName;
import dev.cascade.internal.near.Invalidations;
import dev.cascade.internal.near.NearCache;
import dev.cascade.internal.store.Cleanup;
import dev.cascade.internal.store.EntryStore;
import dev.cascade.internal.store.EvictionPolicy;
import dev.cascade.internal.store.HashEncoding;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.internal.store.RedisAccess;
import dev.cascade.internal.support.Lifecycle;
import dev.cascade.internal.support.Redaction;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.Configuration;
import javax.cache.spi.CachingProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caches of one Redis (or Redis Cluster) for one class loader.
 *
 * <p>Owns one shared Redis connection, a pub/sub connection for events from other JVMs (opened when
 * a cache first has listeners), the threads of asynchronous listeners, and the registry of caches
 * in Redis. {@link #close()} closes every cache this manager opened and releases all of that; the
 * data stays in Redis.
 *
 * <p>Thread-safe.
 */
public final class CascadeCacheManager implements CacheManager {

  private static final Logger LOG = LoggerFactory.getLogger(CascadeCacheManager.class);
  private static final AtomicInteger IDS = new AtomicInteger();

  private final CascadeCachingProvider provider;

  /** The URI the manager was asked for, password included: what it connects with. */
  private final URI uri;

  /** What {@link #getURI()} returns: {@link #uri} fit to be a name ({@link ManagerName}). */
  private final URI managerName;

  /**
   * {@link #uri} with {@code ***} for its password: the only form of it in messages, logs and
   * toString (MBean names use {@link #managerName}).
   */
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
  private final CacheAssembly assembly;
  private final ConcurrentHashMap<String, CascadeCache<?, ?>> caches = new ConcurrentHashMap<>();

  /**
   * The caches this manager created ({@code createCache}, declared caches), open or closed, until
   * they are destroyed: {@code getCache} after a cache's {@code close()} opens it again with its
   * settings, its loader, writer, listeners and expiry policy made afresh from their factories.
   * Joining with the registry's record instead would give it none of them, and a write-through
   * cache's puts would stop reaching the database. Guarded by {@link #caches}.
   */
  private final Map<String, Created> createdHere = new HashMap<>();

  /** A cache this manager created, and the token of the registry record it last had open. */
  private static final class Created {
    final CacheSettings<?, ?> settings;

    /**
     * {@code recordedBy} of the record ("" for a record older than the tokens): a record with
     * another token is a cache destroyed and created again since, by anybody, with settings this
     * manager's may not agree with in what the record does not say (the writer, the listeners).
     */
    String token;

    Created(CacheSettings<?, ?> settings, String recordedBy) {
      this.settings = settings;
      this.token = recordedBy == null ? "" : recordedBy;
    }
  }

  /** Caches destroyed elsewhere whose close still runs on a thread of its own. */
  private final Set<CascadeCache<?, ?>> closingElsewhere = ConcurrentHashMap.newKeySet();

  /**
   * How long {@link #close()} waits for such a close: it waits for running loads (10 s), a flush
   * round and writer calls, each bounded.
   */
  private static final Duration CLOSING_ELSEWHERE_WAIT = Duration.ofSeconds(30);

  private volatile boolean closed;

  CascadeCacheManager(
      CascadeCachingProvider provider, URI uri, ClassLoader classLoader, Properties properties) {
    this.provider = provider;
    this.uri = uri;
    this.managerName = ManagerName.of(uri);
    this.shownUri = Redaction.uri(uri);
    this.classLoader = classLoader;
    this.properties = new Properties();
    if (properties != null) {
      this.properties.putAll(properties);
      // putAll leaves out the defaults of a Properties made with new Properties(defaults), which
      // getProperty (and so the caller) sees
      for (String name : properties.stringPropertyNames()) {
        this.properties.setProperty(name, properties.getProperty(name));
      }
    }
    this.settings = ManagerSettings.resolve(uri, classLoader, this.properties);
    try {
      // a secret that cannot be used fails here, not at the first cache
      settings.valueTags();
      this.redis = RedisAccess.connect(settings.redisTarget());
    } catch (RuntimeException e) {
      settings.close();
      throw e;
    }
    warnIfRedisMayEvict();
    warnIfEntriesCostMoreMemory();
    this.id = Integer.toString(IDS.incrementAndGet());
    this.origin = UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII);
    this.registry = new CacheRegistry(redis, classLoader);
    // a change waits for room at most one command timeout: as long as it may wait for Redis
    this.lanes =
        new EventLanes(
            id,
            ManagerSettings.MAX_EVENT_THREADS,
            settings.eventThreads(),
            settings.eventQueue(),
            redis.target().timeout());
    this.remoteEvents = new RemoteEvents(redis);
    this.invalidations = new Invalidations(redis);
    this.events =
        new EventWiring(
            remoteEvents,
            origin,
            this::openOperations,
            this::checkRecord,
            redis::whenRedisMayHaveLost,
            Lifecycle.daemonThreads("cascade-maintenance-" + id));
    this.background = Executors.newCachedThreadPool(Lifecycle.daemonThreads("cascade-load-" + id));
    this.assembly = new CacheAssembly(redis, origin, lanes, invalidations, background);
    openDeclaredCaches();
  }

  /**
   * Opens the caches the configuration file declares, as Ehcache opens those of its XML: they exist
   * as soon as the manager does. If one cannot open, the manager closes and the error names the
   * cache and where it is declared.
   */
  private void openDeclaredCaches() {
    for (DeclaredCache declared : settings.declaredCaches()) {
      CascadeConfiguration<Object, Object> configuration = declared.configuration();
      // the one place a file's codec.name reaches a cache: the cache's codec.name, else
      // cascade.codec.name; null keeps the default codec
      if (declared.codecName() != null) {
        configuration.setCodec(declared.codecName());
      }
      try {
        createCache(declared.name(), configuration);
      } catch (RuntimeException e) {
        close();
        throw new CacheException(
            "Cache '"
                + declared.name()
                + "' declared at "
                + declared.place()
                + " cannot open: "
                + e.getMessage(),
            e);
      }
    }
  }

  /**
   * Says at startup, once per manager, when the server's eviction policy can take Cascade's own
   * keys.
   */
  private void warnIfRedisMayEvict() {
    try {
      String risk = EvictionPolicy.risk(redis.maxmemoryPolicy());
      if (!risk.isEmpty()) {
        LOG.warn("Redis at " + settings.redisTarget() + ": " + risk + ".");
      }
    } catch (RuntimeException e) {
      LOG.debug("Could not read the maxmemory-policy of Redis at " + settings.redisTarget(), e);
    }
  }

  /** Redis servers already asked for their hash-max-listpack-value, by target (once per JVM). */
  private static final Set<String> HASH_LIMIT_ASKED = ConcurrentHashMap.newKeySet();

  /**
   * Says at startup, once per JVM and Redis, when the server's {@code hash-max-listpack-value}
   * makes entries with values over 64 bytes cost about 120 bytes more each ({@link HashEncoding}):
   * most servers run with the default, and one line per manager would drown the log. Skipped
   * quietly when the server does not let us ask (an ACL user of its own, a managed Redis without
   * {@code CONFIG}).
   */
  private void warnIfEntriesCostMoreMemory() {
    String target = settings.redisTarget().toString();
    if (!HASH_LIMIT_ASKED.add(target)) {
      return;
    }
    try {
      String cost = HashEncoding.cost(redis.hashValueLimits());
      if (!cost.isEmpty()) {
        LOG.warn("Redis at " + target + ": " + cost + ".");
      }
    } catch (RuntimeException e) {
      LOG.debug("Could not read the hash-max-listpack-value of Redis at " + target, e);
    }
  }

  /** The engines of the caches this manager has open (for event wiring). */
  private List<EntryOperations<?, ?>> openOperations() {
    List<EntryOperations<?, ?>> all = new ArrayList<>();
    for (CascadeCache<?, ?> cache : caches.values()) {
      all.add(cache.operations());
    }
    return all;
  }

  // ------------------------------------------------------------------ caches

  @Override
  public <K, V, C extends Configuration<K, V>> Cache<K, V> createCache(
      String cacheName, C configuration) {
    requireOpen();
    if (cacheName == null) {
      throw new NullPointerException("The cache name is null");
    }
    if (configuration == null) {
      throw new NullPointerException("The configuration of cache '" + cacheName + "' is null");
    }
    synchronized (caches) {
      requireOpen(); // again under the lock: close() takes its list of caches under it
      if (caches.containsKey(cacheName)) {
        throw new CacheException(
            "Cache '"
                + cacheName
                + "' already exists in this CacheManager ("
                + shownUri
                + ")"
                + declaredAt(cacheName));
      }
      CacheSettings<K, V> cacheSettings = CacheSettings.resolve(cacheName, configuration, settings);
      if (cacheSettings.writeBehind == null && !cacheSettings.writeThrough) {
        // without a writer of its own, this JVM still queues the changes of a write-behind cache
        int joinedBound = registry.recordedQueueBound(cacheName);
        if (joinedBound >= 0) {
          cacheSettings = CacheSettings.resolve(cacheName, configuration, settings, joinedBound);
        }
      }
      CascadeCache<K, V> cache = registerAndOpen(cacheSettings, false);
      caches.put(cacheName, cache);
      createdHere.put(cacheName, new Created(cacheSettings, cache.recordedBy()));
      return cache;
    }
  }

  /** ": declared at cascade.yaml line 12" for a declared cache, else "". */
  private String declaredAt(String cacheName) {
    for (DeclaredCache declared : settings.declaredCaches()) {
      if (declared.name().equals(cacheName)) {
        return ": declared at " + declared.place() + "; use getCache(\"" + cacheName + "\")";
      }
    }
    return "";
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

  private static void requireTypes(
      String cacheName, Configuration<?, ?> c, Class<?> keyType, Class<?> valueType) {
    if (!keyType.equals(c.getKeyType()) || !valueType.equals(c.getValueType())) {
      throw typeMismatch(cacheName, c.getKeyType(), c.getValueType(), keyType, valueType);
    }
  }

  private static ClassCastException typeMismatch(
      String cacheName,
      Class<?> hasKey,
      Class<?> hasValue,
      Class<?> askedKey,
      Class<?> askedValue) {
    return new ClassCastException(
        "Cache '"
            + cacheName
            + "' has key type "
            + hasKey.getName()
            + " and value type "
            + hasValue.getName()
            + ", not "
            + askedKey.getName()
            + " and "
            + askedValue.getName());
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
   * This manager's open cache of that name; else, while Redis records it, one this manager created
   * and closed, opened again as it was created ({@link #createdHere}), or one another JVM created
   * (opened here with the types recorded in the registry, without listeners, loader or writer);
   * else null. A joined cache deserializes what this JVM's configuration allows, and the caller's
   * types when it names them (null when not); the recorded type names allow nothing.
   */
  private Cache<?, ?> findOrJoin(String cacheName, Class<?> keyType, Class<?> valueType) {
    Cache<?, ?> cache = caches.get(cacheName);
    if (cache != null && cache.isClosed()) {
      awaitReleased(cacheName, cache);
      cache = caches.get(cacheName);
    }
    if (cache != null) {
      return cache;
    }
    synchronized (caches) {
      cache = caches.get(cacheName);
      if (cache != null) {
        return cache;
      }
      requireOpen(); // again under the lock: close() takes its list of caches under it
      CascadeConfiguration<Object, Object> recorded = registry.recordedConfiguration(cacheName);
      if (recorded == null) {
        return null;
      }
      Created own = createdHere.get(cacheName);
      if (own != null && !own.token.equals(registry.liveToken(cacheName))) {
        // destroyed (here, elsewhere) and maybe created again since: not the cache it created
        createdHere.remove(cacheName);
        own = null;
      }
      if (own != null) {
        CacheSettings<?, ?> s = own.settings;
        try {
          registry.check(s, true);
          if (keyType != null
              && (!keyType.equals(s.keyType()) || !valueType.equals(s.valueType()))) {
            throw typeMismatch(cacheName, s.keyType(), s.valueType(), keyType, valueType);
          }
          CascadeCache<?, ?> reopened = registerAndOpen(s, true);
          caches.put(cacheName, reopened);
          return reopened;
        } catch (CacheRegistry.Gone destroyedMeanwhile) {
          createdHere.remove(cacheName);
          return null;
        } catch (CacheRegistry.Refused recreatedElsewhere) {
          createdHere.remove(cacheName); // in the moment since the token matched: join it
        }
      }
      boolean typesFromCaller = keyType != null;
      if (typesFromCaller) {
        // before opening: a caller that names other types must not leave a cache open that allows
        // them
        requireTypes(cacheName, recorded, keyType, valueType);
      }
      CacheSettings<Object, Object> cacheSettings =
          CacheSettings.joined(
              cacheName,
              recorded,
              settings,
              registry.recordedQueueBound(cacheName),
              typesFromCaller);
      CascadeCache<Object, Object> joined;
      try {
        joined = registerAndOpen(cacheSettings, true);
      } catch (CacheRegistry.Gone destroyedMeanwhile) {
        return null;
      }
      caches.put(cacheName, joined);
      return joined;
    }
  }

  /** How long {@link #awaitReleased} waits for a closing handle's release. */
  private static final Duration RELEASE_WAIT = Duration.ofSeconds(10);

  /**
   * Waits until {@code closing}, a handle another thread is closing, has been released (its close
   * marks it closed first, then releases it under {@link #caches}), so that {@code getCache} opens
   * the cache again instead of handing back a handle that only says "closed". Not under the lock:
   * the release needs it. At most {@link #RELEASE_WAIT} (the release waits for the lock behind
   * whatever opens a cache, which a command timeout bounds); after that the handle is returned as
   * it is.
   */
  private void awaitReleased(String cacheName, Cache<?, ?> closing) {
    long deadline = System.nanoTime() + RELEASE_WAIT.toNanos();
    while (caches.get(cacheName) == closing && System.nanoTime() - deadline < 0) {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Checks the cache against the registry (a cache refused for its settings runs no factory), makes
   * the user's loader, writer, expiry policy and listeners, so that a factory that throws leaves
   * nothing in Redis (a registry entry left behind would refuse the corrected configuration as
   * "other settings"), then records the cache in the registry (checking again, atomically) and
   * opens it. When opening fails (Redis refuses or fails a command), what was opened is closed and
   * a registry entry this call wrote is taken back.
   */
  private <K, V> CascadeCache<K, V> registerAndOpen(CacheSettings<K, V> s, boolean joining) {
    registry.check(s, joining);
    CacheAssembly.UserParts<K, V> parts = assembly.userParts(s);
    String attempt = CacheRegistry.newAttempt();
    CacheRegistry.Registration registration;
    try {
      registration = registry.register(s, attempt, joining);
    } catch (RuntimeException | Error e) {
      parts.close();
      if (!(e instanceof CacheRegistry.Refused) && !(e instanceof CacheRegistry.Gone)) {
        // Redis may have written the record before its reply was lost: only this attempt's goes
        withdraw(s, attempt, cleanup(), e);
      }
      throw e;
    }
    Cleanup cleanup = cleanup(); // one budget for everything a failed opening gives back
    try {
      return open(s, parts, registration.recordedBy, cleanup);
    } catch (RuntimeException | Error e) {
      if (registration.recordedHere) {
        withdraw(s, attempt, cleanup, e);
      }
      throw e;
    }
  }

  /** Takes back this attempt's record, if any; says so on {@code failure} when it cannot. */
  private void withdraw(CacheSettings<?, ?> s, String attempt, Cleanup cleanup, Throwable failure) {
    String what = "taking back the registry entry of cache '" + s.name() + "'";
    if (!cleanup.run(what, () -> registry.withdraw(s.name(), attempt))) {
      failure.addSuppressed(
          new CacheException(
              "The registry entry of cache '"
                  + s.name()
                  + "' that this createCache wrote may remain in Redis at "
                  + redis.target()
                  + " ("
                  + what
                  + " failed): the same settings open the cache, other ones need destroyCache"
                  + " first"));
    }
  }

  /** Opens a recorded cache; when a step fails, closes what the steps before it opened. */
  private <K, V> CascadeCache<K, V> open(
      CacheSettings<K, V> s,
      CacheAssembly.UserParts<K, V> parts,
      String recordedBy,
      Cleanup cleanup) {
    EntryOperations<K, V> operations;
    try {
      operations = assembly.assemble(s, parts);
    } catch (RuntimeException | Error e) {
      parts.close();
      throw e;
    }
    CascadeCache<K, V> cache = null;
    try {
      cache = new CascadeCache<>(this, operations, s, recordedBy);
      operations.start(cache);
      events.opened(operations);
      if (operations.startFlushing() && closesOnExit()) {
        provider.flushOnExit();
      }
      return cache;
    } catch (RuntimeException | Error e) {
      try {
        if (cache != null) {
          cache.close(cleanup); // unsubscribes, gives leases back, closes the user's parts
        } else {
          operations.markClosed();
          releaseRedisSide(operations, cleanup);
          operations.shutdown(cleanup);
        }
      } catch (RuntimeException | Error closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  <K, V> void listenersChanged(CascadeCache<K, V> cache) {
    events.listenersChanged(cache.operations());
  }

  @Override
  public Iterable<String> getCacheNames() {
    requireOpen();
    return Collections.unmodifiableList(new ArrayList<>(caches.keySet()));
  }

  /**
   * Closes the cache here (a write-behind cache first drains what this JVM can, within its drain
   * timeout), puts the mark of a destroyed cache in place of its registry entry and says so on the
   * cache's control channel, so that every other CacheManager and JVM that has it open closes it
   * too ({@link #checkRecord}), then deletes its data in Redis: entries, queues, dead letters.
   */
  @Override
  public void destroyCache(String cacheName) {
    requireOpen();
    if (cacheName == null) {
      throw new NullPointerException("The cache name is null");
    }
    Created forgotten;
    synchronized (caches) {
      forgotten = createdHere.remove(cacheName); // no getCache opens it again while it goes
    }
    CascadeCache<?, ?> cache = caches.get(cacheName);
    EntryOperations<?, ?> operations = cache == null ? null : cache.operations();
    EntryStore store;
    if (operations != null) {
      // close first: a write-behind cache drains what this JVM can before its queues are deleted
      cache.close();
      store = operations.store();
    } else {
      // the scans that delete match the cache's keys by pattern: any partition count will do
      store =
          new EntryStore(
              redis, new KeyLayout(cacheName, CascadeConfiguration.DEFAULT_PARTITIONS), origin);
    }
    CacheRegistry.Destroy destroy;
    try {
      destroy = registry.beginDestroy(cacheName);
    } catch (RuntimeException | Error e) {
      if (forgotten != null) {
        synchronized (caches) {
          // nothing was destroyed: a getCache still opens it as it was created
          createdHere.putIfAbsent(cacheName, forgotten);
        }
      }
      throw e;
    }
    try {
      store.announceDestroyed();
      long[] renewedAt = {System.nanoTime()};
      store.deleteEverything(
          () -> {
            // a long deletion keeps the name from createCache: its lease is renewed as it goes
            if (System.nanoTime() - renewedAt[0] > DESTROY_RENEWAL.toNanos()) {
              destroy.renew();
              renewedAt[0] = System.nanoTime();
            }
          });
    } catch (RuntimeException e) {
      try {
        destroy.abort();
      } catch (RuntimeException notGivenBack) {
        e.addSuppressed(notGivenBack); // its lease runs out within a minute
      }
      throw new CacheException(
          "destroyCache of cache '"
              + cacheName
              + "' stopped halfway ("
              + e.getMessage()
              + "): other JVMs close the cache, but some of its keys are left in Redis at "
              + redis.target()
              + ", and createCache of that name is refused until destroyCache(\""
              + cacheName
              + "\") runs again to the end",
          e);
    }
    // only now may a createCache replace the mark: the deletion would have taken its keys too
    destroy.finished();
  }

  /** How often a running {@code destroyCache} renews its lease on the mark (it lasts a minute). */
  private static final Duration DESTROY_RENEWAL = Duration.ofSeconds(10);

  /**
   * Closes this manager's handle of a cache that was destroyed elsewhere (another CacheManager or
   * JVM), and writes again the registry entry of one that Redis lost ({@link
   * CacheRegistry#verify}). Runs on the maintenance thread: every few seconds and when the cache's
   * control channel says something changed.
   */
  private void checkRecord(EntryOperations<?, ?> operations) {
    CascadeCache<?, ?> cache = caches.get(operations.name());
    if (cache == null || cache.operations() != operations || cache.isClosed()) {
      return;
    }
    String opened = cache.recordedBy();
    CacheRegistry.Verdict verdict = registry.verify(cache.settings(), opened);
    if (verdict.gone == null) {
      if (!Objects.equals(opened, verdict.recordedBy)) {
        // created again (after a destroy, or after Redis lost the record) with settings this JVM
        // agrees with: go on with it, and mark again that this JVM listens, which a destroy took
        cache.recordedBy(verdict.recordedBy);
        events.listenAgain(operations);
      }
      return;
    }
    LOG.warn(
        "Closed cache '{}' in CacheManager {}: {}; calls of it fail from now on",
        operations.name(),
        shownUri,
        verdict.gone);
    // what the close waits for (loads, writer calls, the user's close()) must not hold up the
    // maintenance of the other caches: the rest of the close runs on a thread of its own
    synchronized (caches) {
      // destroyed: a getCache must not open it again (unless created here again meanwhile)
      Created created = createdHere.get(operations.name());
      if (created != null && created.settings == cache.settings()) {
        createdHere.remove(operations.name());
      }
    }
    closingElsewhere.add(cache);
    cache.closeDestroyed(verdict.gone, cleanup(), background, () -> closingElsewhere.remove(cache));
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

  /**
   * Forgets a closing cache and gives back what it holds by its name: its channel subscriptions,
   * this JVM's listener marks, its MBean names. Under the lock createCache and getCache open caches
   * with: a handle of the same name opened between the two steps would have lost all of that to
   * this release, and never heard another JVM again ({@code CloseWhileCreatedAgainTest}).
   */
  void release(CascadeCache<?, ?> cache, Cleanup cleanup) {
    synchronized (caches) {
      caches.remove(cache.getName(), cache);
      Created created = createdHere.get(cache.getName());
      if (created != null && created.settings == cache.settings()) {
        // the record it had open last (created again elsewhere with settings it agreed with)
        created.token = cache.recordedBy() == null ? "" : cache.recordedBy();
      }
      try {
        releaseRedisSide(cache.operations(), cleanup);
      } finally {
        cache.unregisterMBeans();
      }
    }
  }

  /** Stops the cache's subscriptions and listener marks, and its near cache's invalidations. */
  private void releaseRedisSide(EntryOperations<?, ?> operations, Cleanup cleanup) {
    events.closed(operations, cleanup);
    NearCache near = operations.nearCache();
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
   * This manager's name: the URI it was asked for when that holds no password and none of {@code ,
   * = ? *}, else that URI with its secrets taken out and those characters percent-encoded ({@link
   * ManagerName}). The MBeans of its caches are named after it, as the JCache convention and
   * Micrometer's {@code JCacheMetrics} compute it, and {@link CascadeCachingProvider} finds this
   * manager by it as by the URI it was asked for. docs/configuration.md, "CacheManager URI and
   * name".
   */
  @Override
  public URI getURI() {
    return managerName;
  }

  /** The URI this manager was asked for, password included (the provider's key for it). */
  URI requestedUri() {
    return uri;
  }

  /** The manager's connection (for {@link CascadeAdmin#of}). */
  RedisAccess redis() {
    requireOpen();
    return redis;
  }

  /**
   * How an operator's view decodes a cache: with its own codecs if this manager has it open, else
   * as its registry entry and this manager's settings say.
   */
  ViewCodecs.Source viewCodecs() {
    RecordedCodecs recorded = new RecordedCodecs(settings, classLoader);
    return (name, record) -> {
      CascadeCache<?, ?> cache = caches.get(name);
      return cache != null ? cache.operations().viewCodecs() : recorded.codecsFor(name, record);
    };
  }

  /** {@link #requestedUri()} without its password ({@link Redaction#uri(URI)}), for display. */
  String shownUri() {
    return shownUri;
  }

  @Override
  public ClassLoader getClassLoader() {
    return classLoader;
  }

  /**
   * The user's own properties, as given; they may hold a password ({@code cascade.redis.uri}), and
   * Cascade never shows them.
   */
  @Override
  public Properties getProperties() {
    return properties;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  /**
   * Whether the provider's JVM shutdown hook closes this manager: {@code cascade.shutdown-hook},
   * true unless set (false where a framework that closes the manager itself opens it).
   */
  boolean closesOnExit() {
    return settings.shutdownHook();
  }

  @Override
  public <T> T unwrap(Class<T> type) {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    throw new IllegalArgumentException("Cannot unwrap a Cascade CacheManager to " + type.getName());
  }

  /**
   * Asks Redis whether it answers ({@code PING} on this manager's connection), waiting at most
   * {@code timeout}: for health checks, which must not wait a whole command timeout.
   *
   * <pre>{@code
   * Duration roundTrip = manager.unwrap(CascadeCacheManager.class).ping(Duration.ofSeconds(1));
   * }</pre>
   *
   * @return the round trip
   * @throws CacheException naming the server when it does not answer within the timeout, or fails
   */
  public Duration ping(Duration timeout) {
    requireOpen();
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("The timeout of a ping must be positive, not " + timeout);
    }
    return redis.ping(timeout);
  }

  /**
   * Closes every cache this manager opened and releases its connections and threads.
   *
   * <p>A close called while another one runs waits for it to end, so that whoever closes the
   * manager (Spring destroying its bean, then its DataSource) knows the write-behind drain is over
   * when close() returns. Except on the closing thread itself or on one of Cascade's own threads (a
   * writer or listener that closes the manager): the close waits for those, so they return at once.
   */
  @Override
  public void close() {
    boolean first;
    synchronized (this) {
      first = !closed;
      if (first) {
        closed = true;
        closingThread = Thread.currentThread();
      }
    }
    if (!first) {
      awaitClosed(); // outside the lock: nothing the close does may wait for a waiter
      return;
    }
    try {
      closeOnce();
    } finally {
      closingThread = null;
      closeEnded.countDown();
    }
  }

  /** Ends when the first close() ended. */
  private final CountDownLatch closeEnded = new CountDownLatch(1);

  /** The thread running the first close(), while it runs. */
  private volatile Thread closingThread;

  /**
   * Waits for the close that runs ({@link #close()}). Unbounded: every step of the close is bounded
   * (loads, the drain timeout, the writer timeout, command timeouts). An interrupt ends the wait,
   * and the interrupt stays set.
   */
  private void awaitClosed() {
    // a writer, loader or listener that closes the manager from inside a cache call: the running
    // close waits for that call, so waiting for the close would stall both until its bound
    if (Thread.currentThread() == closingThread || Lifecycle.onOwnThread() || insideCacheCall()) {
      return;
    }
    try {
      closeEnded.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Calls of this manager's caches' entries that are running ({@link CascadeCache}): a LongAdder,
   * as every call of every thread counts here, and only a close sums it.
   */
  private final LongAdder callsInFlight = new LongAdder();

  /**
   * How long a close waits for calls in flight: as long as a write-through lock lasts by default
   * ({@link CascadeConfiguration#DEFAULT_LOCK_LEASE}), after which another writer may have the key
   * anyway.
   */
  private static final Duration CALLS_IN_FLIGHT_WAIT = CascadeConfiguration.DEFAULT_LOCK_LEASE;

  void callStarted() {
    callsInFlight.increment();
  }

  void callEnded() {
    callsInFlight.decrement();
  }

  /**
   * Waits (at most {@link #CALLS_IN_FLIGHT_WAIT}) for the calls that started before the close: a
   * write-through put whose writer already committed must still write the new value to Redis, or
   * take the entry out, and give its lock back; with the connection closed under it, Redis kept the
   * old value while the database had the new one. Not when this thread is itself in a call of a
   * cache (a writer, loader, listener or entry processor that closes the manager): that call waits
   * for this close.
   */
  private void awaitCallsInFlight() {
    if (callsInFlight.sum() <= 0 || insideCacheCall()) {
      return;
    }
    long deadline = System.nanoTime() + CALLS_IN_FLIGHT_WAIT.toNanos();
    while (callsInFlight.sum() > 0) {
      if (System.nanoTime() - deadline >= 0) {
        LOG.warn(
            "Closing CacheManager {} with {} cache call(s) still running after {} s: they fail"
                + " when the connection closes; a write-through key whose writer wrote may keep its"
                + " old value in Redis until its lock's lease runs out and it is written again",
            shownUri,
            callsInFlight.sum(),
            CALLS_IN_FLIGHT_WAIT.toSeconds());
        return;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return; // closes now, as a close without the wait would
      }
    }
  }

  /** True when this thread runs inside a call of a cache (only asked while closing). */
  private static boolean insideCacheCall() {
    String cacheClass = CascadeCache.class.getName();
    return StackWalker.getInstance()
        .walk(frames -> frames.anyMatch(f -> f.getClassName().equals(cacheClass)));
  }

  private void closeOnce() {
    awaitCallsInFlight();
    provider.release(this);
    // one budget for every cache's cleanup: with Redis down, closing costs one command timeout, not
    // one per command
    Cleanup cleanup = cleanup();
    List<CascadeCache<?, ?>> open;
    synchronized (caches) {
      // a createCache or getCache that passed its first check of closed finishes before this, or
      // sees closed under this lock: no cache opens after the list is taken
      open = new ArrayList<>(caches.values());
    }
    // every write-behind cache starts draining now, so they drain side by side: closing them one
    // by one would let the first ones' drain timeouts eat the time the later ones have
    for (CascadeCache<?, ?> cache : open) {
      cache.operations().beginDrain();
    }
    for (CascadeCache<?, ?> cache : open) {
      try {
        cache.close(cleanup);
      } catch (RuntimeException e) {
        LOG.warn("Closing cache '" + cache.getName() + "' failed", e);
      }
    }
    // a cache destroyed elsewhere may still be closing on another thread: it gives its leases back
    // before the connection goes
    long closingDeadline = System.nanoTime() + CLOSING_ELSEWHERE_WAIT.toNanos();
    for (CascadeCache<?, ?> cache : new ArrayList<>(closingElsewhere)) {
      cache.awaitClosed(closingDeadline);
    }
    events.close();
    invalidations.close();
    background.shutdown();
    lanes.close();
    remoteEvents.close();
    redis.close();
    // after the caches: a write-behind cache drains through its pool while it closes
    settings.close();
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
