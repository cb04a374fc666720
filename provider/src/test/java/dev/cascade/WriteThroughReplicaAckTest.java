package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.testing.Await;
import dev.cascade.testing.MapDatabase;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import dev.cascade.writebehind.WriteBehind;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replica acknowledgement for write-through caches ({@link CascadeConfiguration#setReplicaAck}): a
 * change returns only once a replica has it, so promoting that replica (a failover) keeps every
 * change that returned, and the cache agrees with the database; a change no replica confirms fails,
 * saying so, and its entry leaves the cache (the writer had written it).
 */
@WithRedis
@Timeout(120)
class WriteThroughReplicaAckTest {

  @Test
  void aChangeNoReplicaConfirms_failsSayingSo_andLeavesNoOldValue(RedisServer redis) {
    String name = Managers.uniqueName("wt-ack-missing");
    try (CacheManager manager = Managers.open(redis)) {
      Cache<String, String> cache = manager.createCache(name, acked(name, Duration.ofMillis(200)));

      CacheException put = assertThrows(CacheException.class, () -> cache.put("k", "v"));
      assertTrue(
          put.getMessage().contains("only 0 of 1 replica(s) acknowledged it within 200 ms"),
          put.getMessage());
      assertTrue(put.getMessage().contains("removed from the cache"), put.getMessage());
      assertTrue(put.getMessage().contains("a failover may bring back"), put.getMessage());

      // a batch stops waiting at its first unconfirmed key: the others are removed unapplied,
      // rather than each waiting the whole timeout under the batch's locks
      Map<String, String> batch = new HashMap<>();
      for (int i = 0; i < 20; i++) {
        batch.put("b" + i, "v" + i);
      }
      long waits = waitCalls(redis);
      assertThrows(CacheException.class, () -> cache.putAll(batch));
      assertEquals(1, waitCalls(redis) - waits, "WAITs for a batch of 20 without a replica");

      Map<String, String> table = MapDatabase.table(name);
      assertEquals("v", table.get("k"), "the writer wrote it");
      assertNull(cache.get("k"), "absent: the next read goes to the database");
      for (int i = 0; i < 20; i++) {
        assertEquals("v" + i, table.get("b" + i));
        assertNull(cache.get("b" + i));
      }
    }
  }

  @Test
  void everyChangeThatReturned_survivesAFailoverToTheReplica(RedisServer redis) {
    String name = Managers.uniqueName("wt-ack-failover");
    try (RedisServer replica =
        RedisServer.builder().replicaOf(redis.host(), redis.port()).start()) {
      awaitLinkUp(replica);
      Map<String, String> expected = new HashMap<>();
      try (CacheManager manager = Managers.open(redis)) {
        Cache<String, String> cache = manager.createCache(name, acked(name, Duration.ofSeconds(5)));
        for (int i = 0; i < 100; i++) {
          cache.put("k" + i, "v" + i);
          expected.put("k" + i, "v" + i);
        }
        for (int i = 0; i < 100; i += 3) {
          cache.remove("k" + i);
          expected.remove("k" + i);
        }
        cache.invoke(
            "k1",
            (entry, args) -> {
              entry.setValue("changed");
              return null;
            });
        expected.put("k1", "changed");

        // the replica stops answering: a change waits for it, then fails rather than return
        // with the change on the master only
        replica.pause();
        try {
          CacheException e =
              assertThrows(
                  CacheException.class,
                  () ->
                      manager.getCache(name, String.class, String.class).put("k2", "unconfirmed"));
          assertTrue(e.getMessage().contains("removed from the cache"), e.getMessage());
          expected.remove("k2"); // absent from the cache; the database has the new value
        } finally {
          replica.resume();
        }
        assertEquals("unconfirmed", MapDatabase.table(name).get("k2"));
      }

      // a failover: the replica becomes the master, once it has what it was sent (the removal
      // of k2 was sent while it was stopped; only the changes that returned are at stake here)
      long sent = Long.parseLong(redis.info("replication").get("master_repl_offset"));
      Await.until(
          "the replica has what the master sent",
          () -> Long.parseLong(replica.info("replication").get("slave_repl_offset")) >= sent);
      replica.command("REPLICAOF", "NO", "ONE");
      CacheManager promoted =
          new CascadeCachingProvider()
              .getCacheManager(URI.create(replica.uri()), getClass().getClassLoader());
      try {
        Cache<String, String> cache = promoted.getCache(name, String.class, String.class);
        Map<String, String> table = MapDatabase.table(name);
        for (int i = 0; i < 100; i++) {
          String key = "k" + i;
          String cached = cache.get(key);
          assertEquals(expected.get(key), cached, key + " on the promoted replica");
          assertTrue(
              cached == null || cached.equals(table.get(key)),
              key + ": the cache holds " + cached + ", the database " + table.get(key));
        }
      } finally {
        promoted.close();
      }
    }
  }

  @Test
  void replicaAck_isRefusedWhereThereIsNoWriteThroughWriterToProtect(RedisServer redis) {
    try (CacheManager manager = Managers.open(redis)) {
      CascadeConfiguration<String, String> plain =
          new CascadeConfiguration<String, String>()
              .setTypes(String.class, String.class)
              .setReplicaAck(1, Duration.ofSeconds(1));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> manager.createCache(Managers.uniqueName("wt-ack-plain"), plain));
      assertTrue(e.getMessage().contains("no writer"), e.getMessage());
      CascadeConfiguration<String, String> flagOnly =
          new CascadeConfiguration<String, String>()
              .setTypes(String.class, String.class)
              .setWriteThrough(true)
              .setReplicaAck(1, Duration.ofSeconds(1));
      e =
          assertThrows(
              IllegalArgumentException.class,
              () -> manager.createCache(Managers.uniqueName("wt-ack-flag"), flagOnly));
      assertTrue(e.getMessage().contains("no writer"), e.getMessage());

      String name = Managers.uniqueName("wt-ack-behind");
      CascadeConfiguration<String, String> behind =
          new CascadeConfiguration<String, String>()
              .setTypes(String.class, String.class)
              .setWriteThrough(true)
              .setCacheWriterFactory(
                  WriteBehind.of(MapDatabase.<String, String>writerFactory(name)).build())
              .setReplicaAck(1, Duration.ofSeconds(1));
      e = assertThrows(IllegalArgumentException.class, () -> manager.createCache(name, behind));
      assertTrue(e.getMessage().contains("WriteBehind.replicaAck"), e.getMessage());
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> new CascadeConfiguration<String, String>().setReplicaAck(-1, Duration.ofSeconds(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new CascadeConfiguration<String, String>().setReplicaAck(1, Duration.ZERO));
  }

  private static CascadeConfiguration<String, String> acked(String name, Duration timeout) {
    return new CascadeConfiguration<String, String>()
        .setTypes(String.class, String.class)
        .setWriteThrough(true)
        .setCacheWriterFactory(MapDatabase.writerFactory(name))
        .setReplicaAck(1, timeout);
  }

  /** How many {@code WAIT}s the server has run. */
  private static long waitCalls(RedisServer redis) {
    String stat = redis.info("commandstats").get("cmdstat_wait");
    if (stat == null) {
      return 0;
    }
    String calls = stat.substring(stat.indexOf("calls=") + 6);
    return Long.parseLong(calls.substring(0, calls.indexOf(',')));
  }

  private static void awaitLinkUp(RedisServer replica) {
    Await.until(
        "the replica is in sync",
        () -> "up".equals(replica.info("replication").get("master_link_status")));
  }
}
