package dev.cascade.internal.near;

import dev.cascade.NearCacheStatistics;
import dev.cascade.internal.store.EntryStore;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded, in-process copy of recently read entries of one cache, kept correct by Redis: every
 * change of a key by any client makes Redis send an invalidation ({@link Invalidations}), which
 * removes the key here.
 *
 * <p>The race between a read and an invalidation is closed with load tokens: before a read goes to
 * Redis, a token takes the key's place here; an invalidation removes whatever is there; the read's
 * result is kept only if its token is still in place. So a value read before a change can never be
 * kept after the change's invalidation was processed. Values are kept as encoded bytes (each hit is
 * decoded again: store-by-value). Eviction is first-in first-out with a second chance for entries
 * read since they were last looked at. Thread-safe.
 */
public final class NearCache implements NearCacheStatistics, EntryStore.ChangeObserver {

  /** A kept entry, or a load token (value null). */
  private static final class Slot {
    final byte[] value;
    final long expiresAt;
    final int epoch;
    volatile boolean recentlyRead;

    Slot(byte[] value, long expiresAt, int epoch) {
      this.value = value;
      this.expiresAt = expiresAt;
      this.epoch = epoch;
    }
  }

  /** A hit: the encoded value. */
  public static final class Hit {
    public final byte[] value;

    Hit(byte[] value) {
      this.value = value;
    }
  }

  /** Handed to a reader before it reads; give it back with the result. */
  public static final class Token {
    final ByteBuffer key;
    final Slot slot;

    Token(ByteBuffer key, Slot slot) {
      this.key = key;
      this.slot = slot;
    }
  }

  private final int maxEntries;
  private final ConcurrentHashMap<ByteBuffer, Slot> slots = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<ByteBuffer> order = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder invalidations = new LongAdder();
  private final Invalidations source;

  NearCache(int maxEntries, Invalidations source) {
    this.maxEntries = maxEntries;
    this.source = source;
  }

  /**
   * The kept value of the key, if there is one, it has not expired, and the cache is trustworthy
   * now.
   */
  public Hit get(byte[] encodedKey, long now) {
    if (!source.isTracking()) {
      misses.increment();
      return null;
    }
    Slot slot = slots.get(ByteBuffer.wrap(encodedKey));
    if (slot == null
        || slot.value == null
        || slot.epoch != source.epoch()
        || slot.expiresAt <= now) {
      misses.increment();
      return null;
    }
    if (!slot.recentlyRead) {
      slot.recentlyRead =
          true; // written only when it changes: hits of one key from many threads share no writes
    }
    hits.increment();
    return new Hit(slot.value);
  }

  /** Reserves the key's place before a read goes to Redis; null when nothing may be kept now. */
  public Token beginRead(byte[] encodedKey) {
    if (!source.isTracking()) {
      return null;
    }
    ByteBuffer key = ByteBuffer.wrap(encodedKey);
    Slot token = new Slot(null, 0, source.epoch());
    Slot previous = slots.put(key, token);
    if (previous == null) {
      order.add(key);
      if (size.incrementAndGet() > maxEntries) {
        evictOne();
      }
    }
    return token.epoch == source.epoch() ? new Token(key, token) : null;
  }

  /**
   * Keeps what the read found, unless the key was invalidated (or the connection that carries
   * invalidations was lost) since {@link #beginRead}. Absent values and entries with a write still
   * queued are not kept.
   */
  public void completeRead(Token token, byte[] value, long expiresAt) {
    if (token == null) {
      return;
    }
    // a value whose write-behind record is still queued is the cache's value too: kept (the flush
    // settles the entry in Redis, which invalidates it once, harmlessly)
    if (value == null || token.slot.epoch != source.epoch()) {
      slots.remove(token.key, token.slot);
      return;
    }
    slots.replace(token.key, token.slot, new Slot(value, expiresAt, token.slot.epoch));
  }

  /** Forgets a key: another client (or this JVM) changed it. */
  public void invalidate(byte[] encodedKey) {
    if (slots.remove(ByteBuffer.wrap(encodedKey)) != null) {
      invalidations.increment();
    }
  }

  @Override
  public void changed(byte[] encodedKey) {
    invalidate(encodedKey);
  }

  @Override
  public void changedAll() {
    clear();
  }

  /** Forgets everything (the invalidations may have been lost). */
  public void clear() {
    slots.clear();
    order.clear();
    size.set(0);
  }

  private void evictOne() {
    for (int tries = 0; tries < 2 * maxEntries + 2; tries++) {
      ByteBuffer oldest = order.poll();
      if (oldest == null) {
        return;
      }
      Slot slot = slots.get(oldest);
      if (slot == null) {
        size.decrementAndGet();
        continue;
      }
      if (slot.recentlyRead) {
        slot.recentlyRead = false;
        order.add(oldest);
        continue;
      }
      if (slots.remove(oldest, slot)) {
        size.decrementAndGet();
        return;
      }
      order.add(oldest);
    }
  }

  /** See {@link Invalidations#awaitSentInvalidations()}. */
  void awaitSentInvalidations() {
    source.awaitSentInvalidations();
  }

  @Override
  public long hits() {
    return hits.sum();
  }

  @Override
  public long misses() {
    return misses.sum();
  }

  @Override
  public long invalidations() {
    return invalidations.sum();
  }

  @Override
  public int size() {
    return slots.size();
  }

  @Override
  public int maxEntries() {
    return maxEntries;
  }
}
