package dev.cascade.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisCluster;
import dev.cascade.testing.WithRedisCluster;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.ClientResources;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The flushers' own connections, one set per master, are closed once unused for the idle limit:
 * after a failover or a resharding nothing asks for a former master again, and without the limit
 * its connections stayed open until the CacheManager closed. A connection in use is lent again.
 */
@WithRedisCluster
@Timeout(60)
class ExclusiveConnectionsIdleTest {

  private static final Duration LIMIT = Duration.ofSeconds(60);

  /**
   * The test's clock (nanoseconds): no sleeping, and no load on the machine can age a connection.
   */
  private final AtomicLong clock = new AtomicLong();

  @Test
  void connectionsIdlePastTheLimit_areClosed_onNodesNobodyAsksForAgain(RedisCluster cluster)
      throws Exception {
    ClientResources resources = ClientResources.create();
    RedisAccess redis =
        RedisAccess.connect(RedisTarget.parse(cluster.seedUri(), Duration.ofSeconds(5)));
    ExclusiveConnections exclusive =
        new ExclusiveConnections(
            new NodeRouting(
                RedisTarget.parse(cluster.seedUri(), Duration.ofSeconds(5)),
                (RedisClusterClient) redis.client(),
                () -> {}),
            resources,
            LIMIT,
            clock::get);
    try {
      // one key per master: each gets an idle connection
      Map<String, byte[]> keyPerMaster = new HashMap<>();
      for (int i = 0; keyPerMaster.size() < cluster.masters().size(); i++) {
        byte[] key = ("k" + i).getBytes(StandardCharsets.UTF_8);
        keyPerMaster.putIfAbsent(
            String.valueOf(cluster.masterForSlot(RedisCluster.slot(key)).port()), key);
      }
      Map<String, StatefulRedisConnection<byte[], byte[]>> first = new HashMap<>();
      keyPerMaster.forEach(
          (port, key) ->
              first.put(
                  port, exclusive.withConnection(key, "test", c -> c.getStatefulConnection())));
      assertEquals(cluster.masters().size(), exclusive.nodesWithIdleConnections().size());

      // within the limit, a node's connection is lent again
      clock.addAndGet(Duration.ofSeconds(1).toNanos());
      String kept = keyPerMaster.keySet().iterator().next();
      byte[] keptKey = keyPerMaster.get(kept);
      assertSame(
          first.get(kept),
          exclusive.withConnection(keptKey, "test", c -> c.getStatefulConnection()));

      // past the limit: only the node still asked for has an idle connection, a new one
      clock.addAndGet(LIMIT.plusSeconds(2).toNanos());
      StatefulRedisConnection<byte[], byte[]> fresh =
          exclusive.withConnection(keptKey, "test", c -> c.getStatefulConnection());
      assertNotSame(first.get(kept), fresh);
      assertEquals(1, exclusive.nodesWithIdleConnections().size());
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (first.values().stream().anyMatch(StatefulRedisConnection::isOpen)
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      first.forEach((port, c) -> assertFalse(c.isOpen(), "the idle connection to :" + port));
      assertTrue(fresh.isOpen());
      Set<String> nodes = exclusive.nodesWithIdleConnections();
      assertTrue(nodes.iterator().next().endsWith(":" + kept), nodes + " vs :" + kept);
    } finally {
      exclusive.close();
      redis.close();
      resources.shutdown();
    }
  }
}
