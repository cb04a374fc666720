package dev.cascade.internal.engine;

import dev.cascade.internal.support.WarningWindow;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One kind of periodic check of each open cache (its registry entry, its listener marks) that fails
 * while Redis is unreachable or refuses it: a short outage says nothing, one that lasts is said,
 * and then at most once per period for all caches together. Thread-safe.
 */
final class FailingChecks {

  private final long quietNanos;
  private final LongSupplier nanoTime;
  private final WarningWindow warnings;

  /** When each cache's check last succeeded (or it was first checked), nanoTime, by cache name. */
  private final Map<String, Long> lastSuccess = new ConcurrentHashMap<>();

  FailingChecks(long quietNanos, long warningPeriodNanos, LongSupplier nanoTime) {
    this.quietNanos = quietNanos;
    this.nanoTime = nanoTime;
    this.warnings = new WarningWindow(warningPeriodNanos, nanoTime);
  }

  /** The cache's check succeeded (or what it checks was just written). */
  void succeeded(String cacheName) {
    lastSuccess.put(cacheName, nanoTime.getAsLong());
  }

  /** The cache is not checked any more. */
  void forget(String cacheName) {
    lastSuccess.remove(cacheName);
  }

  /**
   * The cache's check failed once more. Counted from the last success, not from the first failure:
   * against an unreachable Redis a failing check takes a command timeout or more to fail, and what
   * it guards (marks with a TTL) runs out from the last success.
   *
   * @return for how many seconds it has not succeeded, when that is to be said now; else -1
   */
  long failed(String cacheName) {
    long now = nanoTime.getAsLong();
    long since = lastSuccess.computeIfAbsent(cacheName, name -> now);
    if (now - since > quietNanos && warnings.admit() >= 0) {
      return (now - since) / 1_000_000_000L;
    }
    return -1;
  }
}
