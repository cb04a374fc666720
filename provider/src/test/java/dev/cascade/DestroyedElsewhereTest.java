package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.Await;
import dev.cascade.testing.LogCapture;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import dev.cascade.writebehind.WriteBehind;
import java.io.Closeable;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
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

      // created again with other settings: accepted (the closed handle can write nothing into it)
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
  void aRegistryEntryLostInARestart_isWrittenAgain_andOtherSettingsAreStillRefused(
      RedisServer redis) {
    String name = Managers.uniqueName("lost");
    try (LogCapture log = LogCapture.of("dev.cascade", Level.WARNING);
        CacheManager manager = Managers.open(redis);
        CacheManager other = Managers.open(redis)) {
      Cache<String, String> cache = manager.createCache(name, strings());
      cache.put("k", "v");

      redis.restart(); // without persistence: every key is gone, connections are reset

      Await.until(
          "the registry entry written again",
          () -> Long.valueOf(1).equals(redis.command("EXISTS", "cascade:" + name + ":meta")));
      assertFalse(cache.isClosed(), "a lost registry entry is not a destroyed cache");
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
  void aCacheCreatedAgainWithTheSameSettings_staysOpenHere_andWithOtherSettingsCloses(
      RedisServer redis) {
    String name = Managers.uniqueName("again");
    String meta = "cascade:" + name + ":meta";
    try (LogCapture log = LogCapture.of("dev.cascade", Level.WARNING);
        CacheManager manager = Managers.open(redis)) {
      Cache<String, String> cache = manager.createCache(name, strings());
      cache.put("k", "v");
      // Redis lost the record, and a JVM that just started created the cache again, with the
      // same settings, before this one wrote it back: a record with another attempt's token
      @SuppressWarnings("unchecked")
      List<Object> record = (List<Object>) redis.command("HGETALL", meta);
      redis.command("FLUSHALL");
      List<String> again = new ArrayList<>();
      for (int i = 0; i < record.size(); i += 2) {
        again.add(record.get(i).toString());
        again.add(
            "recordedBy".equals(record.get(i).toString())
                ? "another-attempt"
                : record.get(i + 1).toString());
      }
      again.add(0, meta);
      again.add(0, "HSET");
      redis.command(again.toArray(new String[0]));
      redis.command("PUBLISH", "cascade:" + name + "#control", "listeners");

      // a check reads the record (HGETALL) after it was written: it takes the new record for its
      // own, so the record it writes back, should Redis lose it again, names the other attempt
      long readsBefore = recordReads(redis);
      Await.until("a check after the new record", () -> recordReads(redis) > readsBefore);
      redis.command("DEL", meta);
      Await.until(
          "the record written back with the new token",
          () -> "another-attempt".equals(redis.command("HGET", meta, "recordedBy")));
      assertFalse(cache.isClosed(), "created again with settings it agrees with: still open");
      assertTrue(log.messages(Level.WARNING, "Closed cache").isEmpty(), log.describe());
      cache.put("k", "v2");
      assertEquals("v2", cache.get("k"));

      // created again with other types
      redis.command("HSET", meta, "valueType", "java.lang.Long", "recordedBy", "a-third-attempt");
      redis.command("PUBLISH", "cascade:" + name + "#control", "listeners");
      Await.until("the handle closed", cache::isClosed);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> cache.get("k"));
      assertTrue(e.getMessage().contains("other settings"), e.getMessage());
    }
  }

  @Test
  void aCreateCacheWhileADestroyIsStillDeleting_isRefused_andAJoinFindsNothing(RedisServer redis) {
    String name = Managers.uniqueName("deleting");
    String meta = "cascade:" + name + ":meta";
    try (CacheManager destroying = Managers.open(redis);
        CacheManager creating = Managers.open(redis)) {
      destroying.createCache(name, strings()).put("k", "v");
      // a destroyCache that marked the cache and is still deleting its keys: its lease is live
      long now = System.currentTimeMillis(); // as Redis's TIME: the test's server is on this host
      redis.command("DEL", meta);
      redis.command(
          "HSET", meta, "destroyed", Long.toString(now), "deleting:a", Long.toString(now + 60_000));

      CacheException refused =
          assertThrows(CacheException.class, () -> creating.createCache(name, strings()));
      assertTrue(refused.getMessage().contains("not all of its keys"), refused.getMessage());
      assertTrue(refused.getMessage().contains("destroyCache"), refused.getMessage());
      assertNull(creating.getCache(name), "a destroyed cache is not joined");

      // a second destroyCache runs to the end while the first still deletes: still refused, and
      // the mark expires some time after the first one's lease would end
      creating.destroyCache(name);
      refused = assertThrows(CacheException.class, () -> creating.createCache(name, strings()));
      assertTrue(refused.getMessage().contains("not all of its keys"), refused.getMessage());
      long ttl = (Long) redis.command("PTTL", meta);
      assertTrue(ttl > 60_000 && ttl <= 60_000 + 10 * 60_000, "PTTL " + ttl);

      // the first one's JVM stopped: its lease runs out, and the name is free
      redis.command("HSET", meta, "deleting:a", Long.toString(now - 1));
      Cache<String, String> created = creating.createCache(name, strings());
      assertNull(created.get("k"), "the destroyed cache's entries are gone");
      created.put("k", "new");
      assertEquals("new", created.get("k"));
    }
  }

  @Test
  void aDestroyThatStoppedHalfway_keepsTheNameUntilDestroyCacheRunsAgain(RedisServer redis) {
    String name = Managers.uniqueName("halfway");
    String meta = "cascade:" + name + ":meta";
    try (CacheManager manager = Managers.open(redis)) {
      manager.createCache(name, strings()).put("k", "v");
      // a destroyCache whose JVM stopped while it deleted: its lease ran out, nothing finished
      long now = System.currentTimeMillis();
      redis.command("DEL", meta);
      redis.command("HSET", meta, "destroyed", Long.toString(now), "deleting:a", "1");

      assertThrows(CacheException.class, () -> manager.createCache(name, strings()));
      assertEquals(-1L, redis.command("PTTL", meta), "an unfinished destroy's mark never expires");

      manager.destroyCache(name);
      assertEquals(0L, redis.command("HEXISTS", meta, "deleting:a"), "the stopped one's lease");
      assertTrue((Long) redis.command("PTTL", meta) > 0, "the mark expires once finished");
      Cache<String, String> created = manager.createCache(name, strings());
      assertNull(created.get("k"), "the destroyed cache's entries are gone");
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
                      WriteBehind.of(new DownWriterFactory(name))
                          .maxDelay(Duration.ofMillis(50))
                          .backoff(Duration.ofMinutes(1), Duration.ofMinutes(1))
                          .drainTimeout(Duration.ofMinutes(10))
                          .build()));
      cache.put("k1", "v1");
      cache.put("k2", "v2");
      Await.until("the writer called", () -> CALLED.contains(name));

      // the first steps of a destroyCache elsewhere, the mark and the notice, before it deletes
      // the queue and the flush leases (whose loss would also end the drain)
      String meta = "cascade:" + name + ":meta";
      redis.command("DEL", meta);
      redis.command("HSET", meta, "destroyed", Long.toString(System.currentTimeMillis()));
      redis.command("PUBLISH", "cascade:" + name + "#control", "destroyed");

      Await.until("the writing manager's handle closed", cache::isClosed);
      // the close ends with the writer closed: after any drain
      Await.until("the close ended", () -> WRITERS_CLOSED.contains(name));

      destroying.destroyCache(name); // the rest, from a manager that never opened the cache
      assertNull(destroying.getCache(name));
      assertEquals(
          List.of("cascade:" + name + ":meta"),
          redis.command("KEYS", "cascade:" + name + "*"),
          "only the mark is left");
      assertEquals(1L, redis.command("HEXISTS", meta, "finished"), "the deletion finished");
    }
  }

  @Test
  void aCloseThatHangs_doesNotHoldUpTheChecksOfTheOtherCaches(RedisServer redis) {
    String hanging = Managers.uniqueName("hangingClose");
    String next = Managers.uniqueName("next");
    CountDownLatch release = new CountDownLatch(1);
    RELEASES.put(hanging, release);
    try (CacheManager manager = Managers.open(redis);
        CacheManager destroying = Managers.open(redis)) {
      try {
        MutableConfiguration<String, String> readThrough = strings().setReadThrough(true);
        readThrough.setCacheLoaderFactory(new HangingCloseLoaderFactory(hanging));
        Cache<String, String> first = manager.createCache(hanging, readThrough);
        Cache<String, String> second = manager.createCache(next, strings());

        destroying.destroyCache(hanging);
        Await.until("the first handle closed", first::isClosed);
        Await.until("its loader's close() called (it hangs)", () -> CLOSING.contains(hanging));

        destroying.destroyCache(next);
        Await.until("the second handle closed while the first one's close hangs", second::isClosed);
      } finally {
        release.countDown();
      }
    } finally {
      RELEASES.remove(hanging);
    }
  }

  /** How many times Redis ran {@code HGETALL}: a check of a record reads it so. */
  private static long recordReads(RedisServer redis) {
    String stats = redis.info("commandstats").getOrDefault("cmdstat_hgetall", "calls=0,");
    return Long.parseLong(stats.substring("calls=".length(), stats.indexOf(',')));
  }

  private static MutableConfiguration<String, String> strings() {
    return new MutableConfiguration<String, String>().setTypes(String.class, String.class);
  }

  /** The caches whose writer was called, and those whose writer was closed. */
  static final Set<String> CALLED = ConcurrentHashMap.newKeySet();

  static final Set<String> WRITERS_CLOSED = ConcurrentHashMap.newKeySet();

  /** A writer whose database is down: every call fails. */
  public static final class DownWriterFactory
      implements Factory<CacheWriter<String, String>>, Serializable {
    private static final long serialVersionUID = 1L;
    private final String cacheName;

    DownWriterFactory(String cacheName) {
      this.cacheName = cacheName;
    }

    @Override
    public CacheWriter<String, String> create() {
      return new DownWriter(cacheName);
    }
  }

  /** Every call fails; says when it is closed. */
  static final class DownWriter implements CacheWriter<String, String>, Closeable {
    private final String cacheName;

    DownWriter(String cacheName) {
      this.cacheName = cacheName;
    }

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

    @Override
    public void close() {
      WRITERS_CLOSED.add(cacheName);
    }

    private void down() {
      CALLED.add(cacheName);
      throw new IllegalStateException("the database is down");
    }
  }

  static final Map<String, CountDownLatch> RELEASES = new ConcurrentHashMap<>();
  static final Set<String> CLOSING = ConcurrentHashMap.newKeySet();

  /** A loader whose close() hangs until its test releases it (at most a minute). */
  public static final class HangingCloseLoaderFactory
      implements Factory<CacheLoader<String, String>>, Serializable {
    private static final long serialVersionUID = 1L;
    private final String cacheName;

    HangingCloseLoaderFactory(String cacheName) {
      this.cacheName = cacheName;
    }

    @Override
    public CacheLoader<String, String> create() {
      return new HangingCloseLoader(cacheName);
    }
  }

  static final class HangingCloseLoader implements CacheLoader<String, String>, Closeable {
    private final String cacheName;

    HangingCloseLoader(String cacheName) {
      this.cacheName = cacheName;
    }

    @Override
    public String load(String key) {
      return null;
    }

    @Override
    public Map<String, String> loadAll(Iterable<? extends String> keys) {
      return Map.of();
    }

    @Override
    public void close() {
      CLOSING.add(cacheName);
      try {
        RELEASES.get(cacheName).await(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
