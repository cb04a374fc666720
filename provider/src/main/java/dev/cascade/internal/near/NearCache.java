package dev.cascade.internal.near;

import dev.cascade.NearCacheStatistics;
import dev.cascade.internal.store.EntryStore;
import dev.cascade.internal.store.RedisAccess;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A bounded, in-process copy of recently read entries of one cache, kept correct by Redis: every
 * change of a key by any client makes Redis send an invalidation ({@link Invalidations}), which
 * removes the key here.
 *
 * <p>The race between a read and an invalidation is closed with load tokens: before a read goes to
 * Redis, a token takes the key's place here; an invalidation removes whatever is there; the read's
 * result is kept only if its token is still in place. So a value read before a change can never be
 * kept after the change's invalidation was processed.
 *
 * <p>That invalidation can come late, though: it travels on its own connection, while the reads'
 * answers come on the shared one. And reads reach Redis in the order they are sent, not the one
 * their tokens were placed in: a reader whose token was replaced by another reader's (or who read
 * without one) may get a newer value than the other reader, whose read reached Redis first but
 * whose token is the one in place; if that older value were kept, the first reader would be served
 * it afterwards, going back in time. So a read that went to Redis, when it completes, forgets
 * whatever was placed in its key's place before it was sent ({@link #sent}): those reads may have
 * found an older value. What was placed after it was sent is answered after it (one connection
 * answers in order), so it stays. A read whose sending is not known, or while calls were sent again
 * ({@link RedisAccess#resends()}), forgets whatever is there. Values are kept as encoded bytes
 * (each hit is decoded again: store-by-value). Eviction is first-in first-out with a second chance
 * for entries read since they were last looked at. Thread-safe.
 */
public final class NearCache implements NearCacheStatistics, EntryStore.ChangeObserver {

  /** A kept entry, or a load token (value null). */
  private static final class Slot {
    final byte[] value;

    /**
     * When the value expires in Redis, as far as this JVM knows: moved later only once Redis
     * confirmed a touch, so a kept value never outlives the entry in Redis.
     */
    volatile long expiresAt;

    /**
     * Access expiry: when this JVM last sent a touch of the key, as far as this slot knows (the
     * {@link #touches} map has the last word); lets a hit decide without a map lookup.
     */
    volatile long touchedAt;

    final int epoch;

    /** When the token of the read that found the value was placed: a tick of {@link #clock}. */
    final long placed;

    volatile boolean recentlyRead;

    Slot(byte[] value, long expiresAt, int epoch, long placed) {
      this.value = value;
      this.expiresAt = expiresAt;
      this.epoch = epoch;
      this.placed = placed;
    }
  }

  /** A hit: the encoded value. */
  public static final class Hit {
    public final byte[] value;

    /** The kept entry that was served. */
    final Slot slot;

    Hit(Slot slot) {
      this.value = slot.value;
      this.slot = slot;
    }
  }

  /** Handed to a reader before it reads; give it back with the result. */
  public static final class Token {
    final ByteBuffer key;

    /** The load token in the key's place, or null when the result may not be kept. */
    final Slot slot;

    /** {@link RedisAccess#resends()} before the read was sent. */
    final long resendsBefore;

    /** A tick of {@link #clock} taken once the read was sent; 0 until then. */
    long sent;

    Token(ByteBuffer key, Slot slot, long resendsBefore) {
      this.key = key;
      this.slot = slot;
      this.resendsBefore = resendsBefore;
    }
  }

  private final int maxEntries;
  private final ConcurrentHashMap<ByteBuffer, Slot> slots = new ConcurrentHashMap<>();

  /**
   * One entry per placed token, oldest first: its key and when it was placed. An entry whose key
   * now holds another slot (placed later) or none is stale and dropped when met, so a key that is
   * invalidated and read again over and over (an access expiry's own touches) neither counts twice
   * against {@link #maxEntries} nor pushes live entries out.
   */
  private final ConcurrentLinkedQueue<Queued> order = new ConcurrentLinkedQueue<>();

  private record Queued(ByteBuffer key, long placed) {}

  /** Entries in {@link #order}, stale ones included. */
  private final AtomicInteger queued = new AtomicInteger();

  /** Orders the placing of tokens and the sending of reads. */
  private final AtomicLong clock = new AtomicLong();

  /** Access expiry: when this JVM last sent a touch of a key (epoch ms), for {@link #touchDue}. */
  private final ConcurrentHashMap<ByteBuffer, Long> touches = new ConcurrentHashMap<>();

  private volatile Consumer<byte[]> refresher;

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
    return new Hit(slot);
  }

  /**
   * Reserves the key's place before a read goes to Redis; the token says whether the result may be
   * kept. Every read that goes to Redis must tell {@link #sent} once it was sent and give its token
   * back to {@link #completeRead}.
   */
  public Token beginRead(byte[] encodedKey) {
    if (!source.isTracking()) {
      return unkeptRead(encodedKey);
    }
    ByteBuffer key = ByteBuffer.wrap(encodedKey);
    long resends = source.resends();
    Slot token = new Slot(null, 0, source.epoch(), clock.incrementAndGet());
    slots.put(key, token);
    order.add(new Queued(key, token.placed));
    if (queued.incrementAndGet() > 2 * maxEntries + 16) {
      dropStale();
    }
    if (slots.size() > maxEntries) {
      evictOne();
    }
    return new Token(key, token.epoch == source.epoch() ? token : null, resends);
  }

  /** A token for a read whose result is not kept (it still forgets older reads' results). */
  Token unkeptRead(byte[] encodedKey) {
    return new Token(ByteBuffer.wrap(encodedKey), null, source.resends());
  }

  /**
   * The token's read was sent to Redis: tokens placed from now on belong to reads that Redis
   * answers after it.
   */
  public void sent(Token token) {
    token.sent = clock.incrementAndGet();
  }

  /**
   * Keeps what the read found, unless the key was invalidated (or the connection that carries
   * invalidations was lost) since {@link #beginRead}; absent values are not kept. Whatever else was
   * placed in the key's place before this read was sent (another reader's token or kept value) is
   * forgotten: that read may have reached Redis first and found an older value, whose invalidation
   * may still be on its way.
   */
  public Hit completeRead(Token token, byte[] value, long expiresAt) {
    // a value whose write-behind record is still queued is the cache's value too: kept (the flush
    // settles the entry in Redis, which invalidates it once, harmlessly)
    Slot own = token.slot;
    Slot kept =
        own != null
                && value != null
                && own.epoch == source.epoch()
                && source.mayKeep(this, token.key.array())
            ? new Slot(value, expiresAt, own.epoch, own.placed)
            : null;
    if (kept != null && !touches.isEmpty()) {
      Long touched = touches.get(token.key);
      kept.touchedAt = touched == null ? 0 : touched;
    }
    // not known when it was sent, or a call was sent again (it may have run after later ones):
    // nothing placed is known to be newer
    long newerAfter =
        token.sent != 0 && source.resends() == token.resendsBefore ? token.sent : Long.MAX_VALUE;
    Slot now =
        slots.compute(
            token.key,
            (k, current) ->
                current == own
                    ? kept
                    : current != null && current.placed > newerAfter ? current : null);
    return now != null && now == kept ? new Hit(kept) : null;
  }

  /**
   * Access expiry: whether an access of the key should send a touch to Redis now, at most one per
   * key every {@code intervalMillis} (a hot key read a million times a second sends a few touches,
   * not a million). The caller that gets true sends it.
   */
  public boolean touchDue(byte[] encodedKey, long now, long intervalMillis) {
    ByteBuffer key = ByteBuffer.wrap(encodedKey);
    Long last = touches.get(key);
    if (last != null && now - last < intervalMillis) {
      return false;
    }
    if (touches.size() >= 2 * maxEntries + 16) {
      touches.clear(); // forgets when keys were touched: at worst a few touches more
    }
    boolean[] due = {false};
    touches.compute(
        key,
        (k, current) -> {
          if (current == null || now - current >= intervalMillis) {
            due[0] = true;
            return now;
          }
          return current;
        });
    return due[0];
  }

  /**
   * {@link #touchDue(byte[], long, long)} for a hit: decided from the served slot alone, without a
   * map lookup, while the key's last touch is recent.
   */
  public boolean touchDue(Hit hit, byte[] encodedKey, long now, long intervalMillis) {
    Slot slot = hit.slot;
    if (now - slot.touchedAt < intervalMillis) {
      return false;
    }
    boolean due = touchDue(encodedKey, now, intervalMillis);
    Long last = touches.get(ByteBuffer.wrap(encodedKey));
    slot.touchedAt = last == null ? now : last;
    return due;
  }

  /**
   * Access expiry: the touches this JVM sends change the entries in Redis, so Redis invalidates
   * them here too; {@code refresher} reads such an entry again (as any read, with a load token)
   * once its invalidation has dropped it, so a hot key is not missed until its next access.
   */
  public void refreshTouchedWith(Consumer<byte[]> refresher) {
    this.refresher = refresher;
  }

  /**
   * Access expiry: Redis confirmed a touch of the served value, which now expires at {@code
   * expiresAt}; the kept copy may be served until then, if it is still the one kept.
   */
  public void extend(byte[] encodedKey, Hit hit, long expiresAt) {
    Slot slot = hit.slot;
    if (slots.get(ByteBuffer.wrap(encodedKey)) == slot && expiresAt > slot.expiresAt) {
      slot.expiresAt = expiresAt;
    }
  }

  /** Forgets a key: another client (or this JVM) changed it. */
  public void invalidate(byte[] encodedKey) {
    ByteBuffer key = ByteBuffer.wrap(encodedKey);
    Slot removed = slots.remove(key);
    if (removed != null) {
      invalidations.increment();
    }
    Consumer<byte[]> r = refresher;
    if (r != null && removed != null && removed.value != null && touches.containsKey(key)) {
      // most likely this JVM's own touch: read the entry again (after the drop, so the read's
      // token is not removed by the invalidation it follows)
      r.accept(encodedKey);
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
    queued.set(0);
  }

  /** Whether a queue entry is the one of the slot its key holds now. */
  private boolean isLive(Queued q, Slot slot) {
    return slot != null && slot.placed == q.placed;
  }

  /** Evicts the oldest live entry not read since it was last looked at (a second chance). */
  private void evictOne() {
    for (int tries = 0; tries < 4 * maxEntries + 32; tries++) {
      Queued oldest = order.poll();
      if (oldest == null) {
        return;
      }
      queued.decrementAndGet();
      Slot slot = slots.get(oldest.key);
      if (!isLive(oldest, slot)) {
        continue;
      }
      if (slot.recentlyRead) {
        slot.recentlyRead = false;
        order.add(oldest);
        queued.incrementAndGet();
        continue;
      }
      if (slots.remove(oldest.key, slot)) {
        return;
      }
      // replaced meanwhile: the newer slot has its own entry
    }
  }

  /** Drops the stale entries of the queue (many invalidations and few evictions leave them). */
  private void dropStale() {
    for (int n = queued.get(); n > 0; n--) {
      Queued q = order.poll();
      if (q == null) {
        return;
      }
      queued.decrementAndGet();
      if (isLive(q, slots.get(q.key))) {
        order.add(q);
        queued.incrementAndGet();
      }
    }
  }

  /**
   * Whether reads may be served here now (else every read goes to Redis: invalidations may be
   * lost).
   */
  boolean isTrusted() {
    return source.isTracking();
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
