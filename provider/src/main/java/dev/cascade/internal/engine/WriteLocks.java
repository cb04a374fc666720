package dev.cascade.internal.engine;

import dev.cascade.internal.store.EntryStore;
import dev.cascade.internal.store.RedisAccess;
import dev.cascade.internal.store.StoredEntry;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import javax.cache.CacheException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-key mutual exclusion for write-through, across threads and across JVMs.
 *
 * <p>Write-through calls the writer before changing the cache; two writers to one key must not
 * interleave, or the database could end with one value and the cache with the other. A key is held
 * by a Redis lock ({@code SET NX PX}, released by {@code mutate.lua} or {@code unlock.lua} only
 * with the holder's token) and, inside one JVM, by a striped local lock first, so local threads
 * queue instead of polling Redis. Several keys are always taken in one global order (by encoded key
 * bytes), so two {@code putAll} calls cannot deadlock.
 */
final class WriteLocks {

  private static final Logger LOG = LoggerFactory.getLogger(WriteLocks.class);
  private static final int STRIPES = 1024;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final EntryStore store;
  private final RedisAccess redis;
  private final long leaseMillis;
  private final long waitMillis;
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

  WriteLocks(EntryStore store, Duration lease, Duration maxWait) {
    this.store = store;
    this.redis = store.redis();
    this.leaseMillis = lease.toMillis();
    this.waitMillis = maxWait.toMillis();
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /** One held key. The token proves ownership to {@code mutate.lua}. */
  static final class Held {
    final byte[] key;
    final byte[] token;

    /** The entry as read in the step that took the lock ({@link #lockReading}), else null. */
    final StoredEntry seen;

    boolean released;

    Held(byte[] key, byte[] token, StoredEntry seen) {
      this.key = key;
      this.token = token;
      this.seen = seen;
    }
  }

  /**
   * Locks one key and reads its entry in the same Redis step ({@code lock.lua} with the entry), so
   * a single-key change costs one round trip for lock and read together: {@link Held#seen} is the
   * entry as it was when the lock was granted.
   */
  Held lockReading(byte[] key) {
    ReentrantLock stripe = stripes[stripe(key)];
    long deadline = System.currentTimeMillis() + waitMillis;
    lockStripe(stripe, deadline);
    try {
      return acquireRemote(key, deadline, token -> store.tryLockAndRead(key, token, leaseMillis));
    } catch (RuntimeException | Error e) {
      // acquireRemote leaves no Redis lock behind when it fails (see tryLock)
      stripe.unlock();
      throw e;
    }
  }

  /**
   * Locks every key, in the global order; returns them in that order. On failure nothing stays
   * held: the stripes are released in any case, and the Redis locks taken so far as far as Redis
   * answers (a lock whose release fails expires after its lease); the failure that stopped the
   * locking is the one thrown, a failed release is added to it as suppressed.
   */
  List<Held> lockAll(List<byte[]> keys) {
    List<byte[]> sorted = new ArrayList<>(keys);
    sorted.sort(Arrays::compareUnsigned);
    int[] stripeOrder = sorted.stream().mapToInt(WriteLocks::stripe).distinct().sorted().toArray();
    List<ReentrantLock> taken = new ArrayList<>();
    List<Held> held = new ArrayList<>();
    long deadline = System.currentTimeMillis() + waitMillis;
    try {
      for (int s : stripeOrder) {
        lockStripe(stripes[s], deadline);
        taken.add(stripes[s]);
      }
      for (byte[] key : sorted) {
        held.add(
            acquireRemote(
                key,
                deadline,
                token ->
                    store.tryLock(key, token, leaseMillis).thenApply(t -> t ? NOT_READ : null)));
      }
      return held;
    } catch (RuntimeException | Error e) {
      try {
        releaseAll(held);
      } catch (RuntimeException release) {
        e.addSuppressed(release);
      } finally {
        unlockStripes(taken);
      }
      throw e;
    }
  }

  /**
   * Waits for a local stripe no longer than for the Redis lock: a thread of this JVM holding it
   * longer (a writer that hangs) must not make others wait forever.
   */
  private void lockStripe(ReentrantLock stripe, long deadline) {
    try {
      if (!stripe.tryLock(
          Math.max(0, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS)) {
        throw new CacheException(
            "Gave up after "
                + waitMillis
                + " ms waiting for the write-through lock of a key in "
                + store.describe()
                + ": another thread of this JVM holds it (a writer that takes that long?)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException(
          "Interrupted while waiting for a write-through lock in " + store.describe(), e);
    }
  }

  /**
   * Takes the key's Redis lock with {@code attempt} (given the token, it answers the entry it read
   * under the lock, {@link #NOT_READ} when it reads nothing, or null when the lock is someone
   * else's), retrying with backoff until the deadline.
   */
  private Held acquireRemote(
      byte[] key, long deadline, Function<byte[], CompletableFuture<StoredEntry>> attempt) {
    byte[] token = newToken();
    long backoff = 1;
    StoredEntry seen;
    while ((seen = tryLock(key, token, attempt)) == null) {
      if (System.currentTimeMillis() > deadline) {
        throw new CacheException(
            "Gave up after "
                + waitMillis
                + " ms waiting for the write-through lock of a key in "
                + store.describe()
                + ": another JVM holds it (a writer that hangs, or a JVM that died holding it;"
                + " the lock expires after "
                + leaseMillis
                + " ms)");
      }
      sleep(backoff);
      backoff = Math.min(backoff * 2, 20);
    }
    return new Held(key, token, seen == NOT_READ ? null : seen);
  }

  /** What a lock attempt that reads nothing answers when it took the lock. */
  private static final StoredEntry NOT_READ = new StoredEntry(null, StoredEntry.ETERNAL, false);

  /**
   * One attempt at the Redis lock: what {@code attempt} answers, null when the lock is someone
   * else's. If the attempt fails, the lock may still have been taken (the connection dropped after
   * Redis ran it): it is released with the token before the failure is thrown, so the key is not
   * held, until the lease expires, by a token nobody has.
   */
  private StoredEntry tryLock(
      byte[] key, byte[] token, Function<byte[], CompletableFuture<StoredEntry>> attempt) {
    CompletableFuture<StoredEntry> sent = attempt.apply(token);
    try {
      return redis.await(sent, "locking a key", store.describe());
    } catch (RuntimeException | Error e) {
      // the attempt may still be resent and succeed after this caller gave up: release the token
      // once it is settled, whatever its outcome, not before
      sent.whenComplete((taken, failure) -> store.unlock(key, token));
      throw e;
    }
  }

  /**
   * Releases what is still held: the Redis locks, then the local stripes. Never throws: it runs in
   * {@code finally} blocks, where a failure would hide the operation's own outcome (its error, or
   * its success); a Redis lock whose release failed is logged and expires after its lease.
   */
  void unlock(List<Held> held) {
    try {
      releaseAll(held);
    } catch (RuntimeException e) {
      LOG.warn(
          "Could not release "
              + held.size()
              + " write-through lock(s) in "
              + store.describe()
              + "; they expire within "
              + leaseMillis
              + " ms: "
              + e.getMessage());
    } finally {
      List<ReentrantLock> locks = new ArrayList<>();
      held.stream()
          .mapToInt(h -> stripe(h.key))
          .distinct()
          .sorted()
          .forEach(s -> locks.add(stripes[s]));
      unlockStripes(locks);
    }
  }

  /**
   * Releases every Redis lock still held, each even when an earlier release failed (a lock whose
   * release failed expires after its lease); throws the first failure, the others suppressed.
   */
  private void releaseAll(List<Held> held) {
    // all releases are sent at once, then awaited: with Redis gone, n keys cost one timeout, not n
    List<CompletableFuture<Long>> sent = new ArrayList<>(held.size());
    for (Held h : held) {
      if (!h.released) {
        h.released = true;
        sent.add(store.unlock(h.key, h.token));
      }
    }
    RuntimeException first = null;
    for (CompletableFuture<Long> release : sent) {
      try {
        redis.await(release, "unlocking a key", store.describe());
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private static void unlockStripes(List<ReentrantLock> locks) {
    for (int i = locks.size() - 1; i >= 0; i--) {
      ReentrantLock l = locks.get(i);
      if (l.isHeldByCurrentThread()) {
        l.unlock();
      }
    }
  }

  private static int stripe(byte[] key) {
    return (Arrays.hashCode(key) & 0x7fffffff) % STRIPES;
  }

  private static byte[] newToken() {
    byte[] raw = new byte[16];
    RANDOM.nextBytes(raw);
    StringBuilder sb = new StringBuilder(32);
    for (byte b : raw) {
      sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
    }
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("Interrupted while waiting for a write-through lock", e);
    }
  }
}
