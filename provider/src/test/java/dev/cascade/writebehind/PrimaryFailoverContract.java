package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCachingProvider;
import dev.cascade.testing.FixtureException;
import dev.cascade.testing.RedisServer;
import java.net.URI;
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
 * A primary is SIGKILLed while four threads write behind: a replica takes over, the callers see
 * exceptions for a while, then the writes go on against the new primary. With replica
 * acknowledgement every put that returned normally reaches the database; without it, the test
 * measures what is lost. The same four cases for every topology: a subclass starts one (its own per
 * test: after the failover the killed server comes back as a replica) and says which server to
 * kill.
 */
@Timeout(300)
abstract class PrimaryFailoverContract {

  /** A Redis topology started for one test. */
  interface Topology extends AutoCloseable {

    /**
     * The CacheManager URI, with a short command timeout so callers fail fast during the failover.
     */
    String uri();

    /** The primary to kill: one that holds partitions of the cache {@code cacheName}. */
    RedisServer victim(String cacheName);

    /** The keys of {@code cacheName} whose partitions live on the victim. */
    Predicate<String> onVictim(String cacheName, RedisServer victim);

    RedisServer replicaOf(RedisServer victim);

    /** SIGKILLs the victim; returns once the process is gone. */
    void kill(RedisServer victim);

    /** Waits until a replica of the killed victim is the primary, and returns it. */
    RedisServer awaitFailover(RedisServer victim, Duration timeout);

    /** "cluster" or "sentinel": names the table and the printed report. */
    String label();

    @Override
    void close();
  }

  abstract Topology start();

  @Test
  void primaryKilled_withReplicaAck_everyAcknowledgedPutReachesTheDatabase() throws Exception {
    FailoverLoad.Report r = run(true, false);
    assertEquals(
        0,
        r.lostAcknowledged,
        "puts that returned normally but are missing from the database: " + r);
  }

  @Test
  void primaryKilled_withoutReplicaAck_measuresWhatIsLost() throws Exception {
    FailoverLoad.Report r = run(false, false);
    assertTrue(r.acknowledged > 0, "writes went on: " + r);
  }

  /**
   * On loopback a SIGKILLed primary has already handed its replication stream to the kernel, which
   * delivers it: asynchronous replication loses writes when the replica is cut off (a network
   * partition, a replica resyncing) as the primary dies. Here the primary's replication link is
   * closed and its replica SIGSTOPped (so it cannot reconnect) 300 ms before the kill.
   */
  @Test
  void primaryKilledWhileItsReplicaIsCutOff_withReplicaAck_everyAcknowledgedPutReachesTheDatabase()
      throws Exception {
    FailoverLoad.Report r = run(true, true);
    assertEquals(
        0,
        r.lostAcknowledged,
        "puts that returned normally but are missing from the database: " + r);
  }

  @Test
  void primaryKilledWhileItsReplicaIsCutOff_withoutReplicaAck_measuresWhatIsLost()
      throws Exception {
    FailoverLoad.Report r = run(false, true);
    assertTrue(r.acknowledged > 0, "writes went on: " + r);
  }

  private FailoverLoad.Report run(boolean replicaAck, boolean cutOffReplica) throws Exception {
    try (Topology topology = start();
        TableFixture t = new TableFixture("wb_" + topology.label() + "_failover")) {
      CacheManager manager =
          new CascadeCachingProvider()
              .getCacheManager(URI.create(topology.uri()), getClass().getClassLoader());
      try {
        String name = WriteBehindTest.name("failover");
        WriteBehind<String, String> wb =
            WriteBehind.of(t.writerFactory()).maxDelay(Duration.ofMillis(100));
        if (replicaAck) {
          wb.replicaAck(1, Duration.ofSeconds(1));
        }
        Cache<String, String> cache = manager.createCache(name, WriteBehindTest.writeBehind(wb));
        FailoverLoad load = new FailoverLoad(cache, 4);
        RedisServer victim = topology.victim(name);
        Predicate<String> onVictim = topology.onVictim(name, victim);

        load.start();
        Thread.sleep(2_000);
        RedisServer replica = topology.replicaOf(victim);
        if (cutOffReplica) {
          signal(replica, "STOP");
          victim.command("CLIENT", "KILL", "TYPE", "replica");
          Thread.sleep(300);
        }
        topology.kill(victim);
        long killedAt = System.nanoTime();
        if (cutOffReplica) {
          signal(replica, "CONT");
        }
        RedisServer promoted = topology.awaitFailover(victim, Duration.ofSeconds(60));
        long failedOverAt = System.nanoTime();
        victim.restart(); // the cluster (the sentinels) make it the new primary's replica
        String backAs = awaitBackInReplication(victim);
        long replicaBackAt = System.nanoTime();
        Thread.sleep(5_000);
        load.stop();

        Map<String, String> rows = t.drained(cache, Duration.ofSeconds(120));
        FailoverLoad.Report r = load.report(rows, contents(cache, load.keys()));
        long resumed = load.resumedAfter(killedAt, onVictim);
        System.out.printf(
            "%s failover%s, replica ack %s: %s%n  killed primary %d, replica %d promoted after %d ms,"
                + " killed server back as %s after %d ms; failed puts from %d to %d ms after the kill; puts to the"
                + " killed primary's partitions started after the kill succeed from %d ms%n  failed puts by kind: %s%n",
            topology.label(),
            cutOffReplica ? " (replica cut off 300 ms before the kill)" : "",
            replicaAck ? "on (1 replica, 1 s)" : "off",
            r,
            victim.port(),
            promoted.port(),
            millis(failedOverAt - killedAt),
            backAs,
            millis(replicaBackAt - killedAt),
            r.failures == 0 ? -1 : millis(r.firstFailureAt - killedAt),
            r.failures == 0 ? -1 : millis(load.lastFailureAt() - killedAt),
            resumed < 0 ? -1 : millis(resumed - killedAt),
            r.errors);
        assertTrue(
            resumed > 0,
            "puts to the killed primary's partitions succeed again after the failover: " + r);
        return r;
      } finally {
        manager.close();
      }
    }
  }

  /** Sends SIGSTOP or SIGCONT to a redis-server process. */
  private static void signal(RedisServer node, String signal) throws Exception {
    Process kill =
        new ProcessBuilder("kill", "-" + signal, Long.toString(node.pid())).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill -" + signal + " " + node.pid());
  }

  /**
   * Waits until a restarted server is back in replication and says how: a replica in sync, or the
   * primary again with its replica online, when the (busy, two-core) machine made the failure
   * detector fail over a second time. Either way no acknowledged write may be lost.
   */
  private static String awaitBackInReplication(RedisServer node) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      Map<String, String> info;
      try {
        info = node.info("replication");
      } catch (FixtureException e) {
        // a sentinel turning the restarted node into a replica disconnects its clients (CLIENT
        // KILL TYPE normal), which can reset this probe's connection: ask again
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError(node + " did not answer INFO within 60 s after its restart", e);
        }
        Thread.sleep(100);
        continue;
      }
      if ("up".equals(info.get("master_link_status"))) {
        return "a replica";
      }
      if ("master".equals(info.get("role"))
          && info.getOrDefault("slave0", "").contains("state=online")) {
        return "the primary again (a second failover)";
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(node + " did not come back as a replica in sync: " + info);
      }
      Thread.sleep(100);
    }
  }

  /** The cache's entries for {@code keys}, read in chunks. */
  private static Map<String, String> contents(Cache<String, String> cache, Set<String> keys) {
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

  private static long millis(long nanos) {
    return nanos / 1_000_000;
  }
}
