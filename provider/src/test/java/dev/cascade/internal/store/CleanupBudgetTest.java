package dev.cascade.internal.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A close's cleanup budget (one command timeout) is for a Redis that does not answer: commands that
 * succeed, however long they take together, must not use it up, or a manager with many caches on a
 * slow Redis skipped the cleanup of its last caches (their leases then blocked other JVMs' flushers
 * until they expired).
 */
@WithRedis
@Timeout(60)
class CleanupBudgetTest {

  private static final Duration TIMEOUT = Duration.ofMillis(500);

  @Test
  void commandsThatSucceed_spendNoBudget(RedisServer server) {
    RedisAccess redis = RedisAccess.connect(RedisTarget.parse(server.uri(), TIMEOUT));
    try {
      Cleanup cleanup = new Cleanup(redis);
      // together longer than the budget, each succeeding
      for (int i = 0; i < 3; i++) {
        assertTrue(
            cleanup.run("a slow cleanup command " + i, () -> pause(TIMEOUT.toMillis() / 2 + 50)),
            "slow cleanup command " + i + " ran");
      }
      assertFalse(cleanup.redisUnreachable(), "commands that succeeded spent no budget");
      assertTrue(cleanup.run("the next one", () -> {}), "the next command still runs");
    } finally {
      redis.close();
    }
  }

  @Test
  void commandsThatFail_spendTheBudget(RedisServer server) {
    RedisAccess redis = RedisAccess.connect(RedisTarget.parse(server.uri(), TIMEOUT));
    try {
      Cleanup cleanup = new Cleanup(redis);
      assertFalse(
          cleanup.run(
              "a failing cleanup command",
              () -> {
                pause(TIMEOUT.toMillis() + 50);
                throw new IllegalStateException("refused");
              }));
      assertTrue(cleanup.redisUnreachable(), "a failure as long as the budget spent it");
      assertFalse(cleanup.run("the next one", () -> {}), "the next command is skipped");
    } finally {
      redis.close();
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
