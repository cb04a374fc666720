package dev.cascade.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/** One cluster for the class; the failover test runs last because it changes the topology. */
@WithRedisCluster
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisClusterTest {

  private static RedisClusterClient client;
  private static StatefulRedisClusterConnection<String, String> connection;

  @BeforeAll
  static void connect(RedisCluster cluster) {
    client =
        RedisClusterClient.create(
            cluster.seedRedisUris().stream()
                .map(
                    uri ->
                        RedisURI.builder(RedisURI.create(uri))
                            .withTimeout(Duration.ofSeconds(10))
                            .build())
                .toList());
    connection = client.connect();
  }

  @AfterAll
  static void disconnect() {
    if (connection != null) {
      connection.close();
    }
    if (client != null) {
      client.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(1)
  void start_formsClusterOfThreeMastersWithOneReplicaEach(RedisCluster cluster) {
    assertEquals(6, cluster.nodes().size());
    assertEquals(3, cluster.masters().size());
    assertEquals(3, cluster.replicas().size());
    for (RedisServer node : cluster.nodes()) {
      assertEquals(
          "ok", cluster.admin().clusterInfo(node.port()).get("cluster_state"), node.toString());
      assertEquals("16384", cluster.admin().clusterInfo(node.port()).get("cluster_slots_assigned"));
    }
    Set<RedisServer> owners =
        new HashSet<>(
            List.of(
                cluster.masterForSlot(0),
                cluster.masterForSlot(8000),
                cluster.masterForSlot(16383)));
    assertEquals(3, owners.size(), "three even slot ranges on three masters");
  }

  @Test
  @Order(2)
  void seedUri_namesEveryNode(RedisCluster cluster) {
    String uri = cluster.seedUri();
    assertTrue(uri.startsWith("redis-cluster://127.0.0.1:"), uri);
    for (RedisServer node : cluster.nodes()) {
      assertTrue(uri.contains("127.0.0.1:" + node.port()), uri);
    }
    assertEquals(6, uri.substring("redis-cluster://".length()).split(",").length);
    assertEquals(cluster.nodes().get(0).uri(), cluster.seedRedisUris().get(0));
  }

  @Test
  @Order(3)
  void clusterClient_writesAndReads_keyLandsOnSlotOwner(RedisCluster cluster) {
    connection.sync().set("{user1000}.following", "alice");
    assertEquals("alice", connection.sync().get("{user1000}.following"));

    RedisServer owner = cluster.masterForSlot(RedisCluster.slot("{user1000}.following"));
    assertEquals("alice", owner.command("GET", "{user1000}.following"));
    for (String key :
        List.of(
            "{user1000}.following",
            "foo",
            "123456789",
            "foo{}{bar}",
            "foo{{bar}}zap",
            "cascade:users:{users#3}:123",
            "ключ")) {
      assertEquals((long) RedisCluster.slot(key), owner.command("CLUSTER", "KEYSLOT", key), key);
    }
  }

  @Test
  @Order(4)
  void killMaster_awaitFailover_replicaTakesOverAndKeyIsStillReadable(RedisCluster cluster) {
    String key = "survives-failover";
    RedisServer master = cluster.masterForSlot(RedisCluster.slot(key));
    // SET and WAIT on one node connection: the replica has the key before its master dies
    var onMaster = connection.getConnection(master.host(), master.port()).sync();
    onMaster.set(key, "v1");
    assertEquals(1L, onMaster.waitForReplication(1, 2000));

    long started = System.nanoTime();
    cluster.killMaster(master);
    RedisServer promoted = cluster.awaitFailover(master, Duration.ofSeconds(30));
    long failoverMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertTrue(failoverMillis < 30_000);

    assertFalse(master.isRunning());
    assertNotEquals(master, promoted);
    assertEquals(promoted, cluster.masterForSlot(RedisCluster.slot(key)));
    assertEquals(3, cluster.masters().size());
    assertEquals("v1", promoted.command("GET", key));
    // Lettuce learns of the new master only on a topology refresh; a provider configures
    // periodic or adaptive refresh, this test asks for one
    client.refreshPartitions();
    assertEquals("v1", connection.sync().get(key), "cluster client follows the failover");

    // the old master comes back on its port with its nodes.conf and rejoins as a replica
    master.restart();
    Waiting.until(
        master + " to rejoin as a replica",
        Duration.ofSeconds(30),
        () -> cluster.replicas().contains(master),
        cluster::describe);
    cluster.awaitStateOk(Duration.ofSeconds(30));
    assertEquals(3, cluster.replicas().size());
  }
}
