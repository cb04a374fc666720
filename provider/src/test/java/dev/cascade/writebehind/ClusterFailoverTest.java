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
import java.util.function.Predicate;
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
    FailoverLoad.Report r = run(true, false);
    assertEquals(0, r.lostAcknowledged, "puts that returned normally but are missing from the database: " + r);
  }

  @Test
  void masterKilled_withoutReplicaAck_measuresWhatIsLost() throws Exception {
    FailoverLoad.Report r = run(false, false);
    assertTrue(r.acknowledged > 0, "writes went on: " + r);
  }

  /**
   * On loopback a SIGKILLed master has already handed its replication stream to the kernel, which
   * delivers it: asynchronous replication loses writes when the replica is cut off (a network
   * partition, a replica resyncing) as the master dies. Here the master's replication link is
   * closed and its replica SIGSTOPped (so it cannot reconnect) 300 ms before the kill.
   */
  @Test
  void masterKilledWhileItsReplicaIsCutOff_withReplicaAck_everyAcknowledgedPutReachesTheDatabase() throws Exception {
    FailoverLoad.Report r = run(true, true);
    assertEquals(0, r.lostAcknowledged, "puts that returned normally but are missing from the database: " + r);
  }

  @Test
  void masterKilledWhileItsReplicaIsCutOff_withoutReplicaAck_measuresWhatIsLost() throws Exception {
    FailoverLoad.Report r = run(false, true);
    assertTrue(r.acknowledged > 0, "writes went on: " + r);
  }

  private FailoverLoad.Report run(boolean replicaAck, boolean cutOffReplica) throws Exception {
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
        FailoverLoad load = new FailoverLoad(cache, 4);

        // the master of partition 0 is the victim; these partitions live on it
        KeyLayout layout = new KeyLayout(name, CascadeConfiguration.DEFAULT_PARTITIONS);
        RedisServer victim = cluster.masterForSlot(RedisCluster.slot(layout.streamKey(0)));
        Set<Integer> victimPartitions = new HashSet<>();
        for (int p = 0; p < layout.partitions(); p++) {
          if (cluster.masterForSlot(RedisCluster.slot(layout.streamKey(p))).port() == victim.port()) {
            victimPartitions.add(p);
          }
        }
        Predicate<String> onVictim = key -> victimPartitions.contains(layout.partition(bytes(key)));

        load.start();
        Thread.sleep(2_000);
        RedisServer replica = replicaOf(cluster, victim);
        if (cutOffReplica) {
          signal(replica, "STOP");
          victim.command("CLIENT", "KILL", "TYPE", "replica");
          Thread.sleep(300);
        }
        cluster.killMaster(victim); // SIGKILL; returns once the process is gone
        long killedAt = System.nanoTime();
        if (cutOffReplica) {
          signal(replica, "CONT");
        }
        RedisServer promoted = cluster.awaitFailover(victim, Duration.ofSeconds(60));
        long failedOverAt = System.nanoTime();
        victim.restart(); // it rejoins as the replica of the node that replaced it
        String backAs = awaitBackInReplication(victim);
        long replicaBackAt = System.nanoTime();
        Thread.sleep(5_000);
        load.stop();

        Map<String, String> rows = t.drained(cache, Duration.ofSeconds(120));
        Map<String, String> inCache = contents(cache, load.keys());
        FailoverLoad.Report r = load.report(rows, inCache);
        long resumed = load.resumedAfter(killedAt, onVictim);
        System.out.printf("cluster failover%s, replica ack %s: %s%n  killed master %d (%d of 16 partitions), replica %d"
            + " promoted after %d ms, killed node back as %s after %d ms; failed puts from %d to %d ms after"
            + " the kill; puts to the killed master's partitions started after the kill succeed from %d ms%n"
            + "  failed puts by kind: %s%n",
            cutOffReplica ? " (replica cut off 300 ms before the kill)" : "", replicaAck ? "on (1 replica, 1 s)" : "off",
            r, victim.port(), victimPartitions.size(), promoted.port(),
            millis(failedOverAt - killedAt), backAs, millis(replicaBackAt - killedAt),
            r.failures == 0 ? -1 : millis(r.firstFailureAt - killedAt),
            r.failures == 0 ? -1 : millis(load.lastFailureAt() - killedAt), resumed < 0 ? -1 : millis(resumed - killedAt),
            r.errors);
        assertTrue(resumed > 0, "puts to the partitions of the killed master succeed again after the failover: " + r);
        return r;
      } finally {
        manager.close();
      }
    }
  }

  private static RedisServer replicaOf(RedisCluster cluster, RedisServer master) {
    for (RedisServer node : cluster.replicas()) {
      if (String.valueOf(master.port()).equals(node.info("replication").get("master_port"))) {
        return node;
      }
    }
    throw new AssertionError("no replica of " + master);
  }

  /** Sends SIGSTOP or SIGCONT to a redis-server process. */
  static void signal(RedisServer node, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(node.pid())).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill -" + signal + " " + node.pid());
  }

  /**
   * Waits until a restarted node is back in replication and says how: a replica in sync, or the
   * primary again with its replica online, when the (busy, two-core) machine made the failure
   * detector fail over a second time. Either way no acknowledged write may be lost.
   */
  static String awaitBackInReplication(RedisServer node) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      Map<String, String> info = node.info("replication");
      if ("up".equals(info.get("master_link_status"))) {
        return "a replica";
      }
      if ("master".equals(info.get("role")) && info.getOrDefault("slave0", "").contains("state=online")) {
        return "the primary again (a second failover)";
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(node + " did not come back as a replica in sync: " + info);
      }
      Thread.sleep(100);
    }
  }

  /** The cache's entries for {@code keys}, read in pipelined chunks. */
  static Map<String, String> contents(Cache<String, String> cache, Set<String> keys) {
    Map<String, String> out = new HashMap<>();
    Set<String> chunk = new HashSet<>();
    for (String key : keys) {
      chunk.add(key);
      if (chunk.size() == 1_000) {
        out.putAll(cache.getAll(chunk));
        chunk.clear();
      }
    }
    out.putAll(cache.getAll(chunk));
    return out;
  }

  static long millis(long nanos) {
    return nanos / 1_000_000;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
