package dev.cascade.writebehind;

import java.util.Collection;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;

/**
 * A {@link CacheWriter} that can keep a stale write-behind change out of the database.
 *
 * <p>Write-behind delivers each change at least once and in order per key, under a flush lease; but
 * a writer call that outlives its flusher's lease (a JVM frozen in a GC pause or by {@code
 * SIGSTOP}, a database call that hangs past the lease) can commit after another JVM took the
 * partition over and wrote newer values of the same keys. The lease fences Redis, not the database.
 * A revision closes that gap: every queued change carries one, it only grows per key (it is the
 * change's position in its partition's queue, which Redis orders by time), and a writer that keeps
 * it with the row can refuse to replace a newer row with an older one.
 *
 * <p>The flusher calls these two methods instead of {@link #writeAll(Collection)} and {@link
 * #deleteAll(Collection)} when the user's writer implements this interface; a plain {@code
 * CacheWriter} is called as before. The partial-success contract is JCache's: what stays in the
 * collection was not written. A change refused because the row is newer counts as written (the
 * database already holds a later state of the key).
 *
 * <p>The plain {@code CacheWriter} methods stay direct calls (write-through), which their caller
 * has already ordered (Cascade holds the key's lock): they should take effect whatever revision the
 * row holds, as {@code JdbcCacheWriter}'s do. Judging them by the caller's clock would drop them
 * whenever another JVM's clock runs ahead.
 *
 * <pre>{@code
 * // JdbcCacheWriter implements it: give the table a revision column
 * TableMapping<Long, Long> views = TableMapping.scalar("view_counts", "id", Long.class, "views", Long.class)
 *     .withRevisionColumn("revision");     // BIGINT NOT NULL
 * }</pre>
 */
public interface RevisionedCacheWriter<K, V> extends CacheWriter<K, V> {

  /** Writes the entries unless the database holds a newer revision of their keys. */
  void writeAll(Collection<Cache.Entry<? extends K, ? extends V>> entries, Revisions revisions);

  /** Deletes the keys unless the database holds a newer revision of them. */
  void deleteAll(Collection<?> keys, Revisions revisions);

  /** The revision of each key in one writer call. */
  @FunctionalInterface
  interface Revisions {

    /**
     * The revision of {@code key}'s change in this call: larger for every later change of the key.
     *
     * @throws IllegalArgumentException for a key that is not part of the call
     */
    long of(Object key);

    /**
     * A revision for a change made now outside write-behind (a write-through call), on the same
     * scale: a write-behind change queued later has a larger one, as long as the clocks of this JVM
     * and Redis agree to within a millisecond or so.
     */
    static long now() {
      return fromStreamId(System.currentTimeMillis(), 0);
    }

    /**
     * The revision of a queued record with the stream id {@code <millis>-<sequence>}: the time in
     * the high bits, the sequence within the millisecond in the low 20 (capped: a million records
     * of one partition in one millisecond do not happen), so it grows with the queue's order.
     */
    static long fromStreamId(long millis, long sequence) {
      return (millis << 20) | Math.min(sequence, (1 << 20) - 1);
    }
  }
}
