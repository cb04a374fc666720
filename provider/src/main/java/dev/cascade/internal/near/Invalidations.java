package dev.cascade.internal.near;

import dev.cascade.internal.store.KeyLayout;
import dev.cascade.internal.store.RedisAccess;
import dev.cascade.internal.support.Lifecycle;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.cluster.event.AskRedirectionEvent;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.event.MovedRedirectionEvent;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.CacheException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * The invalidations that keep this CacheManager's near caches correct: dedicated RESP3 connections
 * with server-assisted client-side caching in broadcast mode (<code>CLIENT TRACKING ON BCAST PREFIX
 * cascade:&lt;cache&gt;:&#123;</code>), so Redis pushes the name of every entry key of those caches
 * that any client changes. Reads themselves go over the shared connection.
 *
 * <p>A Redis server tracks the keys changed on itself only, so there is one such connection per
 * server that takes writes: the one server of a standalone or Sentinel-managed Redis, every master
 * of a cluster. On a cluster the set of masters is compared with Lettuce's topology after every
 * change Lettuce reports, after every redirect (a slot may have moved to a node not known yet) and
 * at every probe: a master that appears gets its own connection, one that is gone (failed, demoted)
 * loses its own, and until every master's tracking is confirmed the near caches are cleared and
 * bypassed. A read is kept only if the master of its key's slot is tracked, so a value from a
 * master that the topology has just gained is never kept before that master can invalidate it.
 * Broadcast mode with the caches' prefixes makes slot moves harmless: MIGRATE deletes the keys on
 * the source (an invalidation there) and the target tracks them from then on.
 *
 * <p>While a connection is down, invalidations may be lost: every near cache is cleared and
 * bypassed (the epoch moves on) until tracking is on again after the reconnect. A connection can
 * also die silently (a dropped NAT entry, a peer that vanished): nothing closes, and invalidations
 * stop arriving, which TCP keepalive would notice only after hours. So each connection is pinged
 * every {@link #PROBE_INTERVAL}: a ping not answered within {@link #PROBE_TIMEOUT} clears and
 * bypasses the near caches until one is answered again, and after {@link #PROBES_BEFORE_REPLACING}
 * such pings in a row the connection is replaced by a new one. Thread-safe.
 */
public final class Invalidations implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Invalidations.class);

  /**
   * How often the invalidation connections are pinged (and, on a cluster, the topology compared):
   * the longest a lost invalidation can go unnoticed, plus the timeout.
   */
  static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);

  /** A ping not answered within this means invalidations may be lost. */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

  /**
   * Unanswered pings in a row after which a connection, though Lettuce thinks it open, is replaced.
   */
  static final int PROBES_BEFORE_REPLACING = 2;

  /** The name of the one tracked server when Redis is not a cluster. */
  private static final String SINGLE = "";

  private final RedisAccess redis;
  private final boolean cluster;
  private final Map<NearCache, KeyLayout> caches = new ConcurrentHashMap<>();
  private final Set<String> prefixes = new LinkedHashSet<>();

  /**
   * {@link #prefixes}, for the I/O threads, which must not take this object's lock: {@link #close}
   * holds it while it waits for those threads to close the connections.
   */
  private volatile List<String> registeredPrefixes = List.of();

  /** The tracked servers by {@code host:port} ({@link #SINGLE} when not a cluster). */
  private final Map<String, Tracker> trackers = new ConcurrentHashMap<>();

  private final AtomicInteger epoch = new AtomicInteger();
  private volatile boolean tracking;

  /**
   * Guards the passage between trusted and not trusted, which several I/O threads and the prober
   * may attempt at once: a connection lost while another is confirmed must leave the near caches
   * untrusted. Never held while waiting for Redis.
   */
  private final Object trust = new Object();

  /** A topology check is queued on the prober: redirects and topology events come in bursts. */
  private final AtomicBoolean checkQueued = new AtomicBoolean();

  private ScheduledExecutorService prober;
  private Disposable topologyEvents;
  private volatile boolean closed;

  public Invalidations(RedisAccess redis) {
    this.redis = redis;
    this.cluster = redis.isCluster();
  }

  /**
   * A near cache for one cache, of at most {@code maxEntries} entries.
   *
   * <p>The wait for Redis to track the cache's prefix happens outside this object's monitor: the
   * prober takes it to follow a cluster's topology, and a master that does not answer (paused, or
   * its connection silently dead) would otherwise hold the probes up for the whole wait (up to the
   * command timeout), while the near caches went on serving values whose invalidations may be lost.
   *
   * @throws CacheException when tracking cannot be turned on
   */
  public NearCache register(KeyLayout layout, int maxEntries) {
    NearCache near;
    String prefix = prefixOf(layout);
    boolean added;
    synchronized (this) {
      if (prober == null) {
        start();
      }
      near = new NearCache(maxEntries, this);
      caches.put(near, layout);
      added = prefixes.add(prefix);
      if (added) {
        registeredPrefixes = List.copyOf(prefixes);
      }
    }
    // the near cache waits for tracking, so it works from its first read (also when another
    // registration of the prefix sent the command: enable waits for that answer); a server that
    // refuses it fails the cache's opening, and the prefix goes again: a prefix left registered but
    // not tracked would keep every near cache bypassed, or (before) was trusted untracked
    try {
      for (Tracker t : trackers.values()) {
        t.track(prefix);
      }
    } catch (RuntimeException e) {
      synchronized (this) {
        caches.remove(near);
        if (added) {
          prefixes.remove(prefix);
          registeredPrefixes = List.copyOf(prefixes);
        }
        trackers.values().forEach(Tracker::recount);
      }
      throw e;
    }
    return near;
  }

  public synchronized void unregister(NearCache near) {
    // the prefix stays registered until the connections close: Redis cannot remove one prefix
    caches.remove(near);
  }

  private void start() {
    if (cluster) {
      List<String> masters = redis.masters();
      if (masters.isEmpty()) {
        throw new CacheException(
            "No master of " + redis + " is known; a near cache needs every master tracked");
      }
      for (String node : masters) {
        Tracker t = new Tracker(node);
        t.open();
        trackers.put(node, t);
      }
      topologyEvents =
          redis
              .client()
              .getResources()
              .eventBus()
              .get()
              .filter(
                  e ->
                      e instanceof ClusterTopologyChangedEvent
                          || e instanceof MovedRedirectionEvent
                          || e instanceof AskRedirectionEvent)
              .subscribe(e -> queueTopologyCheck(!(e instanceof ClusterTopologyChangedEvent)));
    } else {
      Tracker t = new Tracker(SINGLE);
      t.open();
      trackers.put(SINGLE, t);
    }
    prober =
        Executors.newSingleThreadScheduledExecutor(Lifecycle.daemonThreads("cascade-near-probe"));
    prober.scheduleWithFixedDelay(
        this::probe, PROBE_INTERVAL.toMillis(), PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
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
   * Whether a value of this key, read from Redis now, may be kept: on a cluster only when the
   * master Lettuce routes its slot to is tracked, so a master the topology has just gained cannot
   * hand out values that it would never invalidate.
   */
  boolean mayKeep(NearCache near, byte[] encodedKey) {
    if (!cluster) {
      return true;
    }
    KeyLayout layout = caches.get(near);
    if (layout == null) {
      return false;
    }
    String master = redis.masterOf(layout.entryKey(encodedKey));
    Tracker t = master == null ? null : trackers.get(master);
    return t != null && t.confirmed && !t.silent;
  }

  /**
   * Returns once every invalidation that Redis sent before this call has been applied: a reply on a
   * tracking connection comes after the pushes sent before it. Redis sends the invalidation of a
   * write before it reads the next command, so after a write returned and this returned, the
   * write's own (late) invalidation can no longer evict a value read after it.
   */
  void awaitSentInvalidations() {
    for (Tracker t : trackers.values()) {
      StatefulRedisConnection<byte[], byte[]> c = t.connection;
      if (c != null) {
        c.sync().ping();
      }
    }
  }

  private static String prefixOf(KeyLayout layout) {
    byte[] pattern = layout.entryPattern();
    // "cascade:<cache>:{<cache>#*" without the final '*' and '<cache>#': the entry keys' common
    // start
    String p = new String(pattern, StandardCharsets.UTF_8);
    return p.substring(0, p.indexOf('{') + 1);
  }

  /**
   * Cluster: compares the masters with the tracked servers soon, on the prober thread.
   *
   * @param refresh read the topology first: a redirect means Lettuce's view is behind
   */
  private void queueTopologyCheck(boolean refresh) {
    ScheduledExecutorService p = prober;
    if (closed || p == null || !checkQueued.compareAndSet(false, true)) {
      return;
    }
    try {
      p.execute(
          () -> {
            checkQueued.set(false);
            if (refresh) {
              try {
                redis.refreshTopologyNow();
              } catch (RuntimeException e) {
                LOG.debug("Could not read the cluster topology; the next probe tries again", e);
              }
            }
            followTopology();
          });
    } catch (RejectedExecutionException e) {
      checkQueued.set(false); // closed meanwhile
    }
  }

  /**
   * Cluster, on the prober thread: opens a tracking connection to every master that has none and
   * closes those of servers that are no longer masters. Until the new ones are confirmed, the near
   * caches are cleared and bypassed: they may hold values read from a master that was not tracked.
   */
  private void followTopology() {
    List<String> masters = redis.masters();
    if (masters.isEmpty()) {
      return; // no topology read yet (or none answered): keep what is tracked
    }
    List<Tracker> opened = new ArrayList<>();
    List<Tracker> retired = new ArrayList<>();
    synchronized (this) {
      if (closed) {
        return;
      }
      for (String node : masters) {
        if (!trackers.containsKey(node)) {
          Tracker t = new Tracker(node);
          trackers.put(node, t);
          opened.add(t);
        }
      }
      for (Tracker t : trackers.values()) {
        if (!masters.contains(t.node)) {
          trackers.remove(t.node);
          retired.add(t);
        }
      }
      if (opened.isEmpty() && retired.isEmpty()) {
        return;
      }
      LOG.debug("Near caches follow the cluster's masters: {}", masters);
      lost();
      for (Tracker t : opened) {
        try {
          t.open();
        } catch (RuntimeException e) {
          // stays unconfirmed (so the near caches stay bypassed); the next probe replaces it
          LOG.debug("Could not open an invalidation connection to " + t.node, e);
        }
      }
    }
    for (Tracker t : retired) {
      t.retire();
    }
    List<String> all = registeredPrefixes;
    for (Tracker t : opened) {
      if (t.connection != null && !all.isEmpty()) {
        t.enable(all, false);
      }
    }
  }

  /**
   * Pings every invalidation connection (on the prober thread). Unanswered: invalidations may be
   * lost, so the near caches are cleared and bypassed; every one answered again on connections
   * whose tracking Redis confirmed: every invalidation sent before the replies has been applied
   * (replies and pushes arrive in order), so the near caches are trusted again from a new epoch.
   */
  private void probe() {
    if (closed) {
      return;
    }
    if (cluster) {
      followTopology();
    }
    Map<Tracker, RedisFuture<String>> pings = new LinkedHashMap<>();
    for (Tracker t : trackers.values()) {
      StatefulRedisConnection<byte[], byte[]> c = t.connection;
      if (c == null) {
        reopen(t);
      } else {
        pings.put(t, c.async().ping());
      }
    }
    long deadline = System.nanoTime() + PROBE_TIMEOUT.toNanos();
    for (Map.Entry<Tracker, RedisFuture<String>> e : pings.entrySet()) {
      Tracker t = e.getKey();
      try {
        e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        t.unansweredProbes = 0;
        t.silent = false;
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | TimeoutException | RuntimeException ex) {
        if (tracking) {
          LOG.warn(
              "The near caches' invalidation connection to "
                  + (cluster ? t.node + " of " : "")
                  + redis
                  + " did not answer a ping within "
                  + PROBE_TIMEOUT.toMillis()
                  + " ms; the near caches are bypassed until it does",
              ex);
        }
        t.silent = true;
        lost();
        StatefulRedisConnection<byte[], byte[]> c = t.connection;
        if (++t.unansweredProbes >= PROBES_BEFORE_REPLACING && c != null && c.isOpen()) {
          // Lettuce still thinks it open: it may never notice, so start over on a new connection
          reopen(t);
        }
      }
    }
    for (Tracker t : trackers.values()) {
      if (!t.confirmed && !t.silent) {
        // Redis refused or lost some prefix on this connection (a busy script, a timeout, a
        // refusal after a reconnect): ask again, one prefix a command, so that one refusal
        // cannot hold the others back
        t.enableMissing();
      }
    }
    trustIfAllConfirmed();
  }

  /** Replaces a tracker's connection (silent, or never opened) with a new one. */
  private void reopen(Tracker t) {
    StatefulRedisConnection<byte[], byte[]> stale;
    List<String> all;
    synchronized (this) {
      if (closed || trackers.get(t.node) != t) {
        return;
      }
      stale = t.connection;
      try {
        t.open();
      } catch (RuntimeException e) {
        LOG.debug(
            "Could not open a new invalidation connection; trying again at the next probe", e);
        return;
      }
      all = new ArrayList<>(prefixes);
      t.unansweredProbes = 0;
      t.silent = false;
    }
    if (stale != null) {
      stale.closeAsync();
    }
    if (!all.isEmpty()) {
      t.enable(all, false);
    }
  }

  /** Invalidations may be lost from now on: forget everything and stop trusting the near caches. */
  private void lost() {
    synchronized (trust) {
      tracking = false;
      epoch.incrementAndGet();
      caches.keySet().forEach(NearCache::clear);
    }
  }

  /**
   * Trusts the near caches again from a new epoch once every tracked server confirmed tracking and
   * answers.
   */
  private void trustIfAllConfirmed() {
    synchronized (trust) {
      if (tracking || closed || trackers.isEmpty()) {
        return;
      }
      for (Tracker t : trackers.values()) {
        if (!t.confirmed || t.silent) {
          return;
        }
      }
      epoch.incrementAndGet();
      caches.keySet().forEach(NearCache::clear);
      tracking = true;
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

  /**
   * Whether Redis refused to track a prefix because this connection tracks it already (an earlier
   * send whose answer was lost, or one Lettuce sent again after a reconnect): it is tracked.
   */
  private static boolean trackedAlready(Throwable failure, String prefix) {
    return String.valueOf(failure.getMessage())
        .contains("overlaps with an existing prefix '" + prefix + "'");
  }

  @Override
  public synchronized void close() {
    closed = true;
    tracking = false;
    if (prober != null) {
      prober.shutdownNow();
    }
    if (topologyEvents != null) {
      topologyEvents.dispose();
    }
    for (Tracker t : trackers.values()) {
      StatefulRedisConnection<byte[], byte[]> c = t.connection;
      t.connection = null;
      if (c != null) {
        c.close();
      }
    }
    trackers.clear();
    caches.clear();
  }

  /** The tracking connection to one server that takes writes. */
  private final class Tracker {
    /** {@code host:port} of a cluster master, or {@link #SINGLE}. */
    final String node;

    volatile StatefulRedisConnection<byte[], byte[]> connection;

    /**
     * Redis confirmed tracking of every registered prefix on the current connection (and it has not
     * dropped since): {@link #enabled} covers {@link #registeredPrefixes}.
     */
    volatile boolean confirmed;

    /**
     * The prefixes Redis confirmed on the current connection, and those sent there and not yet
     * answered (each with a future completed once its answer was taken in); both forgotten when the
     * connection is replaced or drops, which starts a new {@link #generation}. Guarded by this
     * tracker, never held while waiting for Redis. Redis refuses a whole {@code CLIENT TRACKING}
     * command that names a prefix the connection tracks already, so each prefix goes in a command
     * of its own, and only when it is in neither.
     */
    private final Set<String> enabled = new HashSet<>();

    private final Map<String, CompletableFuture<Void>> sent = new HashMap<>();

    /**
     * Counts the connection's lives (Lettuce reconnects the same connection object): an answer from
     * an earlier life says nothing of what Redis tracks now.
     */
    private long generation;

    /** A refusal was logged as a WARNING since tracking was last complete: later ones at DEBUG. */
    private boolean refusalLogged;

    /** Why Redis last refused tracking on this connection, for the error of a cache's opening. */
    private volatile Throwable refusal;

    /** The last ping went unanswered. */
    volatile boolean silent;

    /** Prober thread only. */
    int unansweredProbes;

    Tracker(String node) {
      this.node = node;
    }

    @SuppressWarnings("unchecked")
    void open() {
      StatefulRedisConnection<byte[], byte[]> opened;
      if (node.equals(SINGLE)) {
        StatefulConnection<byte[], byte[]> c = redis.openDedicated();
        if (!(c instanceof StatefulRedisConnection)) {
          c.close();
          throw new CacheException("A near cache needs a standalone or Sentinel-managed Redis");
        }
        opened = (StatefulRedisConnection<byte[], byte[]>) c;
      } else {
        opened = redis.openNode(node);
      }
      opened.addListener(Invalidations.this::onPush);
      opened.addListener(
          new RedisConnectionStateListener() {
            // a replaced or retired connection's events (its close above all) concern nobody
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
              if (opened == connection) {
                forgetPrefixes(); // the server forgets a client's tracking with the client
                lost();
              }
            }

            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
              if (opened == connection) {
                // on the I/O thread: no lock here (close() may hold it, waiting for this thread)
                List<String> all = registeredPrefixes;
                if (!all.isEmpty()) {
                  enable(all, false); // on the I/O thread: must not wait for the reply
                }
              }
            }
          });
      synchronized (this) {
        forgetPrefixes();
        connection = opened;
      }
    }

    /** The server no longer takes writes: its invalidations concern nobody. */
    void retire() {
      StatefulRedisConnection<byte[], byte[]> c;
      synchronized (this) {
        c = connection;
        connection = null;
        confirmed = false;
      }
      if (c != null) {
        c.closeAsync();
      }
    }

    private synchronized void forgetPrefixes() {
      generation++;
      enabled.clear();
      sent.values().forEach(answer -> answer.complete(null)); // their waiters find nothing tracked
      sent.clear();
      confirmed = false;
    }

    /** Recomputes {@link #confirmed} (the registered prefixes changed, or what Redis tracks). */
    synchronized void recount() {
      confirmed = connection != null && enabled.containsAll(registeredPrefixes);
    }

    /**
     * Throws if this connection is up and Redis does not track {@code prefix} on it (called after
     * {@link #enable} waited for the reply).
     */
    void requireTracking(String prefix) {
      StatefulRedisConnection<byte[], byte[]> c;
      boolean tracked;
      synchronized (this) {
        c = connection;
        tracked = enabled.contains(prefix);
      }
      if (c != null && !tracked) {
        Throwable why = refusal;
        throw new CacheException(
            "Redis "
                + (cluster ? "node " + node + " of " : "")
                + redis
                + " did not turn on the invalidations a near cache needs (CLIENT TRACKING ON BCAST"
                + " PREFIX "
                + prefix
                + "): "
                + (why == null ? "no reply" : why.getMessage()),
            why);
      }
    }

    /**
     * Turns tracking of {@code prefix} on and waits until Redis confirmed it. A connection the
     * prober replaced meanwhile (its pings went unanswered: a stall, not a refusal) is asked again,
     * within twice the command timeout in all; throws when Redis refused, or did not answer.
     */
    void track(String prefix) {
      long deadline = System.nanoTime() + redis.target().timeout().toNanos() * 2;
      while (true) {
        long life;
        synchronized (this) {
          life = generation;
        }
        enable(List.of(prefix), true);
        synchronized (this) {
          if (connection == null
              || enabled.contains(prefix)
              || generation == life
              || System.nanoTime() >= deadline) {
            break;
          }
        }
      }
      requireTracking(prefix);
    }

    /** Sends, one prefix a command, the registered prefixes this connection does not track. */
    void enableMissing() {
      for (String prefix : registeredPrefixes) {
        enable(List.of(prefix), false);
      }
    }

    /**
     * Turns tracking on for these prefixes, one command each; the near caches are trusted again
     * once every server confirmed every prefix.
     *
     * @param await wait until Redis answered for each of them, also where another thread sent it
     *     (never on an I/O thread)
     */
    void enable(List<String> wanted, boolean await) {
      StatefulRedisConnection<byte[], byte[]> c;
      long life;
      Map<String, CompletableFuture<Void>> send = new LinkedHashMap<>();
      List<CompletableFuture<Void>> answers = new ArrayList<>();
      synchronized (this) {
        c = connection;
        if (c == null) {
          return;
        }
        life = generation;
        for (String prefix : wanted) {
          if (enabled.contains(prefix)) {
            continue;
          }
          CompletableFuture<Void> answer = sent.get(prefix);
          if (answer == null) {
            answer = new CompletableFuture<>();
            sent.put(prefix, answer);
            send.put(prefix, answer);
          }
          answers.add(answer);
        }
      }
      for (Map.Entry<String, CompletableFuture<Void>> e : send.entrySet()) {
        String prefix = e.getKey();
        TrackingArgs args =
            TrackingArgs.Builder.enabled().bcast().prefixes(StandardCharsets.UTF_8, prefix);
        // answered on the I/O thread: no lock of this object there (register() may hold it,
        // waiting for this answer), only the tracker's own
        c.async()
            .clientTracking(args)
            .whenComplete(
                (ok, failure) -> {
                  try {
                    answered(c, life, prefix, failure);
                  } finally {
                    e.getValue().complete(null);
                  }
                });
      }
      if (await) {
        long deadline = System.nanoTime() + redis.target().timeout().toNanos() * 2;
        try {
          for (CompletableFuture<Void> answer : answers) {
            answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CacheException("Interrupted while turning on invalidations for near caches", e);
        } catch (ExecutionException | TimeoutException e) {
          throw redis.failure(
              e, "turning on invalidations for near caches" + (cluster ? " on node " + node : ""));
        }
      }
    }

    /**
     * Redis answered a {@code CLIENT TRACKING} of {@code prefix} sent on {@code c} in {@code life}.
     */
    private void answered(
        StatefulRedisConnection<byte[], byte[]> c, long life, String prefix, Throwable failure) {
      boolean refused = false;
      boolean warn = false;
      synchronized (this) {
        if (c != connection || life != generation) {
          return; // replaced, or dropped and reconnected, meanwhile
        }
        sent.remove(prefix);
        if (failure == null || trackedAlready(failure, prefix)) {
          enabled.add(prefix);
        } else {
          refused = true;
          refusal = failure;
          warn = !refusalLogged;
          refusalLogged = true;
        }
        recount();
        if (confirmed) {
          refusalLogged = false;
        }
      }
      if (refused) {
        String message =
            "Could not turn on invalidations for near caches"
                + (cluster ? " on " + node : "")
                + "; they are bypassed until it works (asked again every "
                + PROBE_INTERVAL.toMillis()
                + " ms)";
        if (warn) {
          LOG.warn(message, failure);
        } else {
          LOG.debug(message, failure);
        }
        lost();
        return;
      }
      trustIfAllConfirmed();
    }
  }
}
