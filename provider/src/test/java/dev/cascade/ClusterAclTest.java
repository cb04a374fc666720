package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.testing.RedisBinary;
import dev.cascade.testing.RedisCluster;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import dev.cascade.writebehind.WriteBehind;
import dev.cascade.writebehind.WriteBehindMXBean;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The least-privilege user on a Redis Cluster: the standalone rights ({@link AclContract#RULES})
 * plus {@link #CLUSTER_COMMANDS}, which Lettuce's cluster client needs to read the topology. No
 * node may log a refusal. Three masters without replicas: the topology, not failover, is what
 * differs here.
 */
@Timeout(180)
class ClusterAclTest {

  /**
   * As docs/security.md lists them for a cluster: Lettuce reads the topology with CLUSTER NODES
   * (and INFO, optional on one server, needed here), names its topology connections (CLIENT
   * SETNAME) and asks each connection's node id (CLUSTER MYID); ReplicatedWrites follows an ASK
   * redirect.
   */
  static final String CLUSTER_COMMANDS = "+cluster|nodes +cluster|myid +client|setname +asking";

  private static RedisCluster cluster;
  private static CacheManager first;
  private static CacheManager second;

  @BeforeAll
  static void start() {
    cluster =
        RedisCluster.builder()
            .masters(3)
            .replicasPerMaster(0)
            .config(
                "user",
                AclContract.USER
                    + " "
                    + AclContract.RULES
                    + " "
                    + CLUSTER_COMMANDS
                    + AclContract.quietRules(RedisBinary.resolve()))
            .start();
    first = open();
    second = open();
  }

  @AfterAll
  static void stop() {
    first.close();
    second.close();
    cluster.close();
  }

  private static CacheManager open() {
    String uri =
        cluster
            .seedUri()
            .replace(
                "redis-cluster://",
                "redis-cluster://" + AclContract.USER + ":" + AclContract.PASSWORD + "@");
    return new CascadeCachingProvider()
        .getCacheManager(URI.create(uri), ClusterAclTest.class.getClassLoader());
  }

  @AfterEach
  @SuppressWarnings("unchecked")
  void noNodeRefusedAnything() {
    List<String> refused = new ArrayList<>();
    for (RedisServer node : cluster.nodes()) {
      for (Object entry : (List<Object>) node.command("ACL", "LOG")) {
        refused.add(node.port() + ": " + entry);
      }
      node.command("ACL", "LOG", "RESET");
    }
    assertEquals(List.of(), refused, "ACL LOG of the nodes");
  }

  /**
   * The near cache's tracking connections go to every master with the seed's credentials; keys on
   * every master are invalidated by the other manager's change, and no node refuses anything.
   */
  @Test
  void nearCache_onEveryMaster_underTheAclUser_isInvalidatedByTheOtherManager() {
    String name = Managers.uniqueName("cluster-acl-near");
    CascadeConfiguration<String, String> near =
        new CascadeConfiguration<String, String>()
            .setTypes(String.class, String.class)
            .setNearCache(100);
    Cache<String, String> a = first.createCache(name, near);
    Cache<String, String> b = second.createCache(name, near);
    NearCacheStatistics nearA = a.unwrap(CascadeCache.class).nearCache();
    for (int i = 0; i < 16; i++) {
      b.put("k" + i, "1");
    }
    long deadline = System.currentTimeMillis() + 10_000;
    while (nearA.hits() < 16) {
      assertTrue(System.currentTimeMillis() < deadline, "never served near: is tracking on?");
      for (int i = 0; i < 16; i++) {
        assertEquals("1", a.get("k" + i));
      }
    }
    for (int i = 0; i < 16; i++) {
      b.put("k" + i, "2");
    }
    for (int i = 0; i < 16; i++) {
      deadline = System.currentTimeMillis() + 10_000;
      while (!"2".equals(a.get("k" + i))) {
        assertTrue(
            System.currentTimeMillis() < deadline, "the invalidation of k" + i + " never arrived");
        Thread.onSpinWait();
      }
    }
  }

  @Test
  void everyOperation_acrossTheMasters_underTheAclUser_works() throws Exception {
    String name = Managers.uniqueName("cluster-acl");
    Cache<String, String> cache =
        first.createCache(name, AclContract.strings().setStatisticsEnabled(true));
    Map<String, String> many = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      many.put("k" + i, "v" + i);
    }
    cache.putAll(many);
    assertEquals(many, cache.getAll(many.keySet()));
    assertEquals("v1", cache.getAndPut("k1", "w1"));
    assertEquals(
        Integer.valueOf(2),
        cache.invoke(
            "k2",
            (entry, args) -> {
              entry.setValue("w2");
              return 2;
            }));
    Set<String> seen = new HashSet<>();
    cache.forEach(e -> seen.add(e.getKey()));
    assertEquals(many.keySet(), seen, "SCAN on every master");
    cache.removeAll(Set.of("k3", "k4"));
    assertNull(cache.get("k3"));
    cache.clear();
    assertFalse(cache.iterator().hasNext());
    assertTrue(AclContract.statistic(name, "CachePuts") > 0);
    first.destroyCache(name);
  }

  @Test
  void listenersAndWriteBehind_underTheAclUser_work() throws Exception {
    String name = Managers.uniqueName("cluster-events");
    Cache<String, String> writer = first.createCache(name, AclContract.strings());
    MutableConfiguration<String, String> listening = AclContract.strings();
    listening.addCacheEntryListenerConfiguration(
        new MutableCacheEntryListenerConfiguration<>(
            FactoryBuilder.factoryOf(AclContract.Collecting.class), null, true, false));
    second.createCache(name, listening);
    long deadline = System.currentTimeMillis() + 15_000;
    while (!AclContract.Collecting.EVENTS.contains("created " + name + " probe")) {
      assertTrue(
          System.currentTimeMillis() < deadline, "the listener never heard the other manager");
      writer.remove("probe");
      writer.put("probe", "p");
      Thread.sleep(20);
    }

    String table = TestDatabase.uniqueTableName("acl_cluster_wb");
    TestDatabase.execute(
        "CREATE TABLE " + table + " (k VARCHAR(64) PRIMARY KEY, v VARCHAR(255) NOT NULL)");
    try {
      Cache<String, String> cache =
          first.createCache(
              Managers.uniqueName("cluster-wb"),
              AclContract.strings()
                  .setWriteThrough(true)
                  .setCacheWriterFactory(
                      WriteBehind.of(new AclContract.TableWriterFactory(table))
                          .maxDelay(java.time.Duration.ofMillis(100))
                          .build()));
      Map<String, String> rows = new HashMap<>();
      for (int i = 0; i < 40; i++) {
        rows.put("r" + i, "v" + i);
      }
      cache.putAll(rows);
      WriteBehindMXBean wb = cache.unwrap(CascadeCache.class).writeBehind();
      deadline = System.currentTimeMillis() + 30_000;
      while (TestDatabase.queryMap("SELECT k, v FROM " + table, String.class, String.class).size()
          != rows.size()) {
        assertTrue(
            System.currentTimeMillis() < deadline, "flushed: last error " + wb.getLastError());
        TimeUnit.MILLISECONDS.sleep(50);
      }
      assertEquals(
          rows, TestDatabase.queryMap("SELECT k, v FROM " + table, String.class, String.class));
    } finally {
      TestDatabase.dropTable(table);
    }
  }
}
