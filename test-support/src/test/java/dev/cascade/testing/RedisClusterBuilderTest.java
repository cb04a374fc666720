package dev.cascade.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisClusterBuilderTest {

  @Test
  void mastersOnly_formsCluster_closeLeavesNoProcessOrDirectory() {
    RedisCluster cluster =
        RedisCluster.builder()
            .masters(3)
            .replicasPerMaster(0)
            .nodeTimeout(Duration.ofMillis(1000))
            .start();
    List<ProcessHandle> processes =
        cluster.nodes().stream().map(n -> ProcessHandle.of(n.pid()).orElseThrow()).toList();
    try {
      assertEquals(3, cluster.nodes().size());
      assertEquals(3, cluster.masters().size());
      assertTrue(cluster.replicas().isEmpty());
      assertEquals(
          "1000",
          ((List<?>) cluster.nodes().get(0).command("CONFIG", "GET", "cluster-node-timeout"))
              .get(1));
    } finally {
      cluster.close();
    }
    assertTrue(processes.stream().noneMatch(ProcessHandle::isAlive));
    assertTrue(cluster.nodes().stream().noneMatch(n -> Files.exists(n.dataDir())));
    cluster.close(); // idempotent
  }

  @Test
  void singleMaster_ownsAllSlots() {
    try (RedisCluster cluster = RedisCluster.builder().masters(1).replicasPerMaster(0).start()) {
      RedisServer only = cluster.nodes().get(0);
      assertEquals(only, cluster.masterForSlot(0));
      assertEquals(only, cluster.masterForSlot(16383));
      assertFalse(cluster.seedUri().contains(","));
    }
  }
}
