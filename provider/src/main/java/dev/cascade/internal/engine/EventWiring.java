package dev.cascade.internal.engine;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.event.EntryChange;
import dev.cascade.internal.event.EventDispatcher;
import dev.cascade.internal.event.RemoteChange;
import dev.cascade.internal.event.RemoteEvents;
import dev.cascade.internal.store.Cleanup;
import dev.cascade.internal.store.EntryStore;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.internal.support.WarningWindow;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.cache.CacheException;
import javax.cache.event.EventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the caches of one CacheManager in step with listeners in every JVM:
 *
 * <ul>
 *   <li>a cache with listeners here is subscribed to its event channel and marked, in each
 *       partition, as listened to by this JVM (refreshed while it listens), so other JVMs' changes
 *       are published to it;
 *   <li>every open cache knows whether some other JVM listens ({@link CacheCore#othersListen()}):
 *       when nobody does, its plain puts and removes skip the event machinery entirely. It learns
 *       it from the control channel (a JVM that starts or stops listening announces it) and checks
 *       again every few seconds, in case an announcement was missed.
 * </ul>
 *
 * A listener registered in one JVM therefore hears another JVM's changes from the moment that JVM
 * has heard the announcement (normally well under a millisecond; at worst the check period).
 * Thread-safe.
 */
public final class EventWiring implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EventWiring.class);

  /** Listener marks live this long unless refreshed, so a JVM that dies stops costing publishes. */
  static final long FLAG_TTL_MILLIS = 60_000;

  private static final long CHECK_MILLIS = 5_000;
  private static final int REFRESHES_PER_TTL = 3;

  /**
   * A JVM that has not renewed its listener marks for this long stopped (it renews every {@link
   * #FLAG_TTL_MILLIS} / {@link #REFRESHES_PER_TTL}): its marks are removed. Generous, as the
   * renewal times come from each JVM's own clock.
   */
  static final long SILENT_LISTENER_MILLIS = 3 * FLAG_TTL_MILLIS;

  private final RemoteEvents remote;
  private final byte[] origin;
  private final Supplier<Collection<EntryOperations<?, ?>>> caches;
  private final Consumer<EntryOperations<?, ?>> recordCheck;
  private final ScheduledExecutorService maintenance;
  private int ticks;

  /** Since when the check of a cache's registry entry fails (nanoTime), by cache name. */
  private final Map<String, Long> recordChecksFailingSince = new ConcurrentHashMap<>();

  private static final long RECORD_CHECKS_FAILING_WARN_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final long RECORD_CHECK_WARNING_PERIOD_NANOS = TimeUnit.MINUTES.toNanos(5);
  private final WarningWindow recordCheckWarnings =
      new WarningWindow(RECORD_CHECK_WARNING_PERIOD_NANOS, System::nanoTime);

  public EventWiring(
      RemoteEvents remote,
      byte[] origin,
      Supplier<Collection<EntryOperations<?, ?>>> caches,
      Consumer<EntryOperations<?, ?>> recordCheck,
      ThreadFactory threads) {
    this.remote = remote;
    this.origin = origin;
    this.caches = caches;
    this.recordCheck = recordCheck;
    this.maintenance = Executors.newSingleThreadScheduledExecutor(threads);
    maintenance.scheduleWithFixedDelay(
        this::maintain, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * A cache opened here: listen for announcements, learn whether others listen, wire its own
   * listeners.
   */
  public void opened(EntryOperations<?, ?> cache) {
    EntryStore store = cache.core().engine().store();
    // announcements coalesce: at most one check queued per cache, so whoever may PUBLISH on the
    // control channel cannot queue a Redis round trip per message and starve the flag refreshes
    AtomicBoolean queued = new AtomicBoolean();
    remote.subscribe(
        store.layout().controlChannel(),
        cache.name(),
        false,
        message -> {
          if (queued.compareAndSet(false, true)) {
            maintenance.execute(
                () -> {
                  queued.set(false); // before the check: an announcement from now on queues another
                  recheck(cache);
                });
          }
        });
    cache.core().othersListen(store.othersListen());
    listenersChanged(cache);
  }

  /**
   * The cache's local listeners changed (or it just opened). Synchronized: a deregistration that
   * saw no listener left must not unsubscribe after a registration that came later subscribed.
   */
  public synchronized <K, V> void listenersChanged(EntryOperations<K, V> cache) {
    CacheCore<K, V> core = cache.core();
    EventDispatcher<K, V> dispatcher = core.events();
    EntryStore store = core.engine().store();
    KeyLayout layout = store.layout();
    long grace = grace(core);
    core.engine().setGraceMillis(grace);
    if (dispatcher.isEmpty()) {
      if (core.listening()) {
        core.listening(false);
        remote.unsubscribe(layout.eventChannel());
        store.unflagListening();
        store.announceListeners();
      }
      return;
    }
    remote.subscribe(
        layout.eventChannel(), cache.name(), true, message -> onEvent(core, layout, message));
    try {
      store.flagListening(grace, FLAG_TTL_MILLIS);
    } catch (RuntimeException e) {
      if (!core.listening()) {
        // the registration fails (its caller takes the listener back): leave no subscription
        // behind, and no marks (best effort: unmarked, they expire within FLAG_TTL_MILLIS)
        remote.unsubscribe(layout.eventChannel(), new Cleanup(store.redis()));
        try {
          store.unflagListening();
        } catch (RuntimeException ignored) {
          e.addSuppressed(ignored);
        }
      }
      throw e;
    }
    if (!core.listening()) {
      core.listening(true);
      store.announceListeners();
    }
  }

  /**
   * The cache was created again (after a destroy, or after Redis lost its record): marks again that
   * this JVM listens, as the destroy took the marks away. Not for a cache closed meanwhile (under
   * the lock {@link #closed} takes too), which would subscribe again for nothing.
   */
  public synchronized void listenAgain(EntryOperations<?, ?> cache) {
    if (!cache.isClosed()) {
      listenersChanged(cache);
    }
  }

  /**
   * The cache closed here: stop listening for it, and tell the others if they were publishing to
   * us. The Redis side goes through {@code cleanup}: with Redis unreachable it is skipped (the
   * marks expire within {@link #FLAG_TTL_MILLIS}); this JVM stops handling the channels either way.
   */
  public synchronized void closed(EntryOperations<?, ?> cache, Cleanup cleanup) {
    CacheCore<?, ?> core = cache.core();
    EntryStore store = core.engine().store();
    remote.unsubscribe(store.layout().controlChannel(), cleanup);
    if (core.listening()) {
      core.listening(false);
      remote.unsubscribe(store.layout().eventChannel(), cleanup);
      cleanup.run(
          "removing the listener marks of cache '" + cache.name() + "'", store::unflagListening);
      cleanup.run(
          "announcing that cache '" + cache.name() + "' has no listeners here",
          store::announceListeners);
    }
  }

  private static long grace(CacheCore<?, ?> core) {
    return core.events().listensTo(EventType.EXPIRED)
        ? CascadeConfiguration.DEFAULT_EXPIRED_EVENT_GRACE.toMillis()
        : 0;
  }

  /**
   * On the pub/sub I/O thread. Anybody allowed to PUBLISH on the channel can send anything: a
   * malformed message, or one about a key of another cache, is refused here (RemoteEvents drops it
   * with a rate-limited warning), and a key or value that does not decode (or that the cache's
   * allow-list refuses) is dropped the same way on its lane. A well-formed event about this cache
   * cannot be told from a real one (docs/security.md says which ACL closes that door).
   */
  private <K, V> void onEvent(CacheCore<K, V> core, KeyLayout layout, byte[] message) {
    RemoteChange change = RemoteChange.parse(message);
    if (change.isFrom(origin)) {
      return; // published because another JVM listens too; our listeners heard it already
    }
    byte[] encodedKey = layout.encodedKeyOf(change.entryKey);
    if (encodedKey == null) {
      throw new IllegalArgumentException(
          "its key is not an entry of cache '" + layout.cacheName() + "'");
    }
    int lane = Arrays.hashCode(encodedKey);
    EventDispatcher<K, V> dispatcher = core.events();
    // decoding runs user classes: on the key's lane, not on the pub/sub I/O thread
    boolean queued =
        dispatcher.onLane(
            lane,
            () -> {
              EntryChange<K, V> decoded;
              try {
                decoded =
                    new EntryChange<>(
                        change.type,
                        core.decodeKey(encodedKey),
                        core.decodeValue(change.value),
                        core.decodeValue(change.oldValue),
                        lane);
              } catch (CacheException e) {
                remote.dropped(
                    layout.eventChannel(), "its key or value cannot be decoded: " + e.getMessage());
                return;
              }
              dispatcher.deliverRemote(decoded);
            });
    if (!queued) {
      dispatcher.droppedRemote();
      remote.droppedBehind(layout.eventChannel());
    }
  }

  /**
   * What the control channel announces, checked again (also every {@link #CHECK_MILLIS}, as a
   * subscriber misses what is published while it is not connected): whether other JVMs listen, and
   * whether the cache is still the one opened here ({@code recordCheck}: it may have been destroyed
   * elsewhere, or Redis may have lost its registry entry).
   */
  private void recheck(EntryOperations<?, ?> cache) {
    if (!cache.isClosed()) {
      try {
        cache.core().othersListen(cache.core().engine().store().othersListen());
      } catch (RuntimeException e) {
        // keep what we knew; next check in a few seconds
        cache.core().othersListen(true);
      }
      try {
        recordCheck.accept(cache);
        recordChecksFailingSince.remove(cache.name());
      } catch (RuntimeException e) {
        recordCheckFailed(cache, e);
      }
    }
  }

  /**
   * Checks that keep failing (Redis unreachable, or refusing the read) leave a cache destroyed
   * elsewhere open here: said once they have failed for {@link #RECORD_CHECKS_FAILING_WARN_NANOS},
   * then at most every {@link #RECORD_CHECK_WARNING_PERIOD_NANOS}; a short outage says nothing.
   */
  private void recordCheckFailed(EntryOperations<?, ?> cache, RuntimeException e) {
    long now = System.nanoTime();
    long since = recordChecksFailingSince.computeIfAbsent(cache.name(), name -> now);
    if (now - since > RECORD_CHECKS_FAILING_WARN_NANOS && recordCheckWarnings.admit() >= 0) {
      LOG.warn(
          "The registry entry of cache '{}' could not be checked for {} s ({}): should another JVM"
              + " destroy it meanwhile, it stays open here until a check succeeds",
          cache.name(),
          (now - since) / 1_000_000_000L,
          e.toString());
    } else {
      LOG.debug("Could not check the registry entry of cache '{}'", cache.name(), e);
    }
  }

  private void maintain() {
    boolean refresh =
        ++ticks % Math.max(1, (int) (FLAG_TTL_MILLIS / CHECK_MILLIS / REFRESHES_PER_TTL)) == 0;
    for (EntryOperations<?, ?> cache : caches.get()) {
      recheck(cache);
      if (refresh) {
        refreshMarks(cache);
      }
    }
  }

  /**
   * Renews this JVM's listener marks of a cache that still listens. Under the lock of {@link
   * #listenersChanged}: a renewal decided just before the last listener went would otherwise put
   * back the marks its removal took away.
   */
  private synchronized void refreshMarks(EntryOperations<?, ?> cache) {
    CacheCore<?, ?> core = cache.core();
    if (core.listening() && !cache.isClosed()) {
      try {
        EntryStore store = core.engine().store();
        store.flagListening(grace(core), FLAG_TTL_MILLIS);
        List<String> gone = store.forgetSilentListeners(SILENT_LISTENER_MILLIS);
        if (!gone.isEmpty()) {
          LOG.info(
              "Removed the listener marks of cache '{}' left by {} JVM(s) silent for over {} s: {}",
              cache.name(),
              gone.size(),
              SILENT_LISTENER_MILLIS / 1000,
              gone);
        }
      } catch (RuntimeException e) {
        LOG.warn("Could not refresh the listener marks of cache '" + cache.name() + "'", e);
      }
    }
  }

  @Override
  public void close() {
    maintenance.shutdownNow();
  }
}
