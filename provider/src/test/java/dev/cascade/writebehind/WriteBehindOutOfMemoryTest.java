package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import dev.cascade.testing.WithRedis;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The queue fills Redis up to {@code maxmemory} (policy {@code noeviction}) while the database
 * refuses writes: puts fail, saying Redis is out of memory; once the database is back, the flushers
 * must still renew and take leases and acknowledge over the limit, or the queue that fills memory
 * can never drain it.
 */
@WithRedis
@Timeout(180)
class WriteBehindOutOfMemoryTest {

  private static final String VALUE = "v".repeat(150);

  @Test
  void queueFillsMaxmemoryWhileTheDatabaseIsDown_drainsOnceItRecovers_andPutsWorkAgain(
      RedisServer redis) {
    String uri = redis.uri() + "?timeout=2s";
    CacheManager a =
        new CascadeCachingProvider().getCacheManager(URI.create(uri), getClass().getClassLoader());
    CacheManager b =
        new CascadeCachingProvider().getCacheManager(URI.create(uri), getClass().getClassLoader());
    try (TableFixture t = new TableFixture("wb_oom")) {
      String name = WriteBehindTest.name("oom");
      WriteBehind<String, String> wb =
          WriteBehind.of(t.writerFactory())
              .maxDelay(Duration.ofMillis(50))
              .backoff(Duration.ofMillis(100), Duration.ofMillis(500))
              .leaseTtl(Duration.ofSeconds(1))
              .claimIdle(Duration.ofSeconds(2))
              .writerTimeout(Duration.ofSeconds(1))
              .drainTimeout(Duration.ZERO);
      Cache<String, String> cacheA = a.createCache(name, WriteBehindTest.writeBehind(wb));
      Cache<String, String> cacheB = b.createCache(name, WriteBehindTest.writeBehind(wb));
      TestDatabase.execute("RENAME TABLE " + t.table + " TO " + t.table + "_later");

      long maxmemory = usedMemory(redis) + 2 * 1024 * 1024;
      redis.command("CONFIG", "SET", "maxmemory-policy", "noeviction");
      redis.command("CONFIG", "SET", "maxmemory", Long.toString(maxmemory));
      Map<String, String> acknowledged = new HashMap<>();
      // Fill until three puts in a row are refused. At the edge of maxmemory a small put can still
      // fit after a refused one (client buffers and the like come and go): whatever was
      // acknowledged must reach the table, whenever it was.
      CacheException refused = null;
      int refusedInARow = 0;
      for (int i = 0; i < 100_000 && refusedInARow < 3; i++) {
        try {
          cacheA.put("k" + i, VALUE + i);
          acknowledged.put("k" + i, VALUE + i);
          refusedInARow = 0;
        } catch (CacheException e) {
          refused = refused == null ? e : refused;
          refusedInARow++;
        }
      }
      assertNotNull(refused, "puts fail once the queue fills maxmemory");
      assertEquals(3, refusedInARow, "puts keep failing while memory is full");
      System.out.printf(
          "maxmemory %d bytes: %d puts acknowledged, then: %s%n",
          maxmemory, acknowledged.size(), refused.getMessage());

      // one JVM leaves while memory is full: the other must take its partitions (new leases) over
      // the limit
      a.close();
      TableFixture.sleep(3_000); // three lease TTLs under the limit
      long depthBefore = cacheB.unwrap(CascadeCache.class).writeBehind().getQueueDepth();
      TestDatabase.execute("RENAME TABLE " + t.table + "_later TO " + t.table);
      long started = System.currentTimeMillis();
      Map<String, String> rows = t.drained(cacheB, Duration.ofSeconds(45));
      long drainMillis = System.currentTimeMillis() - started;
      long usedAfter = usedMemory(redis);
      System.out.printf(
          "drained %d records in %d ms; used memory %d of %d bytes%n",
          depthBefore, drainMillis, usedAfter, maxmemory);

      assertEquals(
          List.of(), differences(acknowledged, rows), "every acknowledged put reached the table");
      assertEquals(0, cacheB.unwrap(CascadeCache.class).writeBehind().getDeadLetters());
      assertTrue(
          usedAfter < maxmemory,
          "the drained queue gave its memory back: " + usedAfter + " of " + maxmemory);
      cacheB.put("after", "works");
      assertEquals("works", cacheB.get("after"));
      String message = refused.getMessage();
      assertTrue(
          message.contains("out of memory")
              && message.contains(redis.uri())
              && message.contains("maxmemory"),
          "the failure says Redis is out of memory, naming the server and its maxmemory: "
              + message);
      assertTrue(
          message.contains(Long.toString(maxmemory)),
          "the failure names the maxmemory setting: " + message);
    } finally {
      a.close();
      b.close();
      redis.command("CONFIG", "SET", "maxmemory", "0");
    }
  }

  /** Keys whose row is missing or differs, at most 20 of them: a failure message stays short. */
  private static List<String> differences(Map<String, String> expected, Map<String, String> rows) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, String> e : expected.entrySet()) {
      if (!e.getValue().equals(rows.get(e.getKey())) && out.size() < 20) {
        out.add(e.getKey() + (rows.containsKey(e.getKey()) ? " differs" : " missing"));
      }
    }
    return out;
  }

  private static long usedMemory(RedisServer redis) {
    return Long.parseLong(redis.info("memory").get("used_memory"));
  }
}
