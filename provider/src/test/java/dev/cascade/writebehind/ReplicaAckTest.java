package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCachingProvider;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replica acknowledgement on a server that has no replica: every change is applied (and queued) but
 * fails, saying so, because no replica confirmed it. With a replica, it returns normally.
 */
@WithRedis
@Timeout(120)
class ReplicaAckTest {

  @Test
  void put_withoutTheReplicasAskedFor_throwsSayingTheChangeIsOnlyOnTheMaster(RedisServer redis) {
    CacheManager manager =
        new CascadeCachingProvider()
            .getCacheManager(URI.create(redis.uri()), getClass().getClassLoader());
    try (TableFixture t = new TableFixture("wb_ack_missing")) {
      Cache<String, String> cache =
          manager.createCache(
              WriteBehindTest.name("ack"),
              WriteBehindTest.writeBehind(
                  WriteBehind.of(t.writerFactory())
                      .maxDelay(Duration.ofMillis(50))
                      .replicaAck(1, Duration.ofMillis(200))));

      CacheException e = assertThrows(CacheException.class, () -> cache.put("k", "v"));
      assertTrue(
          e.getMessage()
              .contains(
                  "applied the change, but only 0 of 1 replica(s) acknowledged it within 200 ms"),
          e.getMessage());
      assertThrows(CacheException.class, () -> cache.putAll(Map.of("a", "1", "b", "2")));
      assertThrows(CacheException.class, () -> cache.remove("b"));

      // applied on the master, and queued: the writer gets it all the same
      assertEquals("v", cache.get("k"));
      assertEquals(Map.of("k", "v", "a", "1"), t.drained(cache, Duration.ofSeconds(30)));
    } finally {
      manager.close();
    }
  }

  @Test
  void put_withAReplica_returnsNormally(RedisServer redis) {
    try (RedisServer replica = RedisServer.builder().replicaOf(redis.host(), redis.port()).start();
        TableFixture t = new TableFixture("wb_ack_present")) {
      awaitLinkUp(replica);
      CacheManager manager =
          new CascadeCachingProvider()
              .getCacheManager(URI.create(redis.uri()), getClass().getClassLoader());
      try {
        Cache<String, String> cache =
            manager.createCache(
                WriteBehindTest.name("ack"),
                WriteBehindTest.writeBehind(
                    WriteBehind.of(t.writerFactory())
                        .maxDelay(Duration.ofMillis(50))
                        .replicaAck(1, Duration.ofSeconds(5))));
        cache.put("k", "v");
        cache.putAll(Map.of("a", "1", "b", "2"));
        cache.remove("b");
        assertEquals(Map.of("k", "v", "a", "1"), t.drained(cache, Duration.ofSeconds(30)));
      } finally {
        manager.close();
      }
    }
  }

  @Test
  void replicaAck_rejectsNegativeReplicasAndNonPositiveTimeouts() {
    WriteBehind<String, String> wb = WriteBehind.of(() -> null);
    assertThrows(IllegalArgumentException.class, () -> wb.replicaAck(-1, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> wb.replicaAck(1, Duration.ZERO));
    assertEquals(0, WriteBehind.settingsOf(wb.build()).replicaAcks(), "off by default");
    assertEquals(
        2, WriteBehind.settingsOf(wb.replicaAck(2, Duration.ofMillis(300)).build()).replicaAcks());
  }

  private static void awaitLinkUp(RedisServer replica) {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!"up".equals(replica.info("replication").get("master_link_status"))) {
      assertTrue(
          System.currentTimeMillis() < deadline,
          "the replica did not sync: " + replica.info("replication"));
      TableFixture.sleep(50);
    }
  }
}
