package dev.cascade.internal.near;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.testing.Await;
import dev.cascade.testing.RedisCluster;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedisCluster;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A near cache on a cluster whose master fails: the near cache is bypassed while the master's
 * invalidations may be lost, then tracks the promoted replica and serves near again, and the new
 * master's changes reach it.
 */
@WithRedisCluster
@Timeout(120)
class NearCacheClusterFailoverTest {

  @Test
  void afterAFailover_thePromotedMasterIsTracked(RedisCluster cluster) {
    CacheManager first = manager(cluster);
    CacheManager second = manager(cluster);
    try {
      String name = "failover-near";
      CascadeConfiguration<String, String> config =
          new CascadeConfiguration<String, String>()
              .setTypes(String.class, String.class)
              .setPartitions(1)
              .setNearCache(100);
      Cache<String, String> a = first.createCache(name, config);
      Cache<String, String> b = second.createCache(name, config);
      NearCache near = (NearCache) a.unwrap(CascadeCache.class).nearCache();
      int slot =
          RedisCluster.slot(new KeyLayout(name, 1).entryKey("k".getBytes(StandardCharsets.UTF_8)));
      b.put("k", "v0");
      awaitNearHit(a, near, "v0");

      RedisServer master = cluster.masterForSlot(slot);
      cluster.killMaster(master);
      cluster.awaitFailover(master, Duration.ofSeconds(30));

      Await.until("b writes again", () -> put(b, "v1"));
      awaitNearHit(a, near, "v1");
      // the promoted master's invalidations arrive
      b.put("k", "v2");
      Await.until("the near cache serves the new master's change", () -> "v2".equals(get(a)));
      awaitNearHit(a, near, "v2");
    } finally {
      first.close();
      second.close();
    }
  }

  private static CacheManager manager(RedisCluster cluster) {
    return new CascadeCachingProvider()
        .getCacheManager(
            URI.create(cluster.seedUri() + "?timeout=2s"),
            NearCacheClusterFailoverTest.class.getClassLoader());
  }

  private static String get(Cache<String, String> cache) {
    try {
      return cache.get("k");
    } catch (CacheException e) {
      return null; // the slot has no master for a moment
    }
  }

  private static boolean put(Cache<String, String> cache, String value) {
    try {
      cache.put("k", value);
      return true;
    } catch (CacheException e) {
      return false;
    }
  }

  /** Reads until the near cache serves the value: every master's tracking is confirmed. */
  private static void awaitNearHit(Cache<String, String> cache, NearCache near, String expected) {
    Await.until(
        "k is served near as " + expected,
        () -> {
          long hits = near.hits();
          return expected.equals(get(cache)) && near.hits() > hits;
        });
  }
}
