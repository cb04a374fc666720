package dev.cascade.internal.store;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis commands one close sends to give back what it holds: flush leases, heartbeats, listener
 * marks, subscriptions. Each is a courtesy (what it removes expires by itself: a lease after its
 * TTL, a listener mark after a minute, a heartbeat goes stale), so a close must not wait on a Redis
 * that is gone. Once Redis is seen unreachable (the connection is down, or a command failed for
 * want of an answer) every further command is skipped, and all of them together may spend one
 * command timeout: a close with Redis down costs at most about two timeouts, not one per command
 * (27 s for six caches at a 2 s timeout before; minutes at the default, also in the JVM's shutdown
 * hook).
 *
 * <p>One per close ({@code CacheManager.close()} shares one among its caches). Thread-safe.
 */
public final class Cleanup {

  private static final Logger LOG = LoggerFactory.getLogger(Cleanup.class);

  private final RedisAccess redis;
  private final long budgetNanos;
  private final AtomicLong spentNanos = new AtomicLong();
  private volatile boolean unreachable;

  public Cleanup(RedisAccess redis) {
    this.redis = redis;
    this.budgetNanos = redis.target().timeout().toNanos();
  }

  /**
   * Runs one cleanup command unless Redis is known unreachable; failures are logged, never thrown.
   *
   * @return true when the command ran and succeeded
   */
  public boolean run(String what, Runnable command) {
    if (redisUnreachable()) {
      LOG.debug(
          "Skipped {} while closing: Redis at {} is unreachable; it expires by itself",
          what,
          redis.target());
      return false;
    }
    long started = System.nanoTime();
    try {
      command.run();
      return true;
    } catch (RuntimeException e) {
      // only failures spend the budget: commands Redis answers are what a close is for, however
      // many caches it has (counting them too skipped the last caches' cleanup on a slow Redis)
      spentNanos.addAndGet(System.nanoTime() - started);
      if (RedisFailures.meansUnreachable(e)) {
        unreachable = true;
      }
      LOG.debug(what + " failed while closing; it expires by itself", e);
      return false;
    }
  }

  /**
   * True once Redis was seen unreachable during this close, its connection is down, or failed
   * cleanup commands have spent their budget (one command timeout).
   */
  public boolean redisUnreachable() {
    return unreachable || !redis.isConnected() || spentNanos.get() >= budgetNanos;
  }

  /** Something else of the close (a flush during the drain) found Redis unreachable. */
  public void sawUnreachable() {
    unreachable = true;
  }
}
