package dev.cascade.writebehind;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.testing.RedisCluster;
import dev.cascade.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@link PrimaryFailoverContract} on a Redis Cluster of 3 masters and 3 replicas: the master of
 * partition 0 dies.
 */
class ClusterFailoverTest extends PrimaryFailoverContract {

  @Override
  Topology start() {
    RedisCluster cluster = RedisCluster.start();
    return new Topology() {
      @Override
      public String uri() {
        return cluster.seedUri() + "?timeout=2s";
      }

      @Override
      public RedisServer victim(String cacheName) {
        return cluster.masterForSlot(RedisCluster.slot(layout(cacheName).streamKey(0)));
      }

      @Override
      public Predicate<String> onVictim(String cacheName, RedisServer victim) {
        KeyLayout layout = layout(cacheName);
        Set<Integer> partitions = new HashSet<>();
        for (int p = 0; p < layout.partitions(); p++) {
          if (cluster.masterForSlot(RedisCluster.slot(layout.streamKey(p))).port()
              == victim.port()) {
            partitions.add(p);
          }
        }
        return key -> partitions.contains(layout.partition(key.getBytes(StandardCharsets.UTF_8)));
      }

      @Override
      public RedisServer replicaOf(RedisServer victim) {
        for (RedisServer node : cluster.replicas()) {
          if (String.valueOf(victim.port()).equals(node.info("replication").get("master_port"))) {
            return node;
          }
        }
        throw new AssertionError("no replica of " + victim);
      }

      @Override
      public void kill(RedisServer victim) {
        cluster.killMaster(victim);
      }

      @Override
      public RedisServer awaitFailover(RedisServer victim, Duration timeout) {
        return cluster.awaitFailover(victim, timeout);
      }

      @Override
      public String label() {
        return "cluster";
      }

      @Override
      public void close() {
        cluster.close();
      }
    };
  }

  private static KeyLayout layout(String cacheName) {
    return new KeyLayout(cacheName, CascadeConfiguration.DEFAULT_PARTITIONS);
  }
}
