package dev.cascade.internal.writebehind;

import dev.cascade.codec.Codec;
import dev.cascade.internal.admin.Administration;
import dev.cascade.internal.store.Cleanup;
import dev.cascade.internal.store.QueueStore;
import dev.cascade.internal.store.RedisFailures;
import dev.cascade.internal.support.Lifecycle;
import dev.cascade.writebehind.WriteBehindMXBean;
import dev.cascade.writebehind.WriteBehindSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import javax.cache.integration.CacheWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flushers of one write-behind cache in this JVM.
 *
 * <p>A coordinator keeps this JVM's share of the partitions: every third of a lease it beats its
 * heart in Redis, counts the live flushers, renews its leases, takes free partitions up to its fair
 * share ({@code ceil(partitions / flushers)}) and gives back what is above it, so every JVM that
 * opens the cache adds flush capacity. Worker threads flush the held partitions ({@link
 * PartitionFlush}), each partition always by the same worker.
 *
 * <p>{@link #close(Cleanup)} stops taking partitions, flushes the held ones until they are empty or
 * the drain timeout passes, then gives the leases back; whatever is left stays queued in Redis for
 * the next flusher. Thread-safe.
 */
public final class Flusher<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(Flusher.class);
  private static final AtomicInteger IDS = new AtomicInteger();

  private final QueueStore queue;
  private final WriteBehindSettings settings;
  private final WriterCalls<K, V> writer;
  private final String owner;
  private final LongSupplier graceMillis;
  private final int partitions;
  private final WriteBehindStats stats;
  private final Map<Integer, Held> held = new ConcurrentHashMap<>();

  /**
   * Partitions whose writer call overran the timeout and has not returned: nothing of theirs is
   * flushed until it does, even if the lease is lost and taken again (keyed by partition, not by
   * tenure). Their leases are renewed meanwhile, so no other JVM writes newer values either.
   */
  private final Map<Integer, WriterCalls.Hung> hung = new ConcurrentHashMap<>();

  private final ScheduledExecutorService coordinator;
  private final ExecutorService workers;
  private final ExecutorService callers;
  private volatile boolean draining;
  private volatile boolean stopped;

  /** When the drain that {@link #beginDrain} started gives up (epoch ms); 0 before it starts. */
  private long drainDeadline;

  /** What idle workers wait on between looks: {@link #close} wakes them to look at once. */
  private final Object naps = new Object();

  /**
   * The last step of a worker failed for want of an answer from Redis (no later step succeeded).
   */
  private final AtomicBoolean redisUnreachable = new AtomicBoolean();

  /** A partition this JVM holds, and the lock its worker holds while it flushes it. */
  private static final class Held {
    final PartitionFlush flush;
    final ReentrantLock busy = new ReentrantLock();
    volatile boolean drained;

    /** When the step that found the partition empty while draining began (System.nanoTime). */
    volatile long drainedAt;

    Held(PartitionFlush flush) {
      this.flush = flush;
    }
  }

  /**
   * @param owner this JVM's (CacheManager's) id: the consumer name and the lease owner
   * @param graceMillis native TTL grace for settled entries (while this JVM hears expiry events)
   * @param replacedInQueue how many queued records this JVM's writes replaced (for the statistics)
   */
  public Flusher(
      QueueStore queue,
      WriteBehindSettings settings,
      CacheWriter<? super K, ? super V> userWriter,
      Codec<K> keys,
      Codec<V> values,
      String owner,
      LongSupplier graceMillis,
      LongSupplier replacedInQueue) {
    this.queue = queue;
    this.settings = settings;
    this.owner = owner;
    this.graceMillis = graceMillis;
    this.partitions = queue.layout().partitions();
    String name = queue.layout().cacheName() + "-" + IDS.incrementAndGet();
    this.callers = Executors.newCachedThreadPool(Lifecycle.daemonThreads("cascade-writer-" + name));
    this.writer =
        new WriterCalls<>(
            userWriter,
            keys,
            values,
            settings.writerTimeout().toMillis(),
            callers,
            queue.layout().cacheName());
    this.stats = new WriteBehindStats(queue, held::size, replacedInQueue);
    this.coordinator =
        Executors.newSingleThreadScheduledExecutor(
            Lifecycle.daemonThreads("cascade-flush-coordinator-" + name));
    this.workers =
        Executors.newFixedThreadPool(
            settings.flushThreads(), Lifecycle.daemonThreads("cascade-flusher-" + name));
  }

  /** Gives the MXBean its dead-letter operations (replay, purge, list). */
  public void administeredBy(Administration administration) {
    stats.administeredBy(administration);
  }

  public WriteBehindMXBean stats() {
    return stats;
  }

  public void start() {
    queue.ensureGroups();
    // the first round here, not on the coordinator's thread: a cache closed right after it opened
    // holds its share of the partitions by then, or its drain would find nothing to drain
    coordinate();
    long period = Math.max(50, settings.leaseTtl().toMillis() / 3);
    coordinator.scheduleWithFixedDelay(this::coordinate, period, period, TimeUnit.MILLISECONDS);
    for (int i = 0; i < settings.flushThreads(); i++) {
      int worker = i;
      workers.execute(() -> work(worker));
    }
  }

  // ------------------------------------------------------------------ coordination

  private void coordinate() {
    try {
      long now = queue.redisNow(); // heartbeats are judged by other JVMs: one clock for all
      // Renewals first, and each on its own: nothing else may keep a held lease from being renewed.
      // Over maxmemory the heartbeat (an HSET) is refused while lease.lua still runs; the flushers
      // must keep their leases then, as only they can shrink the queue that fills memory.
      for (Map.Entry<Integer, Held> e : held.entrySet()) {
        renew(e.getKey(), e.getValue());
      }
      try {
        queue.heartbeat(owner, now);
      } catch (RuntimeException e) {
        stats.error("heartbeat failed (flushing goes on): " + e.getMessage());
        LOG.debug("A write-behind heartbeat failed", e);
      }
      if (draining || stopped) {
        return;
      }
      int alive = queue.liveFlushers(owner, now, settings.leaseTtl().toMillis() * 3);
      int fairShare = (partitions + alive - 1) / alive;
      if (held.size() < fairShare) {
        acquire(fairShare - held.size());
      } else if (held.size() > fairShare) {
        release(held.size() - fairShare);
      }
    } catch (RuntimeException | Error e) {
      // never let it escape: a scheduled task that throws is never run again
      stats.error("coordinating flush leases failed: " + e);
      LOG.debug("Coordinating write-behind leases failed", e);
    }
  }

  private void renew(int partition, Held h) {
    String token = h.flush.leaseToken;
    try {
      if (token == null || !queue.renewLease(partition, token, settings.leaseTtl())) {
        drop(partition, h, "lease lost");
      }
    } catch (RuntimeException e) {
      // the next renewal, a third of a lease later, may still be in time
      stats.error("renewing the lease of partition " + partition + " failed: " + e.getMessage());
      LOG.debug("Renewing a write-behind lease failed", e);
    }
  }

  private void acquire(int wanted) {
    // start at a place that depends on the owner, so JVMs starting together rarely collide
    int start = Math.floorMod(owner.hashCode(), partitions);
    List<Integer> taken = new ArrayList<>();
    // stops once a drain began: a lease taken after the close listed what it gives back would
    // stay taken until it expires
    for (int i = 0; i < partitions && wanted > 0 && !draining && !stopped; i++) {
      int p = (start + i) % partitions;
      if (held.containsKey(p)) {
        continue;
      }
      String token = queue.acquireLease(p, owner, settings.leaseTtl());
      if (token != null) {
        held.put(
            p,
            new Held(
                new PartitionFlush(p, queue, writer, settings, stats, owner, graceMillis, token)));
        taken.add(p);
        wanted--;
      }
    }
    if (!taken.isEmpty()) {
      LOG.info(
          "Write-behind cache '{}': {} took the flush leases of partitions {}; it flushes {} of {}",
          queue.layout().cacheName(),
          owner,
          taken,
          held.size(),
          partitions);
    }
  }

  /**
   * Gives back partitions above the fair share, when their worker is not in the middle of a batch.
   */
  private void release(int surplus) {
    List<Integer> mine = new ArrayList<>(held.keySet());
    Collections.shuffle(mine);
    List<Integer> given = new ArrayList<>();
    for (int p : mine) {
      if (surplus == 0) {
        break;
      }
      Held h = held.get(p);
      if (h != null && !hung.containsKey(p) && h.busy.tryLock()) {
        try {
          if (h.flush.isEmpty()) {
            held.remove(p);
            queue.releaseLease(p, h.flush.leaseToken);
            given.add(p);
            surplus--;
          }
        } finally {
          h.busy.unlock();
        }
      }
    }
    if (!given.isEmpty()) {
      LOG.info(
          "Write-behind cache '{}': {} gave the flush leases of partitions {} back to share them"
              + " with other flushers; it flushes {} of {}",
          queue.layout().cacheName(),
          owner,
          given,
          held.size(),
          partitions);
    }
  }

  /**
   * Stops flushing {@code h}'s tenure of the partition (not a newer one the coordinator took
   * since).
   */
  private void drop(int partition, Held h, String why) {
    if (held.remove(partition, h)) {
      h.flush.leaseToken = null;
      stats.error("stopped flushing partition " + partition + ": " + why);
      LOG.warn(
          "Write-behind cache '{}': {} stopped flushing partition {}: {}; a flusher that holds its"
              + " lease (this one or another JVM's) goes on from the queue in Redis",
          queue.layout().cacheName(),
          owner,
          partition,
          why);
    }
  }

  // ------------------------------------------------------------------ flushing

  private void work(int worker) {
    long poll = Math.max(10, Math.min(1_000, settings.maxDelay().toMillis() / 2));
    while (!stopped) {
      // a stray interrupt (from a driver, say) must not turn every later wait into a failure
      Thread.interrupted();
      long now = System.currentTimeMillis();
      long wakeAt = now + poll;
      boolean flushed = false;
      for (Map.Entry<Integer, Held> e : held.entrySet()) {
        if (e.getKey() % settings.flushThreads() != worker || stillHung(e.getKey())) {
          continue;
        }
        Held h = e.getValue();
        if (!h.busy.tryLock()) {
          continue;
        }
        try {
          if (held.get(e.getKey()) != h) {
            continue;
          }
          long stepStart = System.nanoTime();
          PartitionFlush.Step step = h.flush.step(now, draining);
          if (h.flush.lastStepReachedRedis()) {
            answered();
          }
          switch (step) {
            case FLUSHED:
              flushed = true;
              h.drained = false; // there may be more
              break;
            case LEASE_LOST:
              drop(e.getKey(), h, "lease lost while flushing");
              break;
            case IDLE:
              h.drainedAt = stepStart;
              h.drained = draining;
              break;
            default:
              h.drained = false;
              wakeAt = Math.min(wakeAt, h.flush.dueAt());
              break;
          }
        } catch (WriterCalls.Hung ex) {
          // reported when it overran; the worker goes on with its other partitions
          hung.put(e.getKey(), ex);
          h.drained = false;
        } catch (RuntimeException | Error ex) {
          if (RedisFailures.meansUnreachable(ex)) {
            unreachable(e.getKey(), ex);
          }
          stats.error("flushing partition " + e.getKey() + " failed: " + ex);
          LOG.debug("Flushing a write-behind partition failed", ex);
        } finally {
          h.busy.unlock();
        }
      }
      if (!flushed) {
        nap(Math.max(1, Math.min(poll, wakeAt - System.currentTimeMillis())));
      }
    }
  }

  /** Redis answered a step: says so once if it did not before. */
  private void answered() {
    // several workers report: compareAndSet lets exactly one of them say it
    if (redisUnreachable.compareAndSet(true, false)) {
      LOG.info(
          "Write-behind cache '{}': Redis at {} answers again; flushing goes on",
          queue.layout().cacheName(),
          queue.redisTarget());
    }
  }

  /** A step failed for want of an answer from Redis: one warning per outage, not per step. */
  private void unreachable(int partition, Throwable cause) {
    if (redisUnreachable.compareAndSet(false, true)) {
      LOG.warn(
          "Write-behind cache '{}': Redis at {} does not answer (partition {}: {}); the queued"
              + " changes wait in Redis and flushing resumes when it answers",
          queue.layout().cacheName(),
          queue.redisTarget(),
          partition,
          cause.toString());
    }
  }

  /** True while a writer call of the partition that overran the timeout has not returned. */
  private boolean stillHung(int partition) {
    WriterCalls.Hung h = hung.get(partition);
    if (h == null) {
      return false;
    }
    if (!h.returned()) {
      return true;
    }
    hung.remove(partition, h);
    return false;
  }

  /**
   * Starts draining (every held partition flushes what it has, without waiting for a full batch or
   * the delay) and does not wait; {@link #close} waits for it. A manager closing several
   * write-behind caches starts them all first, so they drain side by side, each within its drain
   * timeout counted from here, not one after another. Idempotent: the deadline is the one of the
   * first call.
   *
   * @return when the drain gives up (epoch ms)
   */
  public synchronized long beginDrain() {
    if (drainDeadline == 0) {
      drainDeadline = System.currentTimeMillis() + settings.drainTimeout().toMillis();
      draining = true;
    }
    return drainDeadline;
  }

  /**
   * The queue is gone (the cache was destroyed elsewhere): {@link #close} stops at once instead of
   * draining what is no longer there until the drain timeout.
   */
  public synchronized void abandon() {
    drainDeadline = System.currentTimeMillis();
    draining = true;
  }

  /**
   * Flushes this JVM's partitions until they are empty or the drain timeout (counted from {@link
   * #beginDrain}) passes, then gives the leases back and stops. Records not flushed stay queued in
   * Redis for another flusher. With Redis unreachable there is nothing to drain: it stops at once
   * and leaves the leases and its heartbeat to expire (the Redis commands go through {@code
   * cleanup}, which skips them then).
   */
  public void close(Cleanup cleanup) {
    long deadline = beginDrain();
    // Only a partition found empty by a step that began from now on is drained: the drain may have
    // begun while the cache still took writes (the manager starts every cache's drain first).
    long since = System.nanoTime();
    synchronized (naps) {
      naps.notifyAll(); // idle workers look now, not after their nap
    }
    while (System.currentTimeMillis() < deadline && !allDrained(since)) {
      if (redisUnreachable.get()) {
        cleanup.sawUnreachable();
      }
      if (cleanup.redisUnreachable()) {
        break;
      }
      sleep(10);
    }
    stopped = true;
    synchronized (naps) {
      naps.notifyAll(); // napping workers see stopped now
    }
    if (cleanup.redisUnreachable()) {
      coordinator.shutdownNow();
    } else {
      // A round still running may be taking a lease: it ends (not interrupted, which would stop
      // waiting for a lease Redis then grants all the same) before the leases are given back.
      coordinator.shutdown();
      try {
        if (!coordinator.awaitTermination(
            queue.redisTarget().timeout().toMillis(), TimeUnit.MILLISECONDS)) {
          coordinator.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (cleanup.redisUnreachable()) {
      // the workers can only be waiting for Redis' replies (or for writer calls, which carry on
      // in their own threads and keep their partitions' leases, as Redis cannot be told anyway)
      workers.shutdownNow();
    } else {
      workers.shutdown();
    }
    try {
      workers.awaitTermination(
          Math.max(1_000, settings.writerTimeout().toMillis()), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Map.Entry<Integer, Held> e : held.entrySet()) {
      String token = e.getValue().flush.leaseToken;
      if (stillHung(e.getKey()) || !e.getValue().busy.tryLock()) {
        // a writer call of this partition is still running and may still commit: keep the lease
        // (it expires without renewals), so no other JVM writes newer changes of its keys before
        LOG.warn(
            "Closing with a write-behind writer call of partition "
                + e.getKey()
                + " still running;"
                + " its lease is left to expire");
        continue;
      }
      try {
        if (token != null) {
          cleanup.run(
              "giving back the flush lease of partition " + e.getKey(),
              () -> queue.releaseLease(e.getKey(), token));
        }
      } finally {
        e.getValue().busy.unlock();
      }
    }
    held.clear();
    cleanup.run(
        "leaving the flushers of cache '" + queue.layout().cacheName() + "'",
        () -> queue.leave(owner));
    callers.shutdownNow();
  }

  private boolean allDrained(long since) {
    for (Held h : held.values()) {
      if (!h.drained || h.drainedAt - since < 0) {
        return false;
      }
    }
    return true;
  }

  /** An idle worker's wait before it looks again; cut short by {@link #close}. */
  private void nap(long millis) {
    synchronized (naps) {
      try {
        naps.wait(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
