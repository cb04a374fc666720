package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis freezes (SIGSTOP: a long fork, a VM pause) again and again, each time for longer than the
 * client's command timeout, while records are queued and flushed. Calls in flight time out, and
 * some of them still run when Redis wakes up, on connections the client gave up on: a flusher's
 * fenced read whose {@code EXEC} was already sent, an acknowledgement, a put. Where each freeze
 * lands is left to chance (the seed is in every failure message); whatever it hits, once Redis
 * answers again and the queue drains, the table equals the cache, every put that returned is there
 * (or a later one of its key), and nothing stays queued or pending. {@link FencedReadInDoubtTest}
 * places the fault exactly on a fenced read.
 */
@WithRedis
@Timeout(180)
class WriteBehindFreezesTest {

  private static final int KEYS = 100;
  private static final int PARTITIONS = 4;

  @Test
  void freezesPastTheCommandTimeout_loseNoWrite_andTheTableEndsEqualToTheCache(RedisServer redis)
      throws Exception {
    long seed = System.nanoTime();
    try (TableFixture t = new TableFixture("wb_freezes")) {
      CacheManager manager = TableFixture.manager(redis.uri(), Duration.ofMillis(300));
      ExecutorService threads = Executors.newFixedThreadPool(2);
      try {
        String name = WriteBehindTest.name("freezes");
        Cache<String, String> cache =
            manager.createCache(name, WriteBehindTest.writeBehind(t.eagerWriteBehind(PARTITIONS)));

        AtomicBoolean freezing = new AtomicBoolean(true);
        AcknowledgedPuts puts = new AcknowledgedPuts(cache, KEYS, freezing::get, 0);
        Future<?> writes = threads.submit(puts);
        Future<?> freezes =
            threads.submit(
                () -> {
                  Random random = new Random(seed);
                  try {
                    for (int n = 0; n < 6; n++) {
                      Thread.sleep(100 + random.nextInt(300));
                      redis.pause();
                      try {
                        Thread.sleep(500 + random.nextInt(400)); // past the 300 ms timeout
                      } finally {
                        redis.resume();
                      }
                    }
                  } finally {
                    freezing.set(false);
                  }
                  return null;
                });
        freezes.get(60, TimeUnit.SECONDS);
        writes.get(60, TimeUnit.SECONDS);
        String context = "seed " + seed;
        assertFalse(
            puts.failures.isEmpty(),
            "no put met a freeze: the test froze nothing that mattered (" + context + ")");

        puts.assertHeldBy(t.drained(cache, Duration.ofSeconds(60)), context);
        for (int p = 0; p < PARTITIONS; p++) {
          AcknowledgedPuts.assertNothingPending(redis, name, PARTITIONS, p);
        }
      } finally {
        threads.shutdownNow();
        manager.close(); // before the table goes: no flusher writes into a dropped table
      }
    }
  }
}
