package dev.cascade.internal.engine;

import dev.cascade.codec.Codec;
import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.admin.Administration;
import dev.cascade.internal.admin.ViewCodecs;
import dev.cascade.internal.event.ConfiguredListeners;
import dev.cascade.internal.event.EventDispatcher;
import dev.cascade.internal.event.EventLanes;
import dev.cascade.internal.management.CacheStats;
import dev.cascade.internal.near.Invalidations;
import dev.cascade.internal.near.NearCache;
import dev.cascade.internal.store.EntryStore;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.internal.store.OperationIds;
import dev.cascade.internal.store.QueueStore;
import dev.cascade.internal.store.RedisAccess;
import dev.cascade.internal.support.Lifecycle;
import dev.cascade.internal.writebehind.Flusher;
import dev.cascade.internal.writebehind.WriteBehindWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds one cache's engine from its resolved settings: the user's loader, writer and expiry policy
 * made from their factories, the key layout, the store, locks, expiry rules, the near cache, the
 * codecs, the write-behind flushers and the listener dispatcher, wired together. One per
 * CacheManager, holding what all its caches share (the connection, the origin, the event lanes).
 *
 * <p>Thread-safe: {@link #userParts} and {@link #assemble} keep no state between calls.
 */
public final class CacheAssembly {

  private static final Logger LOG = LoggerFactory.getLogger(CacheAssembly.class);
  private static final AtomicInteger FLUSHERS = new AtomicInteger();

  private final RedisAccess redis;
  private final OperationIds operations = new OperationIds();
  private final byte[] origin;
  private final EventLanes lanes;
  private final Invalidations invalidations;
  private final Executor background;

  /**
   * @param origin the manager's id in Redis: the lease owner, the consumer name, the events' origin
   * @param background where the caches' {@code loadAll} calls run
   */
  public CacheAssembly(
      RedisAccess redis,
      byte[] origin,
      EventLanes lanes,
      Invalidations invalidations,
      Executor background) {
    this.redis = redis;
    this.origin = origin;
    this.lanes = lanes;
    this.invalidations = invalidations;
    this.background = background;
  }

  /**
   * The user's loader, writer, expiry policy and listeners, made from the configuration's
   * factories: the part of a cache that runs the user's code. Made before the cache is recorded in
   * Redis, so a factory that throws leaves no registry entry behind.
   */
  public static final class UserParts<K, V> {
    final CacheLoader<K, V> loader;
    final CacheWriter<? super K, ? super V> writer;
    final ExpiryPolicy expiryPolicy;
    final ConfiguredListeners<K, V> listeners;

    private UserParts(
        CacheLoader<K, V> loader,
        CacheWriter<? super K, ? super V> writer,
        ExpiryPolicy expiryPolicy,
        ConfiguredListeners<K, V> listeners) {
      this.loader = loader;
      this.writer = writer;
      this.expiryPolicy = expiryPolicy;
      this.listeners = listeners;
    }

    /** What the cache closes with it; its listeners are its event dispatcher's to close. */
    List<Object> closeables() {
      List<Object> all = new ArrayList<>(3);
      all.add(loader);
      all.add(writer);
      all.add(expiryPolicy);
      return all;
    }

    /**
     * Closes those that are {@code Closeable}: the cache they were made for was not assembled. Once
     * it was, closing the cache closes them.
     */
    public void close() {
      for (Object o : closeables()) {
        Lifecycle.closeQuietly(o, LOG);
      }
      if (listeners != null) {
        listeners.close();
      }
    }
  }

  /**
   * Makes the user's parts of a cache from its factories; when one factory throws, the parts made
   * before it are closed.
   */
  public <K, V> UserParts<K, V> userParts(CacheSettings<K, V> s) {
    CascadeConfiguration<K, V> c = s.template;
    CacheLoader<K, V> loader = null;
    CacheWriter<? super K, ? super V> writer = null;
    ExpiryPolicy expiryPolicy = null;
    try {
      loader = c.getCacheLoaderFactory() == null ? null : c.getCacheLoaderFactory().create();
      @SuppressWarnings("unchecked")
      CacheWriter<? super K, ? super V> made =
          c.getCacheWriterFactory() == null
              ? null
              : (CacheWriter<? super K, ? super V>) c.getCacheWriterFactory().create();
      writer = made;
      expiryPolicy = c.getExpiryPolicyFactory().create();
      return new UserParts<>(
          loader, writer, expiryPolicy, ConfiguredListeners.make(s.initialListeners()));
    } catch (RuntimeException | Error e) {
      new UserParts<K, V>(loader, writer, expiryPolicy, null).close();
      throw e;
    }
  }

  /**
   * The operations of a cache, assembled around the user's parts but not started ({@link
   * EntryOperations#start}, {@link EntryOperations#startFlushing}).
   */
  public <K, V> EntryOperations<K, V> assemble(CacheSettings<K, V> s, UserParts<K, V> parts) {
    List<Object> closeables = parts.closeables();
    CacheWriter<? super K, ? super V> writer = parts.writer;
    ExpiryPolicy expiryPolicy = parts.expiryPolicy;
    CacheLoader<K, V> loader = parts.loader;

    // a write-behind writer is never called before a change: the change is queued with it instead
    WriteBehindWriter<K, V> behind =
        writer instanceof WriteBehindWriter ? (WriteBehindWriter<K, V>) writer : null;
    CacheWriter<? super K, ? super V> syncWriter = s.writeThrough && behind == null ? writer : null;

    KeyLayout layout = new KeyLayout(s.name, s.partitions);
    QueueStore queue = null;
    if (s.queueBound >= 0) {
      queue = new QueueStore(redis, layout);
      // the consumer group must exist before anything is queued, or no flusher would see it; the
      // one Redis call of the assembly, made before anything is registered that would need undoing
      queue.ensureGroups();
    }
    EntryStore store =
        new EntryStore(
            redis, layout, origin, operations, s.queueBound, s.replicaAcks, s.replicaAckTimeout);
    // before anything is registered that a refused listener would have to undo
    EventDispatcher<K, V> dispatcher = new EventDispatcher<>(s.name, lanes);
    dispatcher.registerAll(parts.listeners);
    NearCache near = null;
    try {
      ExpiryRules expiry = new ExpiryRules(expiryPolicy);
      WriteLocks locks = syncWriter != null ? new WriteLocks(store, s.lockLease, s.lockWait) : null;
      QueueOverflow overflow = s.queueBound >= 0 ? new QueueOverflow(s.writeBehind, s.name) : null;
      EntryEngine engine = new EntryEngine(store, expiry, locks, redis.clock()::millis, overflow);
      if (s.nearCacheMaxEntries > 0) {
        near = invalidations.register(layout, s.nearCacheMaxEntries);
        store.observe(near);
      }
      EntryReader reader = new EntryReader(engine, near);
      Codec<K> keys = s.keyCodec;
      Codec<V> values = s.valueCodec;

      Flusher<K, V> flusher = null;
      if (queue != null) {
        if (behind != null) {
          flusher =
              new Flusher<>(
                  queue,
                  s.writeBehind,
                  behind.delegate(),
                  keys,
                  values,
                  // one consumer and lease owner per Flusher: a cache closed and opened
                  // again in this manager must not share a lease or pending records with its
                  // draining predecessor
                  new String(origin, StandardCharsets.US_ASCII) + "#" + FLUSHERS.incrementAndGet(),
                  engine::graceMillis,
                  store::replacedRecords);
          // the MXBean's dead-letter operations decode with this cache's own codecs
          ViewCodecs codecs = new ViewCodecs(keys, values, s.codec.name());
          flusher.administeredBy(new Administration(redis, (name, record) -> codecs));
        }
      }
      CacheWriter<? super K, ? super V> overflowWriter =
          behind != null && overflow.writesThrough() ? behind.delegate() : null;

      CacheCore<K, V> core =
          new CacheCore<>(
              s,
              keys,
              values,
              engine,
              reader,
              dispatcher,
              new CacheStats(),
              loader,
              syncWriter,
              overflowWriter);
      return new EntryOperations<>(core, closeables, flusher, background);
    } catch (RuntimeException | Error e) {
      // what the assembly registered; the caller closes the user's loader, writer and expiry
      dispatcher.close();
      if (near != null) {
        invalidations.unregister(near);
      }
      throw e;
    }
  }
}
