package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCachingProvider;
import dev.cascade.testing.RedisSentinelGroup;
import dev.cascade.testing.RedisServer;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The primary of a Sentinel group is SIGKILLed while four threads write behind: the sentinels
 * promote the replica, the callers see exceptions for a while, then the writes go on against the new
 * primary. With replica acknowledgement every put that returned normally reaches the database;
 * without it, the test measures what is lost. Each test has a group of its own (after the failover
 * the killed server comes back as the new primary's replica).
 */
@Timeout(300)
class SentinelFailoverTest {

  @Test
  void primaryKilled_withReplicaAck_everyAcknowledgedPutReachesTheDatabase() throws Exception {
    FailoverLoad.Report r = run(true, false);
    assertEquals(0, r.lostAcknowledged, "puts that returned normally but are missing from the database: " + r);
  }

  @Test
  void primaryKilled_withoutReplicaAck_measuresWhatIsLost() throws Exception {
    FailoverLoad.Report r = run(false, false);
    assertTrue(r.acknowledged > 0, "writes went on: " + r);
  }

  /** As in {@link ClusterFailoverTest}: the replica is cut off (link closed, SIGSTOP) 300 ms before the kill. */
  @Test
  void primaryKilledWhileItsReplicaIsCutOff_withReplicaAck_everyAcknowledgedPutReachesTheDatabase() throws Exception {
    FailoverLoad.Report r = run(true, true);
    assertEquals(0, r.lostAcknowledged, "puts that returned normally but are missing from the database: " + r);
  }

  @Test
  void primaryKilledWhileItsReplicaIsCutOff_withoutReplicaAck_measuresWhatIsLost() throws Exception {
    FailoverLoad.Report r = run(false, true);
    assertTrue(r.acknowledged > 0, "writes went on: " + r);
  }

  private FailoverLoad.Report run(boolean replicaAck, boolean cutOffReplica) throws Exception {
    try (RedisSentinelGroup group = RedisSentinelGroup.start(); TableFixture t = new TableFixture("wb_sentinel_failover")) {
      String uri = group.sentinelUri().replace("#", "?timeout=2s#");
      CacheManager manager = new CascadeCachingProvider().getCacheManager(URI.create(uri), getClass().getClassLoader());
      try {
        String name = WriteBehindTest.name("failover");
        WriteBehind<String, String> wb = WriteBehind.of(t.writerFactory()).maxDelay(Duration.ofMillis(100));
        if (replicaAck) {
          wb.replicaAck(1, Duration.ofSeconds(1));
        }
        Cache<String, String> cache = manager.createCache(name, WriteBehindTest.writeBehind(wb));
        FailoverLoad load = new FailoverLoad(cache, 4);

        load.start();
        Thread.sleep(2_000);
        RedisServer replica = group.replica();
        if (cutOffReplica) {
          ClusterFailoverTest.signal(replica, "STOP");
          group.primary().command("CLIENT", "KILL", "TYPE", "replica");
          Thread.sleep(300);
        }
        RedisServer victim = group.killPrimary(); // SIGKILL; returns once the process is gone
        long killedAt = System.nanoTime();
        if (cutOffReplica) {
          ClusterFailoverTest.signal(replica, "CONT");
        }
        RedisServer promoted = group.awaitFailover(Duration.ofSeconds(60));
        long failedOverAt = System.nanoTime();
        victim.restart(); // the sentinels make it the new primary's replica
        String backAs = ClusterFailoverTest.awaitBackInReplication(victim);
        long replicaBackAt = System.nanoTime();
        Thread.sleep(5_000);
        load.stop();

        Map<String, String> rows = t.drained(cache, Duration.ofSeconds(120));
        Map<String, String> inCache = ClusterFailoverTest.contents(cache, load.keys());
        FailoverLoad.Report r = load.report(rows, inCache);
        long resumed = load.resumedAfter(killedAt, key -> true);
        System.out.printf("sentinel failover%s, replica ack %s: %s%n  killed primary %d, replica %d promoted after %d ms,"
            + " killed server back as %s after %d ms; failed puts from %d to %d ms after the kill; puts started"
            + " after the kill succeed from %d ms%n  failed puts by kind: %s%n",
            cutOffReplica ? " (replica cut off 300 ms before the kill)" : "", replicaAck ? "on (1 replica, 1 s)" : "off",
            r, victim.port(), promoted.port(),
            ClusterFailoverTest.millis(failedOverAt - killedAt), backAs, ClusterFailoverTest.millis(replicaBackAt - killedAt),
            r.failures == 0 ? -1 : ClusterFailoverTest.millis(r.firstFailureAt - killedAt),
            r.failures == 0 ? -1 : ClusterFailoverTest.millis(load.lastFailureAt() - killedAt),
            resumed < 0 ? -1 : ClusterFailoverTest.millis(resumed - killedAt), r.errors);
        assertTrue(resumed > 0, "puts succeed again after the failover: " + r);
        return r;
      } finally {
        manager.close();
      }
    }
  }
}
