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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
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
 *       partition, as listened to by this JVM, so other JVMs' changes are published to it. The
 *       marks are renewed at every check, and at once when a connection comes back or a cluster's
 *       topology changes: Redis may have lost them (a restart without persistence, a failover to a
 *       replica that had not received them, an eviction), and while one is missing the other JVMs
 *       do not publish their changes of that partition. Marks found missing are put back, with a
 *       WARNING (listeners here missed events), and announced;
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

  /** Listener marks live this long unless renewed, so a JVM that dies stops costing publishes. */
  static final long FLAG_TTL_MILLIS = 60_000;

  /** How often the records, the others' listening and this JVM's own marks are checked. */
  private static final long CHECK_MILLIS = 5_000;

  /** Every this many checks, the marks of JVMs that stopped are looked for. */
  private static final int CHECKS_PER_SILENCE_SWEEP = 4;

  /**
   * A JVM that has not renewed its listener marks for this long stopped (it renews them every
   * {@link #CHECK_MILLIS}): its marks are removed. Generous, as the renewal times come from each
   * JVM's own clock.
   */
  static final long SILENT_LISTENER_MILLIS = 3 * FLAG_TTL_MILLIS;

  /** At most one WARNING per cache in this period about marks Redis lost. */
  private static final long MARKS_LOST_WARNING_PERIOD_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final RemoteEvents remote;
  private final byte[] origin;
  private final Supplier<Collection<EntryOperations<?, ?>>> caches;
  private final Consumer<EntryOperations<?, ?>> recordCheck;
  private final ScheduledExecutorService maintenance;
  private final AutoCloseable reconnects;
  private final AtomicBoolean roundQueued = new AtomicBoolean();
  private int ticks;

  /** Rate limits of the WARNING that a cache's marks were lost, by cache name. */
  private final Map<String, WarningWindow> marksLostWarnings = new ConcurrentHashMap<>();

  private static final long FAILING_CHECKS_WARNING_PERIOD_NANOS = TimeUnit.MINUTES.toNanos(5);

  /**
   * Checks of a cache's registry entry that keep failing leave a cache destroyed elsewhere open
   * here: said once they have failed for a minute.
   */
  private final FailingChecks recordChecks =
      new FailingChecks(
          TimeUnit.MINUTES.toNanos(1), FAILING_CHECKS_WARNING_PERIOD_NANOS, System::nanoTime);

  /**
   * Renewals of the listener marks that keep failing let them expire after {@link
   * #FLAG_TTL_MILLIS}: said at half of it, before the other JVMs stop publishing.
   */
  private final FailingChecks renewals =
      new FailingChecks(
          TimeUnit.MILLISECONDS.toNanos(FLAG_TTL_MILLIS / 2),
          FAILING_CHECKS_WARNING_PERIOD_NANOS,
          System::nanoTime);

  public EventWiring(
      RemoteEvents remote,
      byte[] origin,
      Supplier<Collection<EntryOperations<?, ?>>> caches,
      Consumer<EntryOperations<?, ?>> recordCheck,
      Function<Runnable, AutoCloseable> whenRedisMayHaveLost,
      ThreadFactory threads) {
    this.remote = remote;
    this.origin = origin;
    this.caches = caches;
    this.recordCheck = recordCheck;
    this.maintenance = Executors.newSingleThreadScheduledExecutor(threads);
    maintenance.scheduleWithFixedDelay(
        this::maintain, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
    this.reconnects = whenRedisMayHaveLost.apply(this::redisMayHaveLost);
  }

  /**
   * A connection came back, or a cluster's topology changed: Redis may have lost this JVM's marks
   * (and registry entries), so check now rather than at the next period. Called on a Lettuce I/O
   * thread: queues one round at most, on the maintenance thread.
   */
  private void redisMayHaveLost() {
    if (roundQueued.compareAndSet(false, true)) {
      try {
        maintenance.execute(
            () -> {
              roundQueued.set(false); // before the round: a reconnect from now on queues another
              for (EntryOperations<?, ?> cache : caches.get()) {
                checkAndRenew(cache, false);
              }
            });
      } catch (RejectedExecutionException closed) {
        roundQueued.set(false);
      }
    }
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
            try {
              maintenance.execute(
                  () -> {
                    queued.set(false); // before the check: an announcement now queues another
                    checkOnly(cache);
                  });
            } catch (RejectedExecutionException closed) {
              queued.set(false); // the manager closed: nothing left to check
            }
          }
        });
    recordChecks.succeeded(cache.name()); // its record was just read: the count starts now
    cache.core().othersListen(store.othersListen());
    listenersChanged(cache);
  }

  /**
   * The cache's local listeners changed (or it just opened). Under the cache's marks lock: a
   * deregistration that saw no listener left must not unsubscribe after a registration that came
   * later subscribed.
   */
  public <K, V> void listenersChanged(EntryOperations<K, V> cache) {
    synchronized (cache.core().marksLock) {
      // a registration that passed its open check just before a close must not subscribe and
      // mark again after the close took both away
      if (!cache.isClosed()) {
        changeListening(cache, false);
      }
    }
  }

  /**
   * @param recreated whether the cache was created again (a destroy took the marks away, so their
   *     absence is no loss to report)
   */
  private <K, V> void changeListening(EntryOperations<K, V> cache, boolean recreated) {
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
    EntryStore.MarksRenewed marked;
    try {
      marked = store.flagListening(grace, FLAG_TTL_MILLIS).throwIfFailed();
      renewals.succeeded(cache.name());
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
    } else if (marked.anyMissing()) {
      // put back after a destroy (listenAgain), or after Redis lost them, which this registration
      // found first: the others look again now
      if (marked.partitionsMissing() > 0 && !recreated) {
        marksLost(cache, store, marked);
      }
      store.announceListeners();
    }
  }

  /**
   * The cache was created again (after a destroy, or after Redis lost its record): marks again that
   * this JVM listens, as the destroy took the marks away. Not for a cache closed meanwhile (under
   * the lock {@link #closed} takes too), which would subscribe again for nothing.
   */
  public void listenAgain(EntryOperations<?, ?> cache) {
    synchronized (cache.core().marksLock) {
      if (!cache.isClosed()) {
        changeListening(cache, true);
      }
    }
  }

  /**
   * The cache closed here: stop listening for it, and tell the others if they were publishing to
   * us. The Redis side goes through {@code cleanup}: with Redis unreachable it is skipped (the
   * marks expire within {@link #FLAG_TTL_MILLIS}); this JVM stops handling the channels either way.
   */
  public void closed(EntryOperations<?, ?> cache, Cleanup cleanup) {
    synchronized (cache.core().marksLock) {
      stopListening(cache, cleanup);
    }
  }

  private void stopListening(EntryOperations<?, ?> cache, Cleanup cleanup) {
    CacheCore<?, ?> core = cache.core();
    EntryStore store = core.engine().store();
    remote.unsubscribe(store.layout().controlChannel(), cleanup);
    forget(cache.name());
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
        recordChecks.succeeded(cache.name());
      } catch (RuntimeException e) {
        if (cache.isClosed()) {
          return; // closed meanwhile: nothing to check any more (and nothing to remember)
        }
        long seconds = recordChecks.failed(cache.name());
        if (seconds >= 0) {
          LOG.warn(
              "The registry entry of cache '{}' could not be checked for {} s ({}): should another"
                  + " JVM destroy it meanwhile, it stays open here until a check succeeds",
              cache.name(),
              seconds,
              e.toString());
        } else {
          LOG.debug("Could not check the registry entry of cache '{}'", cache.name(), e);
        }
      }
    }
  }

  private void maintain() {
    boolean sweep = ++ticks % CHECKS_PER_SILENCE_SWEEP == 0;
    for (EntryOperations<?, ?> cache : caches.get()) {
      checkAndRenew(cache, sweep);
    }
  }

  /** Checks the cache and renews its marks ({@code sweep}: also removes stopped JVMs' marks). */
  private void checkAndRenew(EntryOperations<?, ?> cache, boolean sweep) {
    safely(
        cache,
        () -> {
          recheck(cache);
          renewMarks(cache, sweep);
        });
  }

  /** What an announcement asks: the others' listening and the cache's record, nothing more. */
  private void checkOnly(EntryOperations<?, ?> cache) {
    safely(cache, () -> recheck(cache));
  }

  /**
   * One cache's share of a round on the maintenance thread. Nothing it throws may end the periodic
   * checks (a scheduled task that throws is never run again), and nothing of a cache that closed
   * meanwhile is kept.
   */
  private void safely(EntryOperations<?, ?> cache, Runnable work) {
    try {
      work.run();
    } catch (RuntimeException e) {
      LOG.warn(
          "The check of cache '{}' failed unexpectedly; it runs again within {} s",
          cache.name(),
          CHECK_MILLIS / 1000,
          e);
    } finally {
      if (cache.isClosed()) {
        forget(cache.name());
      }
    }
  }

  private void forget(String cacheName) {
    marksLostWarnings.remove(cacheName);
    recordChecks.forget(cacheName);
    renewals.forget(cacheName);
  }

  /**
   * Renews this JVM's listener marks of a cache that still listens, puts back those Redis lost
   * (saying so, and telling the other JVMs to look again), and with {@code sweep} removes the marks
   * of JVMs that stopped. The renewal itself runs under the cache's marks lock: one decided just
   * before the last listener went would otherwise put back the marks its removal took away.
   */
  private void renewMarks(EntryOperations<?, ?> cache, boolean sweep) {
    CacheCore<?, ?> core = cache.core();
    EntryStore store = core.engine().store();
    EntryStore.MarksRenewed renewed;
    synchronized (core.marksLock) {
      if (!core.listening() || cache.isClosed()) {
        return;
      }
      renewed = store.flagListening(grace(core), FLAG_TTL_MILLIS);
    }
    try {
      if (renewed.anyMissing()) {
        marksLost(cache, store, renewed);
        store.announceListeners();
      }
      if (renewed.failure() != null) {
        renewalFailed(cache, renewed.failure());
        return;
      }
      renewals.succeeded(cache.name());
      if (sweep) {
        List<String> gone = store.forgetSilentListeners(SILENT_LISTENER_MILLIS);
        if (!gone.isEmpty()) {
          LOG.info(
              "Removed the listener marks of cache '{}' left by {} JVM(s) silent for over {} s: {}",
              cache.name(),
              gone.size(),
              SILENT_LISTENER_MILLIS / 1000,
              gone);
        }
      }
    } catch (RuntimeException e) {
      // the others learn at their next check; the sweep runs again in a few checks
      LOG.debug("Could not announce or sweep the listener marks of cache '{}'", cache.name(), e);
    }
  }

  /** Normal while Redis restarts or fails over: said only if it lasts. */
  private void renewalFailed(EntryOperations<?, ?> cache, RuntimeException e) {
    if (cache.isClosed()) {
      return;
    }
    long seconds = renewals.failed(cache.name());
    if (seconds >= 0) {
      LOG.warn(
          "The listener marks of cache '{}' could not be renewed for {} s ({}): once they expire"
              + " ({} s after the last renewal), other JVMs stop publishing their changes to this"
              + " JVM's listeners until a renewal succeeds",
          cache.name(),
          seconds,
          e.toString(),
          FLAG_TTL_MILLIS / 1000);
    } else {
      LOG.debug("Could not renew the listener marks of cache '{}'", cache.name(), e);
    }
  }

  private void marksLost(
      EntryOperations<?, ?> cache, EntryStore store, EntryStore.MarksRenewed renewed) {
    if (renewed.partitionsMissing() == 0) {
      // only the roster: writers still saw partition 0's marks, and mutate.lua never reads it
      LOG.debug("Put back this JVM's entry in the roster of listeners of '{}'", cache.name());
      return;
    }
    long unreported =
        marksLostWarnings
            .computeIfAbsent(
                cache.name(),
                name -> new WarningWindow(MARKS_LOST_WARNING_PERIOD_NANOS, System::nanoTime))
            .admit();
    if (unreported < 0) {
      LOG.debug("Put back the lost listener marks of cache '{}' again", cache.name());
      return;
    }
    LOG.warn(
        "The listener marks of cache '{}' were missing from Redis at {} ({} of {} partitions), and"
            + " are put back: other JVMs did not publish their changes there meanwhile, and this"
            + " JVM's listeners missed those events. Redis lost them (a restart without"
            + " persistence, a failover to a replica that had not received them, an eviction), or"
            + " they expired while this JVM could not renew them, or another JVM took this one for"
            + " stopped (clocks over {} s apart){}",
        cache.name(),
        store.redis().target(),
        renewed.partitionsMissing(),
        renewed.partitions(),
        SILENT_LISTENER_MILLIS / 1000,
        unreported == 0 ? "" : " (lost " + unreported + " more time(s) since the last warning)");
  }

  @Override
  public void close() {
    try {
      reconnects.close();
    } catch (Exception e) {
      LOG.debug("Could not stop watching the connections", e);
    }
    maintenance.shutdownNow();
  }
}
