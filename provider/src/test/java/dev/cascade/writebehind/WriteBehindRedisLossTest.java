package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.testing.LogCapture;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis loses a cache's write-behind streams and their consumer groups while flushers run: a
 * restart without persistence, {@code FLUSHALL}, an eviction. Writes acknowledged after that must
 * still reach the database: the group is recreated and flushing resumes by itself. (Writes
 * acknowledged before a restart without persistence are lost with Redis' memory; with an AOF they
 * are not, see {@link WriteBehindDurabilityTest}.)
 */
@WithRedis
@Timeout(180)
class WriteBehindRedisLossTest {

  private static final Duration DRAIN = Duration.ofSeconds(60);

  @Test
  void flushAll_whileFlushing_laterWritesStillReachTheDatabase(RedisServer redis) {
    CacheManager manager = manager(redis);
    try (TableFixture t = new TableFixture("wb_flushall")) {
      Cache<String, String> cache =
          manager.createCache(
              WriteBehindTest.name("flushall"),
              WriteBehindTest.writeBehind(
                  WriteBehind.of(t.writerFactory()).maxDelay(Duration.ofMillis(50))));
      cache.put("before", "1");
      t.drained(cache, DRAIN);

      redis.flushAll();

      // the same key twice: the second put finds the entry's pending marker and inspects the group
      for (int i = 0; i < 200; i++) {
        cache.put("k" + (i % 100), "v" + i);
      }
      Map<String, String> rows = t.drained(cache, DRAIN);
      for (int i = 100; i < 200; i++) {
        assertEquals("v" + i, rows.get("k" + (i % 100)), "row of k" + (i % 100));
      }
      assertEquals(0, cache.unwrap(CascadeCache.class).writeBehind().getDeadLetters());
    } finally {
      closeBounded(manager);
    }
  }

  @Test
  void
      redisRestartedWithoutPersistence_underWritingThreads_everyLaterAcknowledgedWriteReachesTheDatabase(
          RedisServer redis) throws Exception {
    CacheManager manager = manager(redis);
    ExecutorService writers = Executors.newFixedThreadPool(4);
    try (TableFixture t = new TableFixture("wb_restart")) {
      Cache<String, String> cache =
          manager.createCache(
              WriteBehindTest.name("restart"),
              WriteBehindTest.writeBehind(
                  WriteBehind.of(t.writerFactory())
                      .maxDelay(Duration.ofMillis(50))
                      .backoff(Duration.ofMillis(50), Duration.ofMillis(500))));
      AtomicBoolean restarted = new AtomicBoolean();
      AtomicBoolean stop = new AtomicBoolean();
      Map<String, String> acknowledgedAfterRestart = new ConcurrentHashMap<>();
      AtomicInteger failed = new AtomicInteger();
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        running.add(
            writers.submit(
                () -> {
                  for (int i = 0; !stop.get(); i++) {
                    boolean after = restarted.get();
                    String key = (after ? "after-" : "before-") + writer + "-" + (i % 50);
                    String value = "v" + i;
                    try {
                      cache.put(key, value);
                      if (after) {
                        acknowledgedAfterRestart.put(key, value);
                      }
                    } catch (CacheException e) {
                      failed.incrementAndGet();
                      TableFixture.sleep(5);
                    }
                  }
                }));
      }
      TableFixture.sleep(1_000);
      redis.kill();
      redis.restart();
      restarted.set(true);
      TableFixture.sleep(3_000);
      stop.set(true);
      for (Future<?> f : running) {
        f.get(60, TimeUnit.SECONDS);
      }
      assertTrue(
          acknowledgedAfterRestart.size() > 50,
          "writes went on after the restart: "
              + acknowledgedAfterRestart.size()
              + " keys, "
              + failed
              + " failures");

      Map<String, String> rows = t.drained(cache, DRAIN);
      Map<String, String> missing = new java.util.TreeMap<>();
      acknowledgedAfterRestart.forEach(
          (k, v) -> {
            if (!v.equals(rows.get(k))) {
              missing.put(k, v + " (row: " + rows.get(k) + ")");
            }
          });
      assertEquals(Map.of(), missing, "acknowledged after the restart, not in the database");
    } finally {
      writers.shutdownNow();
      closeBounded(manager);
    }
  }

  @Test
  void streamsEvictedByAllkeysLru_flushingResumesOnceMemoryIsBack(RedisServer redis) {
    CacheManager manager = manager(redis);
    try (TableFixture t = new TableFixture("wb_evicted")) {
      Cache<String, String> cache =
          manager.createCache(
              WriteBehindTest.name("evicted"),
              WriteBehindTest.writeBehind(
                  WriteBehind.of(t.writerFactory()).maxDelay(Duration.ofMillis(50))));
      cache.put("warm", "1");
      t.drained(cache, DRAIN);
      // an operator turns on eviction, and Redis evicts what it likes, streams and groups included
      redis.command("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
      WriteBehindMXBean wb = cache.unwrap(CascadeCache.class).writeBehind();
      assertTrue(wb.getEvictionRisk().contains("allkeys-lru"), wb.getEvictionRisk());
      assertTrue(
          startupWarnings(redis).stream().anyMatch(w -> w.contains("allkeys-lru")),
          "a manager opened now warns about the policy: " + startupWarnings(redis));
      redis.command("CONFIG", "SET", "maxmemory", "1");
      for (int i = 0; i < 100; i++) {
        try {
          cache.put("evict-" + i, "x".repeat(100));
        } catch (CacheException expected) {
          // over the limit some puts may be refused; what matters is what happens afterwards
        }
      }
      redis.command("CONFIG", "SET", "maxmemory", "0");
      redis.command("CONFIG", "SET", "maxmemory-policy", "noeviction");
      assertEquals("", wb.getEvictionRisk());

      for (int i = 0; i < 100; i++) {
        cache.put("later-" + i, "v" + i);
        cache.put("later-" + i, "w" + i);
      }
      Map<String, String> rows = t.drained(cache, DRAIN);
      for (int i = 0; i < 100; i++) {
        assertEquals("w" + i, rows.get("later-" + i), "row of later-" + i);
      }
    } finally {
      closeBounded(manager);
    }
  }

  /** The WARNING lines a new CacheManager logs while it opens. */
  private static List<String> startupWarnings(RedisServer redis) {
    try (LogCapture log = LogCapture.of("dev.cascade", java.util.logging.Level.WARNING)) {
      new CascadeCachingProvider()
          .getCacheManager(
              URI.create(redis.uri() + "?timeout=3s"),
              WriteBehindRedisLossTest.class.getClassLoader())
          .close();
      return log.messagesAtLeast(java.util.logging.Level.WARNING);
    }
  }

  private static CacheManager manager(RedisServer redis) {
    return new CascadeCachingProvider()
        .getCacheManager(
            URI.create(redis.uri() + "?timeout=2s"),
            WriteBehindRedisLossTest.class.getClassLoader());
  }

  /**
   * close() must not hang on partitions that can never drain: give it a bounded time, then fail.
   */
  private static void closeBounded(CacheManager manager) {
    Thread closer = new Thread(manager::close, "close-" + manager.getURI());
    closer.setDaemon(true);
    closer.start();
    try {
      closer.join(45_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    assertTrue(!closer.isAlive(), "CacheManager.close() still running after 45 s");
  }
}
