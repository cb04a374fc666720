package dev.cascade.internal.near;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Near caches on a Redis Cluster: every master invalidates the keys changed on it, and a slot that
 * moves to a master which joined after the near cache was created is tracked there too.
 */
@WithRedisCluster
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NearCacheClusterTest {

  private static RedisCluster cluster;
  private static CacheManager first;
  private static CacheManager second;

  @BeforeAll
  static void open(RedisCluster redisCluster) {
    cluster = redisCluster;
    first = manager();
    second = manager();
  }

  @AfterAll
  static void close() {
    first.close();
    second.close();
  }

  private static CacheManager manager() {
    return new CascadeCachingProvider()
        .getCacheManager(
            URI.create(cluster.seedUri() + "?timeout=2s"),
            NearCacheClusterTest.class.getClassLoader());
  }

  private static CascadeConfiguration<String, String> near(int partitions) {
    return new CascadeConfiguration<String, String>()
        .setTypes(String.class, String.class)
        .setPartitions(partitions)
        .setNearCache(1_000);
  }

  private static String name(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  @Order(1)
  void keysOnEveryMaster_areServedNear_andInvalidatedByAnotherManagersChange() {
    String name = name("spread");
    Cache<String, String> a = first.createCache(name, near(16));
    Cache<String, String> b = second.createCache(name, near(16));
    NearCache near = (NearCache) a.unwrap(CascadeCache.class).nearCache();
    KeyLayout layout = new KeyLayout(name, 16);
    Set<Integer> masterPorts = new HashSet<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      String key = "k" + i;
      keys.add(key);
      masterPorts.add(cluster.masterForSlot(RedisCluster.slot(entryKey(layout, key))).port());
      b.put(key, "b0");
    }
    assertEquals(3, masterPorts.size(), "the keys spread over every master");
    for (String key : keys) {
      awaitValue(a, key, "b0");
    }
    long hitsBefore = near.hits();
    for (String key : keys) {
      assertEquals("b0", a.get(key));
    }
    assertEquals(hitsBefore + keys.size(), near.hits(), "every key is served near");

    for (String key : keys) {
      b.put(key, "b1");
    }
    // every master's invalidations arrive: none keeps serving the old value
    for (String key : keys) {
      awaitValue(a, key, "b1");
    }
  }

  /**
   * A node joins, and the slot of a cached key moves to it. A read of the key is then answered by
   * the new node (through a redirect, or once Lettuce knows the new topology); a change made there
   * afterwards must still reach this near cache, so the new master must be tracked.
   */
  @Test
  @Order(3) // last: the node that joins is stopped at the end, still holding the moved slot
  void aSlotMovedToANewMaster_isTrackedThere() throws Exception {
    String name = name("moved");
    Cache<String, String> a = first.createCache(name, near(1));
    Cache<String, String> b = second.createCache(name, near(1));
    NearCache near = (NearCache) a.unwrap(CascadeCache.class).nearCache();
    int slot = RedisCluster.slot(entryKey(new KeyLayout(name, 1), "k"));
    b.put("k", "v0");
    awaitValue(a, "k", "v0");
    try (RedisServer joining = RedisServer.builder().clusterEnabled(true).start()) {
      RedisServer owner = cluster.masterForSlot(slot);
      joining.command("CLUSTER", "MEET", RedisServer.HOST, Integer.toString(owner.port()));
      String joiningId = (String) joining.command("CLUSTER", "MYID");
      Await.until(
          "every node knows the new one, and it knows the slots",
          () ->
              cluster.nodes().stream()
                      .allMatch(
                          n -> String.valueOf(n.command("CLUSTER", "NODES")).contains(joiningId))
                  && String.valueOf(joining.command("CLUSTER", "INFO"))
                      .contains("cluster_state:ok"));
      cluster.moveSlot(slot, joining);

      // the first read after the move is answered by the new master
      b.put("k", "v1");
      awaitValue(a, "k", "v1");
      awaitNearHit(a, near, "k", "v1");
      // a change made on the new master reaches the near cache
      b.put("k", "v2");
      awaitValue(a, "k", "v2");
      awaitNearHit(a, near, "k", "v2");
      // and one written on it directly, by a client that is not Cascade
      joining.command(
          "DEL", new String(entryKey(new KeyLayout(name, 1), "k"), StandardCharsets.UTF_8));
      Await.until("the direct delete invalidated the near copy", () -> a.get("k") == null);
    }
  }

  /**
   * Access expiry on a cluster: near hits touch each entry on its own master without waiting, so
   * entries on every master outlive their access duration while only near hits read them. A reader
   * paused longer than the duration (a loaded machine) may find one gone: that is the policy, so it
   * puts it again and goes on.
   */
  @Test
  @Order(2)
  void accessedExpiry_nearHitsKeepEntriesOnEveryMasterAlive() throws InterruptedException {
    String name = name("accessed");
    long access = 1_500;
    CascadeConfiguration<String, String> config = near(16);
    config.setExpiryPolicyFactory(
        AccessedExpiryPolicy.factoryOf(new Duration(TimeUnit.MILLISECONDS, access)));
    Cache<String, String> a = first.createCache(name, config);
    NearCache near = (NearCache) a.unwrap(CascadeCache.class).nearCache();
    KeyLayout layout = new KeyLayout(name, 16);
    Set<Integer> masterPorts = new HashSet<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      String key = "k" + i;
      keys.add(key);
      masterPorts.add(cluster.masterForSlot(RedisCluster.slot(entryKey(layout, key))).port());
      a.put(key, "v");
    }
    assertTrue(masterPorts.size() >= 3, "the keys spread over every master: " + masterPorts);
    long lastRound = System.currentTimeMillis();
    long end = lastRound + 4 * access;
    while (System.currentTimeMillis() < end) {
      long before = System.currentTimeMillis();
      for (String key : keys) {
        if (a.get(key) == null) {
          assertTrue(
              before - lastRound >= access - 100,
              key + " gone " + (before - lastRound) + " ms after the previous read");
          a.put(key, "v");
        }
      }
      lastRound = System.currentTimeMillis();
      Thread.sleep(50);
    }
    assertTrue(near.hits() > near.misses(), "served near: " + near.hits() + " / " + near.misses());
    // read from Redis by the other manager, without a near cache: every entry is still there
    Cache<String, String> remote = second.getCache(name, String.class, String.class);
    for (String key : keys) {
      assertEquals("v", remote.get(key), key + " expired although it was read near");
    }
  }

  /** The Redis key of a cache entry whose key is a string (the string codec writes it as is). */
  private static byte[] entryKey(KeyLayout layout, String key) {
    return layout.entryKey(key.getBytes(StandardCharsets.UTF_8));
  }

  private static void awaitValue(Cache<String, String> cache, String key, String expected) {
    Await.until(key + " reads " + expected, () -> expected.equals(cache.get(key)));
  }

  /** Reads until the near cache serves the key: tracking is confirmed where it lives. */
  private static void awaitNearHit(
      Cache<String, String> cache, NearCache near, String key, String expected) {
    Await.until(
        key + " is served near",
        () -> {
          long hits = near.hits();
          return expected.equals(cache.get(key)) && near.hits() > hits;
        });
  }
}
