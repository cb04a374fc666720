package dev.cascade.writebehind;

import javax.management.MXBean;

/**
 * The write-behind of one cache, seen from one JVM: registered as {@code
 * dev.cascade:type=WriteBehind,CacheManager=<uri>,Cache=<name>}, and returned by {@code
 * cache.unwrap(CascadeCache.class).writeBehind()}. Queue depth, oldest pending age and dead letters
 * are read from Redis (the whole cache); the counters are this JVM's flushers' work.
 */
@MXBean
public interface WriteBehindMXBean {

  /** Records queued in Redis and not yet flushed, over all partitions. */
  long getQueueDepth();

  /** Age of the oldest queued record in ms (Redis clock vs this JVM's clock), 0 when none. */
  long getOldestPendingAgeMillis();

  /**
   * Records this JVM's flushers wrote: acknowledged after the writer returned, including the
   * coalesced ones (replaced in a batch by a later write of the same key, which was written).
   * Records moved to the dead letters are not counted here but in {@link #getDeadLetters()}.
   */
  long getRecordsFlushed();

  /** Writer calls ({@code writeAll}/{@code deleteAll}) this JVM made that succeeded. */
  long getBatchesFlushed();

  /**
   * Writes that never reached the writer because a later write of the same key replaced them: in
   * the queue (by this JVM's writes) or in a batch (by this JVM's flushers).
   */
  long getRecordsCoalesced();

  /** Failed writer attempts that this JVM will (or did) retry. */
  long getRetries();

  /** Records in the cache's dead-letter stream (the writer kept refusing them). */
  long getDeadLetters();

  /** The last writer failure this JVM saw, or an empty string. */
  String getLastError();

  /** Partitions whose flush lease this JVM holds. */
  int getPartitionsHeld();

  /**
   * Empty when Redis' {@code maxmemory-policy} cannot take this cache's queue, locks or leases
   * ({@code noeviction}); else why it can ({@code allkeys-*}: queued changes can be lost; {@code
   * volatile-*}: locks and leases can vanish). Read from Redis on every call.
   */
  String getEvictionRisk();

  // ------------------------------------------------------------------ dead letters (operations)

  /**
   * Up to {@code max} dead letters, oldest first, one line each: id, key, put or delete, value,
   * attempts and error (values decoded where this cache's types and allow-list allow it).
   */
  String[] listDeadLetters(int max);

  /**
   * Replays the dead letters with these ids (separated by commas or spaces), oldest first: each is
   * queued again only while the cache still holds what it would write, so a replay never takes the
   * database back to an older value (see {@link dev.cascade.CascadeAdmin}). One line per letter:
   * id, key and what happened ({@code REPLAYED}, {@code SUPERSEDED}, {@code NOT_FOUND}, {@code
   * QUEUE_FULL}).
   */
  String[] replayDeadLetters(String ids);

  /** Replays every dead letter there is when called, as {@link #replayDeadLetters} does. */
  String[] replayAllDeadLetters();

  /** Deletes the dead letters with these ids (commas or spaces); returns how many there were. */
  long purgeDeadLetters(String ids);

  /** Deletes every dead letter there is when called; returns how many. */
  long purgeAllDeadLetters();
}
