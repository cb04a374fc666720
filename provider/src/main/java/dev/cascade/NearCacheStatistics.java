package dev.cascade;

/**
 * What this JVM's near cache of one cache did: read-only numbers, as {@link
 * CascadeCache#nearCache()} returns them.
 *
 * <pre>{@code
 * NearCacheStatistics near = cache.unwrap(CascadeCache.class).nearCache();
 * double hitRatio = (double) near.hits() / Math.max(1, near.hits() + near.misses());
 * }</pre>
 */
public interface NearCacheStatistics {

  /** Reads served from this JVM's copy. */
  long hits();

  /** Reads that went to Redis. */
  long misses();

  /** Copies dropped because the entry changed (here or in any other client). */
  long invalidations();

  /** Entries held now. */
  int size();

  /** The most entries it holds (the configured near-cache size). */
  int maxEntries();
}
