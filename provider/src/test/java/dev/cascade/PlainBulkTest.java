package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * getAll, putAll and removeAll of a plain cache (eternal, no writer, nobody listening) send one
 * script per batch of keys instead of one command per key: every key still gets its own answer,
 * across batch boundaries, and the statistics and this JVM's near cache see every key.
 */
@WithRedis
@Timeout(60)
class PlainBulkTest {

  private static CacheManager manager;

  @BeforeAll
  static void open(RedisServer redis) {
    manager = Managers.open(redis);
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @Test
  void everyKeyGetsItsOwnAnswer_acrossBatches() throws Exception {
    String name = Managers.uniqueName("plain-bulk");
    Cache<String, String> cache =
        manager.createCache(
            name,
            new CascadeConfiguration<String, String>()
                .setTypes(String.class, String.class)
                .setStatisticsEnabled(true));
    for (int i = 0; i < 100; i++) {
      cache.put("k" + i, "old" + i);
    }
    Map<String, String> written = new HashMap<>();
    for (int i = 0; i < 300; i++) { // the first 100 exist: 200 are created, 100 updated
      written.put("k" + i, "v" + i);
    }
    cache.putAll(written);

    Set<String> asked = new LinkedHashSet<>();
    for (int i = 0; i < 400; i++) { // 300 present, 100 absent, over several batches of 128
      asked.add("k" + i);
    }
    Map<String, String> read = cache.getAll(asked);
    assertEquals(
        written,
        read,
        "getAll answers each present key with its own value and leaves out the absent");

    Set<String> removed = new LinkedHashSet<>();
    for (int i = 50; i < 400; i++) { // 250 present, 100 absent
      removed.add("k" + i);
    }
    cache.removeAll(removed);
    assertEquals(50, cache.getAll(asked).size(), "removeAll removed exactly the keys it was given");
    assertEquals("v49", cache.get("k49"));
    assertNull(cache.get("k50"));

    assertEquals(100 + 300, statistic(name, "CachePuts"), "puts: 100 single, 300 in putAll");
    assertEquals(250, statistic(name, "CacheRemovals"), "removals count the keys that existed");
    assertEquals(300 + 50 + 1, statistic(name, "CacheHits"));
    assertEquals(100 + 350 + 1, statistic(name, "CacheMisses"));
  }

  @Test
  void bulkChanges_replaceWhatThisJvmsNearCacheHeld() {
    String name = Managers.uniqueName("plain-bulk-near");
    Cache<String, String> cache =
        manager.createCache(
            name,
            new CascadeConfiguration<String, String>()
                .setTypes(String.class, String.class)
                .setNearCache(1_000));
    Map<String, String> first = new HashMap<>();
    Map<String, String> second = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      first.put("k" + i, "first" + i);
      second.put("k" + i, "second" + i);
    }
    cache.putAll(first);
    assertEquals(first, cache.getAll(first.keySet()), "read once: now in the near cache");
    cache.putAll(second);
    assertEquals(second, cache.getAll(first.keySet()), "putAll forgot the near cache's copies");
    cache.removeAll(first.keySet());
    assertEquals(Map.of(), cache.getAll(first.keySet()), "removeAll forgot them too");
  }

  private static long statistic(String cache, String attribute) throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    Set<ObjectName> names =
        server.queryNames(
            new ObjectName("javax.cache:type=CacheStatistics,Cache=" + cache + ",*"), null);
    assertEquals(1, names.size(), "one statistics MXBean for " + cache + ": " + names);
    return ((Number) server.getAttribute(names.iterator().next(), attribute)).longValue();
  }
}
