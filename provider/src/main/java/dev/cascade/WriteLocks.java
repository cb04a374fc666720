package dev.cascade;

import dev.cascade.store.EntryStore;
import dev.cascade.store.RedisAccess;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import javax.cache.CacheException;

/**
 * Per-key mutual exclusion for write-through, across threads and across JVMs.
 *
 * <p>Write-through calls the writer before changing the cache; two writers to one key must not
 * interleave, or the database could end with one value and the cache with the other. A key is
 * held by a Redis lock ({@code SET NX PX}, released by {@code mutate.lua} or {@code unlock.lua}
 * only with the holder's token) and, inside one JVM, by a striped local lock first, so local
 * threads queue instead of polling Redis. Several keys are always taken in one global order
 * (by encoded key bytes), so two {@code putAll} calls cannot deadlock.
 */
final class WriteLocks {

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
    boolean released;

    Held(byte[] key, byte[] token) {
      this.key = key;
      this.token = token;
    }
  }

  Held lock(byte[] key) {
    return lockAll(List.of(key)).get(0);
  }

  /** Locks every key, in the global order; returns them in that order. */
  List<Held> lockAll(List<byte[]> keys) {
    List<byte[]> sorted = new ArrayList<>(keys);
    sorted.sort(Arrays::compareUnsigned);
    int[] stripeOrder = sorted.stream().mapToInt(WriteLocks::stripe).distinct().sorted().toArray();
    List<ReentrantLock> taken = new ArrayList<>();
    List<Held> held = new ArrayList<>();
    boolean ok = false;
    try {
      for (int s : stripeOrder) {
        stripes[s].lock();
        taken.add(stripes[s]);
      }
      for (byte[] key : sorted) {
        held.add(acquireRemote(key));
      }
      ok = true;
      return held;
    } finally {
      if (!ok) {
        releaseAll(held);
        unlockStripes(taken);
      }
    }
  }

  private Held acquireRemote(byte[] key) {
    byte[] token = newToken();
    long deadline = System.currentTimeMillis() + waitMillis;
    long backoff = 1;
    while (!redis.await(store.tryLock(key, token, leaseMillis), "locking a key", store.describe())) {
      if (System.currentTimeMillis() > deadline) {
        throw new CacheException("Gave up after " + waitMillis + " ms waiting for the write-through lock of a key in "
            + store.describe() + ": another JVM holds it (a writer that hangs, or a JVM that died holding it;"
            + " the lock expires after " + leaseMillis + " ms)");
      }
      sleep(backoff);
      backoff = Math.min(backoff * 2, 20);
    }
    return new Held(key, token);
  }

  /** Releases what is still held: the Redis locks, then the local stripes. */
  void unlock(List<Held> held) {
    try {
      releaseAll(held);
    } finally {
      List<ReentrantLock> locks = new ArrayList<>();
      held.stream().mapToInt(h -> stripe(h.key)).distinct().sorted().forEach(s -> locks.add(stripes[s]));
      unlockStripes(locks);
    }
  }

  private void releaseAll(List<Held> held) {
    for (Held h : held) {
      if (!h.released) {
        h.released = true;
        redis.await(store.unlock(h.key, h.token), "unlocking a key", store.describe());
      }
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
    return sb.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
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
