package dev.cascade.internal.near;

import dev.cascade.internal.store.KeyLayout;
import dev.cascade.internal.store.RedisAccess;
import dev.cascade.internal.support.Lifecycle;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushMessage;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.CacheException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The invalidations that keep this CacheManager's near caches correct: one dedicated RESP3
 * connection with server-assisted client-side caching in broadcast mode (<code>CLIENT TRACKING ON
 * BCAST PREFIX cascade:&lt;cache&gt;:&#123;</code>), so Redis pushes the name of every entry key of
 * those caches that any client changes. Reads themselves go over the shared connection.
 *
 * <p>While the connection is down, invalidations may be lost: every near cache is cleared and
 * bypassed (the epoch moves on) until tracking is on again after the reconnect. A connection can
 * also die silently (a dropped NAT entry, a peer that vanished): nothing closes, and invalidations
 * stop arriving, which TCP keepalive would notice only after hours. So the connection is pinged
 * every {@link #PROBE_INTERVAL}: a ping not answered within {@link #PROBE_TIMEOUT} clears and
 * bypasses the near caches until one is answered again, and after {@link #PROBES_BEFORE_REPLACING}
 * such pings in a row the connection is replaced by a new one. Standalone and Sentinel-managed
 * Redis only. Thread-safe.
 */
public final class Invalidations implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Invalidations.class);

  /**
   * How often the invalidation connection is pinged: the longest a lost invalidation can go
   * unnoticed, plus the timeout.
   */
  static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);

  /** A ping not answered within this means invalidations may be lost. */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

  /**
   * Unanswered pings in a row after which the connection, though Lettuce thinks it open, is
   * replaced.
   */
  static final int PROBES_BEFORE_REPLACING = 2;

  private final RedisAccess redis;
  private final Map<NearCache, KeyLayout> caches = new ConcurrentHashMap<>();
  private final Set<String> prefixes = new LinkedHashSet<>();

  /**
   * {@link #prefixes}, for the I/O thread, which must not take this object's lock: {@link #close}
   * holds it while it waits for that thread to close the connection.
   */
  private volatile List<String> registeredPrefixes = List.of();

  private final AtomicInteger epoch = new AtomicInteger();
  private volatile StatefulRedisConnection<byte[], byte[]> connection;
  private volatile boolean tracking;

  /** Redis confirmed tracking on the current connection (and it has not dropped since). */
  private volatile boolean trackingConfirmed;

  private ScheduledExecutorService prober;
  private int unansweredProbes;
  private boolean closed;

  public Invalidations(RedisAccess redis) {
    this.redis = redis;
  }

  /**
   * A near cache for one cache, of at most {@code maxEntries} entries.
   *
   * @throws CacheException when the Redis is a cluster (not supported yet) or tracking fails
   */
  public synchronized NearCache register(KeyLayout layout, int maxEntries) {
    if (redis.isCluster()) {
      throw new CacheException(
          "Cache '"
              + layout.cacheName()
              + "' asks for a near cache, which Cascade supports"
              + " on a standalone or Sentinel-managed Redis, not yet on a Redis Cluster; remove the near-cache setting");
    }
    if (connection == null) {
      open();
      prober =
          Executors.newSingleThreadScheduledExecutor(Lifecycle.daemonThreads("cascade-near-probe"));
      prober.scheduleWithFixedDelay(
          this::probe, PROBE_INTERVAL.toMillis(), PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }
    NearCache near = new NearCache(maxEntries, this);
    caches.put(near, layout);
    String prefix = prefixOf(layout);
    if (prefixes.add(prefix)) {
      registeredPrefixes = List.copyOf(prefixes);
      // the first near cache waits for tracking, so it works from its first read
      enable(List.of(prefix), true);
    }
    return near;
  }

  public synchronized void unregister(NearCache near) {
    // the prefix stays registered until the connection closes: Redis cannot remove one prefix
    caches.remove(near);
  }

  boolean isTracking() {
    return tracking;
  }

  int epoch() {
    return epoch.get();
  }

  long resends() {
    return redis.resends();
  }

  /**
   * Returns once every invalidation that Redis sent before this call has been applied: a reply on
   * the tracking connection comes after the pushes sent before it. Redis sends the invalidation of
   * a write before it reads the next command, so after a write returned and this returned, the
   * write's own (late) invalidation can no longer evict a value read after it.
   */
  void awaitSentInvalidations() {
    StatefulRedisConnection<byte[], byte[]> c;
    synchronized (this) {
      c = connection;
    }
    if (c != null) {
      c.sync().ping();
    }
  }

  private static String prefixOf(KeyLayout layout) {
    byte[] pattern = layout.entryPattern();
    // "cascade:<cache>:{<cache>#*" without the final '*' and '<cache>#': the entry keys' common
    // start
    String p = new String(pattern, StandardCharsets.UTF_8);
    return p.substring(0, p.indexOf('{') + 1);
  }

  @SuppressWarnings("unchecked")
  private void open() {
    StatefulConnection<byte[], byte[]> c = redis.openDedicated();
    if (!(c instanceof StatefulRedisConnection)) {
      c.close();
      throw new CacheException("A near cache needs a standalone or Sentinel-managed Redis");
    }
    StatefulRedisConnection<byte[], byte[]> opened = (StatefulRedisConnection<byte[], byte[]>) c;
    opened.addListener(this::onPush);
    opened.addListener(
        new RedisConnectionStateListener() {
          // a replaced connection's events (its close above all) concern nobody any more
          @Override
          public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
            if (opened == connection) {
              trackingConfirmed = false;
              lost();
            }
          }

          @Override
          public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
            if (opened == connection) {
              reconnected();
            }
          }
        });
    connection = opened;
  }

  /**
   * Pings the invalidation connection (on the prober thread). Unanswered: invalidations may be
   * lost, so the near caches are cleared and bypassed; answered again on a connection whose
   * tracking Redis confirmed: every invalidation sent before the reply has been applied (replies
   * and pushes arrive in order), so the near caches are trusted again from a new epoch.
   */
  private void probe() {
    StatefulRedisConnection<byte[], byte[]> c = connection;
    if (c == null) {
      return;
    }
    try {
      c.async().ping().get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      unansweredProbes = 0;
      if (!tracking && trackingConfirmed && c == connection) {
        epoch.incrementAndGet();
        caches.keySet().forEach(NearCache::clear);
        tracking = true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      if (tracking) {
        LOG.warn(
            "The near caches' invalidation connection to "
                + redis
                + " did not answer a ping"
                + " within "
                + PROBE_TIMEOUT.toMillis()
                + " ms; the near caches are bypassed until it does",
            e);
      }
      lost();
      if (++unansweredProbes >= PROBES_BEFORE_REPLACING && c.isOpen()) {
        // Lettuce still thinks it open: it may never notice, so start over on a new connection
        replace(c);
      }
    }
  }

  private void replace(StatefulRedisConnection<byte[], byte[]> stale) {
    List<String> all;
    synchronized (this) {
      if (closed || connection != stale) {
        return;
      }
      try {
        trackingConfirmed = false;
        open();
      } catch (RuntimeException e) {
        LOG.debug(
            "Could not open a new invalidation connection; trying again at the next probe", e);
        return;
      }
      all = new ArrayList<>(prefixes);
      unansweredProbes = 0;
    }
    stale.closeAsync();
    enable(all, false);
  }

  /** Invalidations may be lost from now on: forget everything and stop trusting the near caches. */
  private void lost() {
    tracking = false;
    epoch.incrementAndGet();
    caches.keySet().forEach(NearCache::clear);
  }

  private void reconnected() {
    // on the I/O thread: no lock here (close() may hold it, waiting for this thread)
    List<String> all = registeredPrefixes;
    if (!all.isEmpty()) {
      enable(all, false); // on the I/O thread: must not wait for the reply
    }
  }

  /**
   * Turns tracking on for these prefixes; the near caches are trusted again once Redis confirms.
   *
   * @param await wait for the confirmation (never on an I/O thread)
   */
  private void enable(List<String> newPrefixes, boolean await) {
    TrackingArgs args =
        TrackingArgs.Builder.enabled()
            .bcast()
            .prefixes(StandardCharsets.UTF_8, newPrefixes.toArray(new String[0]));
    StatefulRedisConnection<byte[], byte[]> c = connection;
    c.async()
        .clientTracking(args)
        .whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                LOG.warn(
                    "Could not turn on invalidations for near caches; they are bypassed until it works",
                    failure);
                lost();
                return;
              }
              // on the I/O thread: no lock here (register() may hold this object's lock, waiting
              // for this reply)
              if (c != connection) {
                return; // replaced meanwhile
              }
              trackingConfirmed = true;
              if (!tracking) {
                epoch.incrementAndGet();
                caches.keySet().forEach(NearCache::clear);
                tracking = true;
              }
            });
    if (await) {
      try {
        c.sync().ping(); // replies come in order: after this, the tracking reply was handled
      } catch (RuntimeException e) {
        throw redis.failure(e, "turning on invalidations for near caches");
      }
    }
  }

  private void onPush(PushMessage message) {
    if (!"invalidate".equals(message.getType())) {
      return;
    }
    List<Object> content =
        message.getContent(
            b -> {
              byte[] copy = new byte[b.remaining()];
              b.get(copy);
              return copy;
            });
    Object keys = content.size() > 1 ? content.get(1) : null;
    if (!(keys instanceof List)) {
      // a flush of the whole database: every kept entry is suspect
      caches.keySet().forEach(NearCache::clear);
      return;
    }
    for (Object key : (List<?>) keys) {
      if (key instanceof byte[]) {
        for (Map.Entry<NearCache, KeyLayout> e : caches.entrySet()) {
          byte[] encoded = e.getValue().encodedKeyOf((byte[]) key);
          if (encoded != null) {
            e.getKey().invalidate(encoded);
          }
        }
      }
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    tracking = false;
    if (prober != null) {
      prober.shutdownNow();
    }
    if (connection != null) {
      connection.close();
      connection = null;
    }
    caches.clear();
  }
}
