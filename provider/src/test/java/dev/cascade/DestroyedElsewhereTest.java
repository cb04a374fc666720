package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.Await;
import dev.cascade.testing.LogCapture;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import dev.cascade.writebehind.WriteBehind;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheWriter;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code destroyCache} in one CacheManager (standing for one JVM) closes the cache in every other
 * one that has it open: their calls fail saying it was destroyed, instead of writing into a cache
 * that no longer has a registry entry (which let a later {@code createCache} with other settings
 * share its keys). Redis losing the registry entry (a restart without persistence, {@code
 * FLUSHALL}) is not taken for a destroy: the JVMs that have the cache open write it again.
 */
@WithRedis
@Timeout(120)
class DestroyedElsewhereTest {

  @Test
  void aCacheDestroyedInAnotherManager_isClosedThere_andItsNameIsFreeForOtherSettings(
      RedisServer redis) {
    String name = Managers.uniqueName("destroyed");
    try (LogCapture log = LogCapture.of("dev.cascade", Level.WARNING);
        CacheManager first = Managers.open(redis);
        CacheManager second = Managers.open(redis)) {
      first.createCache(name, strings());
      Cache<String, String> there = second.getCache(name, String.class, String.class);
      there.put("k", "v");

      first.destroyCache(name);

      Await.until("the other manager's handle closed", there::isClosed);
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> there.put("k", "again"));
      assertTrue(e.getMessage().contains("'" + name + "'"), e.getMessage());
      assertTrue(e.getMessage().contains("destroyed"), e.getMessage());
      assertNull(second.getCache(name), "no cache of that name until it is created again");
      assertEquals(1, log.messages(Level.WARNING, "Closed cache '" + name + "'").size());

      // created again with other settings: accepted, and the old handle writes nothing into it
      MutableConfiguration<Long, Long> longs =
          new MutableConfiguration<Long, Long>().setTypes(Long.class, Long.class);
      first.createCache(name, longs).put(1L, 2L);
      assertEquals(2L, second.getCache(name, Long.class, Long.class).get(1L));
      assertEquals(
          0L,
          redis.command("HEXISTS", "cascade:" + name + ":meta", "destroyed"),
          "the registry entry is a record again, not the mark");
    }
  }

  @Test
  void aDestroyWhoseNoticeWasLost_isFoundByThePeriodicCheck(RedisServer redis) {
    String name = Managers.uniqueName("unnoticed");
    try (CacheManager manager = Managers.open(redis)) {
      Cache<String, String> cache = manager.createCache(name, strings());
      cache.put("k", "v");
      // what destroyCache writes, without its notice on the control channel (a subscriber that
      // was disconnected at that moment never hears it)
      String meta = "cascade:" + name + ":meta";
      redis.command("DEL", meta);
      redis.command("HSET", meta, "destroyed", Long.toString(System.currentTimeMillis()));

      Await.until("the handle closed by the periodic check", cache::isClosed);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> cache.get("k"));
      assertTrue(e.getMessage().contains("destroyed"), e.getMessage());
    }
  }

  @Test
  void aRegistryEntryRedisLost_isWrittenAgain_andOtherSettingsAreStillRefused(RedisServer redis) {
    String name = Managers.uniqueName("lost");
    try (LogCapture log = LogCapture.of("dev.cascade", Level.WARNING);
        CacheManager manager = Managers.open(redis);
        CacheManager other = Managers.open(redis)) {
      Cache<String, String> cache = manager.createCache(name, strings());
      cache.put("k", "v");

      redis.command("FLUSHALL");

      Await.until(
          "the registry entry written again",
          () -> Long.valueOf(1).equals(redis.command("EXISTS", "cascade:" + name + ":meta")));
      cache.put("k", "v2");
      assertEquals("v2", cache.get("k"), "the cache is still open and works");
      CacheException refused =
          assertThrows(
              CacheException.class,
              () ->
                  other.createCache(
                      name,
                      new MutableConfiguration<Long, Long>().setTypes(Long.class, Long.class)));
      assertTrue(refused.getMessage().contains("other settings"), refused.getMessage());
      assertTrue(
          log.messages(Level.WARNING, "was missing").stream().anyMatch(m -> m.contains(name)),
          log.describe());
    }
  }

  @Test
  void aWriteBehindCacheDestroyedElsewhere_closesWithoutWaitingForADrainThatCannotEnd(
      RedisServer redis) throws Exception {
    String name = Managers.uniqueName("destroyedQueue");
    try (CacheManager writing = Managers.open(redis);
        CacheManager destroying = Managers.open(redis)) {
      // the database is down, and the next attempt a minute away: this JVM's queue cannot drain,
      // and its drain timeout is far longer than the test may wait
      Cache<String, String> cache =
          writing.createCache(
              name,
              strings()
                  .setWriteThrough(true)
                  .setCacheWriterFactory(
                      WriteBehind.of(new DownWriterFactory())
                          .maxDelay(Duration.ofMillis(50))
                          .backoff(Duration.ofMinutes(1), Duration.ofMinutes(1))
                          .drainTimeout(Duration.ofMinutes(10))
                          .build()));
      cache.put("k1", "v1");
      cache.put("k2", "v2");
      Await.until("the writer called", () -> CALLED.getCount() == 0);

      // the first steps of a destroyCache elsewhere, the mark and the notice, before it deletes
      // the queue and the flush leases (whose loss would also end the drain)
      String meta = "cascade:" + name + ":meta";
      redis.command("DEL", meta);
      redis.command("HSET", meta, "destroyed", Long.toString(System.currentTimeMillis()));
      redis.command("PUBLISH", "cascade:" + name + "#control", "destroyed");

      Await.until("the writing manager's handle closed", cache::isClosed);
      // the close ends with the cache's write-behind MBean going away: after any drain
      ObjectName queue =
          new ObjectName("dev.cascade:type=WriteBehind,Cache=" + name + ",CacheManager=*");
      Await.until(
          "the close ended",
          () -> ManagementFactory.getPlatformMBeanServer().queryNames(queue, null).isEmpty());

      destroying.destroyCache(name); // the rest, from a manager that never opened the cache
      assertNull(destroying.getCache(name));
      assertEquals(
          List.of(meta),
          redis.command("KEYS", "cascade:" + name + "*"),
          "only the mark is left: the closed flusher made no stream or lease again");
    }
  }

  private static MutableConfiguration<String, String> strings() {
    return new MutableConfiguration<String, String>().setTypes(String.class, String.class);
  }

  static final CountDownLatch CALLED = new CountDownLatch(1);

  /** A writer whose database is down: every call fails. */
  public static final class DownWriterFactory
      implements Factory<CacheWriter<String, String>>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public CacheWriter<String, String> create() {
      return new CacheWriter<>() {
        @Override
        public void write(Cache.Entry<? extends String, ? extends String> entry) {
          down();
        }

        @Override
        public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
          down();
        }

        @Override
        public void delete(Object key) {
          down();
        }

        @Override
        public void deleteAll(Collection<?> keys) {
          down();
        }
      };
    }

    private static void down() {
      CALLED.countDown();
      throw new IllegalStateException("the database is down");
    }
  }
}
