package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import dev.cascade.testing.WithRedis;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis restarts (SIGKILL, AOF replayed) while records are pending: with fsync always, none is
 * lost.
 */
@WithRedis(appendOnly = true, appendFsync = "always")
@Timeout(120)
class WriteBehindDurabilityTest {

  @Test
  void redisKilledAndRestartedWithPendingRecords_losesNoAcknowledgedWrite(RedisServer redis) {
    CacheManager manager =
        new CascadeCachingProvider()
            .getCacheManager(URI.create(redis.uri() + "?timeout=2s"), getClass().getClassLoader());
    try (TableFixture t = new TableFixture("wb_aof")) {
      Cache<String, String> cache =
          manager.createCache(
              WriteBehindTest.name("aof"),
              WriteBehindTest.writeBehind(
                  WriteBehind.of(t.writerFactory())
                      .maxDelay(Duration.ofMillis(50))
                      .backoff(Duration.ofMillis(100), Duration.ofMillis(500))));
      // the database refuses every write for now, so every record stays pending in Redis
      TestDatabase.execute("RENAME TABLE " + t.table + " TO " + t.table + "_later");
      Map<String, String> acknowledged = new HashMap<>();
      for (int i = 0; i < 2_000; i++) {
        String key = "k" + (i % 500);
        cache.put(key, "v" + i);
        acknowledged.put(key, "v" + i);
      }
      redis.kill();
      redis.restart();
      TestDatabase.execute("RENAME TABLE " + t.table + "_later TO " + t.table);
      awaitReconnected(cache);
      Map<String, String> rows = t.drained(cache, Duration.ofSeconds(60));
      assertEquals(
          acknowledged, rows, "every acknowledged write reached the database after the restart");
      assertEquals(acknowledged.get("k7"), cache.get("k7"));
      assertEquals(0, cache.unwrap(CascadeCache.class).writeBehind().getDeadLetters());
    } finally {
      manager.close();
    }
  }

  private static void awaitReconnected(Cache<String, String> cache) {
    long deadline = System.currentTimeMillis() + 30_000;
    while (true) {
      try {
        cache.get("k0");
        return;
      } catch (CacheException e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        TableFixture.sleep(100);
      }
    }
  }
}
