package dev.cascade.internal.engine;

import dev.cascade.internal.near.NearCache;
import dev.cascade.internal.store.EntryStore;
import dev.cascade.internal.store.Mutation;
import dev.cascade.internal.store.Outcome;
import dev.cascade.internal.store.Outcome.Status;
import dev.cascade.internal.store.StoredEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Reads the entries of one cache, choosing the cheapest way the expiry policy allows: a plain
 * {@code HGET} for eternal entries, {@code HMGET} of value, expiry and queued-write marker
 * otherwise (reaping an entry found expired), or the mutation script when a read must renew an
 * access expiry. With a near cache, it serves what the near cache holds and keeps what Redis
 * answered. Thread-safe; runs on the caller's thread.
 */
final class EntryReader {

  /**
   * What a read found: the live value (or null), an expired value it reaped (or null), and whether
   * a write of the key is still queued (then a miss must not be loaded: the database is behind),
   * and when the value expires (epoch ms), as far as a near cache may keep it.
   */
  record Read(byte[] value, byte[] expired, boolean pending, long expiresAt) {
    static final Read MISS = new Read(null, null, false);

    Read(byte[] value, byte[] expired, boolean pending) {
      this(value, expired, pending, StoredEntry.ETERNAL);
    }

    /** A miss that read-through may fill from the database. */
    boolean loadable() {
      return value == null && !pending;
    }
  }

  private final EntryEngine engine;
  private final EntryStore store;

  /** {@link EntryStore#readValue}, built once: the plain get passes it on every read. */
  private final Function<byte[], CompletableFuture<byte[]>> readValue;

  private final ExpiryRules expiry;

  /**
   * This JVM's copies, or null: only for caches whose reads do not change entries (no access
   * expiry).
   */
  private final NearCache near;

  /** With a near cache: reads change entries (an access expiry), so hits send touches. */
  private final boolean nearTouches;

  /** {@link #touchInterval} of a fixed policy's access duration, worked out once; else -1. */
  private final long fixedTouchInterval;

  /**
   * The most time between two touches of one key for its near hits: the remote TTL trails the
   * latest near access by at most this (or a twentieth of the access duration, if shorter).
   */
  static final long NEAR_TOUCH_INTERVAL_MILLIS = 1_000;

  EntryReader(EntryEngine engine, NearCache near) {
    this.engine = engine;
    this.store = engine.store();
    this.readValue = store::readValue;
    this.expiry = engine.expiry();
    this.near = near;
    this.nearTouches = near != null && expiry.readsTouch();
    String access = expiry.isFixed() ? expiry.forAccess() : null;
    this.fixedTouchInterval =
        access == null || Mutation.UNCHANGED.equals(access) || Mutation.ZERO.equals(access)
            ? -1
            : touchInterval(access);
    if (nearTouches) {
      near.refreshTouchedWith(this::refresh);
    }
  }

  NearCache nearCache() {
    return near;
  }

  /**
   * Reads one entry, reaping it if expired and applying the access expiry if the policy has one.
   */
  Read read(byte[] key) {
    NearCache n = near;
    if (n != null) {
      long now = engine.now();
      NearCache.Hit hit = n.get(key, now);
      if (hit != null) {
        if (nearTouches) {
          accessed(n, key, hit, now);
        }
        return new Read(hit.value, null, false);
      }
      if (nearTouches) {
        return readKeepingAndTouching(n, key);
      }
      NearCache.Token token = n.beginRead(key);
      Read r;
      try {
        r = readFromRedis(key, () -> n.sent(token));
      } catch (RuntimeException e) {
        n.completeRead(token, null, 0); // gives the token's slot back; keeps nothing
        throw e;
      }
      n.completeRead(token, r.value(), r.expiresAt());
      return r;
    }
    return readFromRedis(key, () -> {});
  }

  /**
   * A near hit of a cache with an access expiry: the access must extend the entry's TTL in Redis as
   * a read there would, without making the hit wait for Redis. So the touch is sent and not awaited
   * (at most one per key every {@link #touchInterval}), only if the entry still holds the served
   * value, over the shared connection (the touch changes the entry, so Redis invalidates the copy
   * here too and a later read fetches it again: design.md, "Near cache"); the copy is served past
   * its known expiry only once Redis confirmed the touch. An access duration of zero expires the
   * entry now, as a read from Redis would: the copy is dropped and the touch awaited.
   */
  private void accessed(NearCache n, byte[] key, NearCache.Hit hit, long now) {
    String access = expiry.forAccess();
    if (Mutation.UNCHANGED.equals(access)) {
      return;
    }
    if (Mutation.ZERO.equals(access)) {
      n.invalidate(key);
      touchNow(key, hit.value, access, now);
      return;
    }
    long interval = fixedTouchInterval >= 0 ? fixedTouchInterval : touchInterval(access);
    if (n.touchDue(hit, key, now, interval)) {
      touchSoon(n, key, hit, access, now);
    }
  }

  private static long touchInterval(String access) {
    if (Mutation.ETERNAL.equals(access)) {
      return NEAR_TOUCH_INTERVAL_MILLIS;
    }
    return Math.min(NEAR_TOUCH_INTERVAL_MILLIS, Long.parseLong(access) / 20);
  }

  /** Sends the touch of a near copy without waiting; extends the copy once Redis confirmed it. */
  private void touchSoon(NearCache n, byte[] key, NearCache.Hit hit, String access, long now) {
    Mutation touch =
        Mutation.touch(Mutation.Condition.EQUALS, hit.value)
            .withExpiry(Mutation.ETERNAL, access, Mutation.UNCHANGED);
    long expiresAt =
        Mutation.ETERNAL.equals(access) ? StoredEntry.ETERNAL : now + Long.parseLong(access);
    CompletableFuture<Outcome> sent = store.touchQuietly(key, touch, now, engine.graceMillis());
    sent.whenComplete(
        (o, failure) -> {
          if (o != null && o.status() == Status.TOUCHED) {
            n.extend(key, hit, expiresAt);
          }
        });
  }

  /**
   * Reads an entry into the near cache again after this JVM's own touch invalidated it; not an
   * access (no touch). On a Lettuce I/O thread: sends and returns.
   */
  private void refresh(byte[] key) {
    NearCache n = near;
    NearCache.Token token = n.beginRead(key);
    CompletableFuture<StoredEntry> reply;
    try {
      reply = store.read(key);
    } catch (RuntimeException e) {
      n.completeRead(token, null, 0);
      return;
    }
    n.sent(token);
    reply.whenComplete(
        (seen, failure) -> {
          boolean live = seen != null && seen.isPresent() && !seen.isExpiredAt(engine.now());
          n.completeRead(token, live ? seen.value() : null, live ? seen.expiresAt() : 0);
        });
  }

  /** Applies an access expiry to the entry, if it still holds {@code value}, and waits. */
  private void touchNow(byte[] key, byte[] value, String access, long now) {
    Mutation touch =
        Mutation.touch(Mutation.Condition.EQUALS, value)
            .withExpiry(Mutation.ETERNAL, access, Mutation.UNCHANGED);
    engine.await(store.mutate(key, touch, now, engine.graceMillis(), null), "reading");
  }

  /**
   * A near miss of a cache with an access expiry: a plain read, whose value is kept with the TTL it
   * had, then the access's touch as for a hit. (The read-and-touch script of a cache without a near
   * cache returns no expiry to keep the copy until.)
   */
  private Read readKeepingAndTouching(NearCache n, byte[] key) {
    NearCache.Token token = n.beginRead(key);
    CompletableFuture<StoredEntry> reply = store.read(key);
    n.sent(token);
    StoredEntry seen;
    try {
      seen = engine.await(reply, "reading");
    } catch (RuntimeException e) {
      n.completeRead(token, null, 0);
      throw e;
    }
    long now = engine.now();
    if (!seen.isPresent() || seen.isExpiredAt(now)) {
      n.completeRead(token, null, 0);
      if (!seen.isPresent()) {
        return seen.isPending() ? new Read(null, null, true) : Read.MISS;
      }
      return new Read(null, engine.reap(key, now), seen.isPending());
    }
    String access = expiry.forAccess();
    if (Mutation.ZERO.equals(access)) {
      n.completeRead(token, null, 0);
      touchNow(key, seen.value(), access, now);
      return new Read(seen.value(), null, seen.isPending());
    }
    NearCache.Hit kept = n.completeRead(token, seen.value(), seen.expiresAt());
    if (!Mutation.UNCHANGED.equals(access)) {
      if (kept == null) {
        touchNow(key, seen.value(), access, now);
      } else if (n.touchDue(key, now, touchInterval(access))) {
        touchSoon(n, key, kept, access, now);
      }
    }
    return new Read(seen.value(), null, seen.isPending(), seen.expiresAt());
  }

  /**
   * @param sent called once the read was sent to Redis, before its answer is awaited
   */
  private Read readFromRedis(byte[] key, Runnable sent) {
    if (engine.plainEntries()) {
      CompletableFuture<byte[]> reply = store.readValue(key);
      sent.run();
      byte[] value = engine.awaitRead(reply, readValue, key, "reading");
      return value == null ? Read.MISS : new Read(value, null, false);
    }
    if (expiry.isFixed() && expiry.readsTouch()) {
      Mutation touch =
          Mutation.touch(Mutation.Condition.PRESENT, null)
              .returningOld(true)
              .withExpiry(Mutation.ETERNAL, expiry.forAccess(), Mutation.UNCHANGED);
      CompletableFuture<Outcome> reply =
          store.mutate(key, touch, engine.now(), engine.graceMillis(), null);
      sent.run();
      Outcome o = engine.await(reply, "reading");
      return new Read(o.status() == Status.TOUCHED ? o.old() : null, o.expired(), o.pending());
    }
    CompletableFuture<StoredEntry> reply = store.read(key);
    sent.run();
    return afterPlainRead(key, engine.await(reply, "reading"));
  }

  /** Reads many entries in one pipeline (near-cache hits are not sent to Redis). */
  List<Read> readAll(List<byte[]> keys) {
    NearCache n = near;
    if (n == null) {
      return readAllFromRedis(keys, () -> {});
    }
    long now = engine.now();
    Read[] reads = new Read[keys.size()];
    List<byte[]> missing = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    List<NearCache.Token> tokens = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      NearCache.Hit hit = n.get(keys.get(i), now);
      if (hit != null) {
        if (nearTouches) {
          accessed(n, keys.get(i), hit, now);
        }
        reads[i] = new Read(hit.value, null, false);
      } else {
        tokens.add(n.beginRead(keys.get(i)));
        missing.add(keys.get(i));
        positions.add(i);
      }
    }
    if (!missing.isEmpty()) {
      List<Read> fetched;
      try {
        fetched = readAllFromRedis(missing, () -> tokens.forEach(n::sent));
      } catch (RuntimeException e) {
        tokens.forEach(t -> n.completeRead(t, null, 0)); // their slots back; nothing kept
        throw e;
      }
      for (int j = 0; j < fetched.size(); j++) {
        Read r = fetched.get(j);
        // with an access expiry the reads touched the entries over the shared connection, which
        // invalidates them: not kept (a get keeps them)
        n.completeRead(tokens.get(j), nearTouches ? null : r.value(), r.expiresAt());
        reads[positions.get(j)] = r;
      }
    }
    return Arrays.asList(reads);
  }

  /**
   * @param sent called once every read was sent to Redis, before their answers are awaited
   */
  private List<Read> readAllFromRedis(List<byte[]> keys, Runnable sent) {
    if (engine.plainEntries()) {
      CompletableFuture<byte[][]> reply = store.readValues(keys);
      sent.run();
      byte[][] values = engine.awaitRead(reply, store::readValues, keys, "reading");
      List<Read> reads = new ArrayList<>(keys.size());
      for (byte[] value : values) {
        reads.add(value == null ? Read.MISS : new Read(value, null, false));
      }
      return reads;
    }
    List<CompletableFuture<StoredEntry>> replies = new ArrayList<>(keys.size());
    boolean touching = expiry.isFixed() && expiry.readsTouch();
    List<CompletableFuture<Outcome>> touches = touching ? new ArrayList<>(keys.size()) : null;
    long now = engine.now();
    for (byte[] key : keys) {
      if (touching) {
        touches.add(
            store.mutate(
                key,
                Mutation.touch(Mutation.Condition.PRESENT, null)
                    .returningOld(true)
                    .withExpiry(Mutation.ETERNAL, expiry.forAccess(), Mutation.UNCHANGED),
                now,
                engine.graceMillis(),
                null));
      } else {
        replies.add(store.read(key));
      }
    }
    sent.run();
    List<Read> reads = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      if (touching) {
        Outcome o = engine.await(touches.get(i), "reading");
        reads.add(
            new Read(o.status() == Status.TOUCHED ? o.old() : null, o.expired(), o.pending()));
      } else {
        reads.add(afterPlainRead(keys.get(i), engine.await(replies.get(i), "reading")));
      }
    }
    return reads;
  }

  /** The plain-read outcome: reap an expired entry; ask a custom policy about the access. */
  private Read afterPlainRead(byte[] key, StoredEntry seen) {
    long now = engine.now();
    if (!seen.isPresent()) {
      return seen.isPending() ? new Read(null, null, true) : Read.MISS;
    }
    if (seen.isExpiredAt(now)) {
      return new Read(null, engine.reap(key, now), seen.isPending());
    }
    if (!expiry.isFixed()) {
      touchAfterRead(key, seen);
    }
    return new Read(seen.value(), null, seen.isPending(), seen.expiresAt());
  }

  /**
   * Applies the access expiry to an entry a plain read found live; a custom policy is asked now.
   * Best effort: if the entry changed meanwhile, the newer write decided its expiry.
   */
  void touchAfterRead(byte[] key, StoredEntry seen) {
    String access = expiry.forAccess();
    if (!Mutation.UNCHANGED.equals(access)) {
      Mutation touch =
          Mutation.touch(Mutation.Condition.EQUALS, seen.value())
              .withExpiry(Mutation.ETERNAL, access, Mutation.UNCHANGED);
      engine.await(store.mutate(key, touch, engine.now(), engine.graceMillis(), null), "reading");
    }
  }
}
