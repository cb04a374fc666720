package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCachingProvider;
import dev.cascade.config.CascadeConfiguration;
import dev.cascade.store.KeyLayout;
import dev.cascade.testing.RedisCluster;
import dev.cascade.testing.RedisServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Redis Cluster master is SIGKILLed while four threads write behind: its replica takes over, the
 * callers see exceptions for a while, then the writes go on. With replica acknowledgement every put
 * that returned normally reaches the database; without it, the test measures what is lost. Each test
 * has a cluster of its own (after the failover the killed node comes back as a replica).
 */
@Timeout(300)
class ClusterFailoverTest {

  @Test
  void masterKilled_withReplicaAck_everyAcknowledgedPutReachesTheDatabase() throws Exception {
    FailoverLoad.Report r = run(true);
    assertEquals(0, r.lostAcknowledged, "puts that returned normally but are missing from the database: " + r);
  }

  @Test
  void masterKilled_withoutReplicaAck_measuresWhatIsLost() throws Exception {
    FailoverLoad.Report r = run(false);
    assertTrue(r.acknowledged > 0, "writes went on: " + r);
  }

  private FailoverLoad.Report run(boolean replicaAck) throws Exception {
    try (RedisCluster cluster = RedisCluster.start(); TableFixture t = new TableFixture("wb_cluster_failover")) {
      CacheManager manager = new CascadeCachingProvider().getCacheManager(
          URI.create(cluster.seedUri() + "?timeout=2s"), getClass().getClassLoader());
      try {
        String name = WriteBehindTest.name("failover");
        WriteBehind<String, String> wb = WriteBehind.of(t.writerFactory()).maxDelay(Duration.ofMillis(100));
        if (replicaAck) {
          wb.replicaAck(1, Duration.ofSeconds(1));
        }
        Cache<String, String> cache = manager.createCache(name, WriteBehindTest.writeBehind(wb));
        FailoverLoad load = new FailoverLoad(cache, 4, 250);

        // the master of partition 0 is the victim; these keys live on it
        KeyLayout layout = new KeyLayout(name, CascadeConfiguration.DEFAULT_PARTITIONS);
        RedisServer victim = cluster.masterForSlot(RedisCluster.slot(layout.entryKey(bytes("t0-0"))));
        Map<Integer, Integer> masterOfSlot = new HashMap<>();
        Set<String> victimKeys = new HashSet<>();
        for (int thread = 0; thread < 4; thread++) {
          for (int k = 0; k < 250; k++) {
            String key = FailoverLoad.key(thread, k);
            int slot = RedisCluster.slot(layout.entryKey(bytes(key)));
            if (masterOfSlot.computeIfAbsent(slot, s -> cluster.masterForSlot(s).port()) == victim.port()) {
              victimKeys.add(key);
            }
          }
        }

        load.start();
        Thread.sleep(2_000);
        cluster.killMaster(victim); // SIGKILL; returns once the process is gone
        long killedAt = System.nanoTime();
        RedisServer promoted = cluster.awaitFailover(victim, Duration.ofSeconds(60));
        long failedOverAt = System.nanoTime();
        victim.restart(); // it rejoins as the replica of the node that replaced it
        awaitReplicaLinkUp(victim);
        long replicaBackAt = System.nanoTime();
        Thread.sleep(5_000);
        load.stop();

        Map<String, String> rows = t.drained(cache, Duration.ofSeconds(120));
        Map<String, String> inCache = TableFixture.contents(cache, load.keys());
        FailoverLoad.Report r = load.report(rows, inCache);
        long resumed = load.resumedAfter(killedAt, victimKeys::contains);
        System.out.printf("cluster failover, replica ack %s: %s%n  killed master %d (%d of 1,000 keys), replica %d"
            + " promoted after %d ms, killed node back as a replica after %d ms; failed puts from %d to %d ms after"
            + " the kill; puts to the killed master's keys started after the kill succeed from %d ms%n"
            + "  failed puts by kind: %s%n",
            replicaAck ? "on (1 replica, 1 s)" : "off", r, victim.port(), victimKeys.size(), promoted.port(),
            millis(failedOverAt - killedAt), millis(replicaBackAt - killedAt),
            r.failures == 0 ? -1 : millis(r.firstFailureAt - killedAt),
            r.failures == 0 ? -1 : millis(load.lastFailureAt() - killedAt), resumed < 0 ? -1 : millis(resumed - killedAt),
            r.errors);
        assertTrue(resumed > 0, "puts to the keys of the killed master succeed again after the failover: " + r);
        return r;
      } finally {
        manager.close();
      }
    }
  }

  private static void awaitReplicaLinkUp(RedisServer node) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (!"up".equals(node.info("replication").get("master_link_status"))) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(node + " did not become a replica in sync: " + node.info("replication"));
      }
      Thread.sleep(100);
    }
  }

  static long millis(long nanos) {
    return nanos / 1_000_000;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
