package dev.cascade.internal.near;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.internal.store.RedisAccess;
import dev.cascade.internal.store.RedisTarget;
import dev.cascade.testing.Await;
import dev.cascade.testing.RedisCluster;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedisCluster;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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

  /**
   * A master stops answering (here paused; a connection silently dead behaves alike) just as
   * another near cache opens, which waits for every master to track its prefix. The probe must go
   * on meanwhile and stop serving near values, whose invalidations that master may no longer send,
   * long before the opening gives up; it used to wait for the opening (up to the command timeout:
   * here 8 s, against about 2 s for a probe to find the master silent).
   */
  @Test
  void aNearCacheOpeningWhileAMasterIsSilent_doesNotHoldUpTheProbe(RedisCluster cluster)
      throws Exception {
    RedisAccess redis =
        RedisAccess.connect(RedisTarget.parse(cluster.seedUri(), Duration.ofSeconds(8)));
    Invalidations invalidations = new Invalidations(redis);
    ExecutorService opening = Executors.newSingleThreadExecutor();
    RedisServer paused = cluster.masters().get(0);
    try {
      NearCache near = invalidations.register(new KeyLayout("silent-near", 4), 100);
      Await.until("the near cache is trusted", near::isTrusted);

      paused.command("CLIENT", "PAUSE", "15000", "ALL");
      // another near cache opens: it waits for every master to track its prefix, and the paused
      // one does not answer (until the command timeout)
      Future<NearCache> opened =
          opening.submit(() -> invalidations.register(new KeyLayout("silent-near-2", 4), 100));
      Await.until("the near caches are bypassed", () -> !near.isTrusted());
      assertFalse(opened.isDone(), "the probe waited for the opening of the other near cache");

      // the pause outlasts the command timeout: the opening gives up, saying why
      ExecutionException failed =
          assertThrows(ExecutionException.class, () -> opened.get(60, TimeUnit.SECONDS));
      assertTrue(failed.getCause() instanceof CacheException, failed.toString());
      Await.until("the near cache is trusted again", near::isTrusted);

      // a stall shorter than the timeout, long enough for the probe to replace the connection
      // (two unanswered pings): the opening waits on the new connection and succeeds
      paused.command("CLIENT", "PAUSE", "6000", "ALL");
      Future<NearCache> reopened =
          opening.submit(() -> invalidations.register(new KeyLayout("silent-near-3", 4), 100));
      NearCache third = reopened.get(60, TimeUnit.SECONDS);
      Await.until("the near caches are trusted after the stall", third::isTrusted);
    } finally {
      opening.shutdownNow();
      invalidations.close();
      redis.close();
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
