package dev.cascade.internal.management;

import java.util.concurrent.atomic.LongAdder;
import javax.cache.management.CacheStatisticsMXBean;

/**
 * The statistics of one cache as seen by this JVM (JCache statistics are per provider instance;
 * Redis is shared, so each JVM counts what it did). Counting is cheap: {@link LongAdder}s, and
 * nothing at all while statistics are disabled. Thread-safe.
 */
public final class CacheStats implements CacheStatisticsMXBean {

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder puts = new LongAdder();
  private final LongAdder removals = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder getNanos = new LongAdder();
  private final LongAdder putNanos = new LongAdder();
  private final LongAdder removeNanos = new LongAdder();
  private volatile boolean enabled;

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** A start time for the duration counters, or 0 when disabled (so callers skip the clock). */
  public long start() {
    return enabled ? System.nanoTime() : 0;
  }

  public void hits(long n) {
    if (enabled && n > 0) {
      hits.add(n);
    }
  }

  public void misses(long n) {
    if (enabled && n > 0) {
      misses.add(n);
    }
  }

  public void puts(long n) {
    if (enabled && n > 0) {
      puts.add(n);
    }
  }

  public void removals(long n) {
    if (enabled && n > 0) {
      removals.add(n);
    }
  }

  /** One put that changed the cache, and its duration since {@code start}. */
  public void put(long start) {
    puts(1);
    putTime(start);
  }

  /** One removal, and its duration since {@code start}. */
  public void removal(long start) {
    removals(1);
    removeTime(start);
  }

  /** One lookup: a hit or a miss. */
  public void lookup(boolean hit) {
    if (hit) {
      hits(1);
    } else {
      misses(1);
    }
  }

  public void getTime(long start) {
    if (enabled && start != 0) {
      getNanos.add(System.nanoTime() - start);
    }
  }

  public void putTime(long start) {
    if (enabled && start != 0) {
      putNanos.add(System.nanoTime() - start);
    }
  }

  public void removeTime(long start) {
    if (enabled && start != 0) {
      removeNanos.add(System.nanoTime() - start);
    }
  }

  @Override
  public void clear() {
    hits.reset();
    misses.reset();
    puts.reset();
    removals.reset();
    evictions.reset();
    getNanos.reset();
    putNanos.reset();
    removeNanos.reset();
  }

  @Override
  public long getCacheHits() {
    return hits.sum();
  }

  @Override
  public float getCacheHitPercentage() {
    long h = getCacheHits();
    long total = h + getCacheMisses();
    return total == 0 ? 0 : (float) h / total * 100.0f;
  }

  @Override
  public long getCacheMisses() {
    return misses.sum();
  }

  @Override
  public float getCacheMissPercentage() {
    long m = getCacheMisses();
    long total = m + getCacheHits();
    return total == 0 ? 0 : (float) m / total * 100.0f;
  }

  @Override
  public long getCacheGets() {
    return getCacheHits() + getCacheMisses();
  }

  @Override
  public long getCachePuts() {
    return puts.sum();
  }

  @Override
  public long getCacheRemovals() {
    return removals.sum();
  }

  /** Redis evicts entries itself ({@code maxmemory}); Cascade does not see those evictions. */
  @Override
  public long getCacheEvictions() {
    return evictions.sum();
  }

  @Override
  public float getAverageGetTime() {
    return average(getNanos.sum(), getCacheGets());
  }

  @Override
  public float getAveragePutTime() {
    return average(putNanos.sum(), getCachePuts());
  }

  @Override
  public float getAverageRemoveTime() {
    return average(removeNanos.sum(), getCacheRemovals());
  }

  /** Microseconds, as the MXBean specifies. */
  private static float average(long nanos, long count) {
    return count == 0 ? 0 : (float) nanos / count / 1000.0f;
  }
}
