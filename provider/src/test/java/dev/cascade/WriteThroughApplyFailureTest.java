package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.integration.CacheWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The step after a write-through writer wrote can fail: the key's lock lease ran out under a slow
 * writer (of one key or of a whole {@code putAll}), the writer returned with its thread
 * interrupted, Redis answered the change with an error. The database then holds the writer's value
 * and the cache may still hold the old one, which no read would ever correct (a read loads only
 * what is absent). Whatever failed, every key the writer wrote ends up with the database's value or
 * absent from the cache, and the caller hears what happened.
 */
@WithRedis
@Timeout(60)
class WriteThroughApplyFailureTest {

  /** The database: one map, as the JVMs of an application would share one table. */
  static final Map<String, String> TABLE = new ConcurrentHashMap<>();

  /** Runs in the writer after it wrote each value: what the test makes go wrong then. */
  static volatile Consumer<String> afterWrite = value -> {};

  /** Runs in the writer before a batch: what the test makes go wrong then. */
  static volatile Runnable beforeBatch = () -> {};

  @AfterEach
  void reset() {
    TABLE.clear();
    afterWrite = value -> {};
    beforeBatch = () -> {};
  }

  @Test
  void aBatchWriterThatOutlivesItsLeases_leavesNoKeyWithItsOldValue(RedisServer redis) {
    try (CacheManager manager = Managers.open(redis)) {
      Cache<String, String> cache =
          manager.createCache(Managers.uniqueName("batch-lease"), config());
      cache.putAll(fiveKeys("old"));
      beforeBatch = () -> sleep(700); // the batch's leases (300 ms) run out before it writes

      CacheException e = assertThrows(CacheException.class, () -> cache.putAll(fiveKeys("new")));
      assertTrue(e.getMessage().contains("lock of 5 keys"), e.getMessage());
      for (int i = 0; i < 5; i++) {
        assertEquals("new", TABLE.get("k" + i), "the writer wrote k" + i);
        assertAgrees(cache, "k" + i);
      }
    }
  }

  @Test
  void aWriterInterruptedAfterItsLeaseRanOut_leavesNoOldValue(RedisServer redis) {
    try (CacheManager manager = Managers.open(redis)) {
      Cache<String, String> cache =
          manager.createCache(Managers.uniqueName("interrupted-late"), config());
      cache.put("k", "old");
      afterWrite =
          value -> {
            sleep(700); // the lease (300 ms) runs out
            Thread.currentThread().interrupt(); // as a pool or driver that restores the flag
          };

      try {
        CacheException e = assertThrows(CacheException.class, () -> cache.put("k", "new"));
        assertTrue(e.getMessage().contains("lock of a key"), e.getMessage());
        assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
      } finally {
        Thread.interrupted();
      }
      afterWrite = value -> {};
      assertEquals("new", TABLE.get("k"));
      assertAgrees(cache, "k");
    }
  }

  @Test
  void aWriterInterruptedWithinItsLease_changesTheCacheAsTheDatabase(RedisServer redis) {
    try (CacheManager manager = Managers.open(redis)) {
      Cache<String, String> cache =
          manager.createCache(Managers.uniqueName("interrupted-early"), config());
      cache.put("k", "old");
      afterWrite = value -> Thread.currentThread().interrupt();

      try {
        cache.put("k", "new"); // the change was sent: the caller hears how it ended
        assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
      } finally {
        Thread.interrupted();
      }
      afterWrite = value -> {};
      assertEquals("new", TABLE.get("k"));
      assertEquals("new", cache.get("k"));
    }
  }

  @Test
  void aRedisErrorAfterTheWriterWrote_removesTheEntry_andSaysWhy(RedisServer redis) {
    try (CacheManager manager = Managers.open(redis)) {
      String name = Managers.uniqueName("error-after-write");
      Cache<String, String> cache = manager.createCache(name, config());
      cache.put("k", "old");
      cache.put("p", "old");
      // another program puts a string where the entry is: Redis answers the change WRONGTYPE
      afterWrite =
          value -> EntryKeys.replaceByAString(redis, name, value.equals("new-k") ? ":k" : ":p");

      CacheException put = assertThrows(CacheException.class, () -> cache.put("k", "new-k"));
      assertTrue(put.getMessage().contains("after the writer had written it"), put.getMessage());
      assertTrue(put.getMessage().contains("removed from the cache"), put.getMessage());
      assertTrue(put.getMessage().contains("WRONGTYPE"), put.getMessage());

      CacheException invoke =
          assertThrows(
              CacheException.class,
              () ->
                  cache.invoke(
                      "p",
                      (entry, args) -> {
                        entry.setValue("new-p");
                        return null;
                      }));
      assertTrue(messages(invoke).contains("after the writer had written it"), messages(invoke));
      afterWrite = value -> {};
      assertEquals("new-k", TABLE.get("k"));
      assertEquals("new-p", TABLE.get("p"));
      assertNull(cache.get("k"), "k is absent: the next read goes to the database");
      assertNull(cache.get("p"), "p is absent: the next read goes to the database");
      assertEquals(
          List.of(), EntryKeys.endingIn(redis, name, ":k"), "the planted string was removed");
    }
  }

  @Test
  void aRedisErrorWhereNoWriterRan_isReportedAsItIs(RedisServer redis) {
    try (CacheManager manager = Managers.open(redis)) {
      String name = Managers.uniqueName("error-plain");
      Cache<String, String> cache =
          manager.createCache(
              name,
              new javax.cache.configuration.MutableConfiguration<String, String>()
                  .setTypes(String.class, String.class));
      cache.put("k", "old");

      // read, then the bytes change under the processor: the change fails, with no writer called
      CacheException e =
          assertThrows(
              CacheException.class,
              () ->
                  cache.invoke(
                      "k",
                      (entry, args) -> {
                        EntryKeys.replaceByAString(redis, name, ":k");
                        entry.setValue("new");
                        return null;
                      }));
      assertTrue(messages(e).contains("WRONGTYPE"), messages(e));
      assertTrue(
          !messages(e).contains("writer"), "no writer ran, none is mentioned: " + messages(e));
    }
  }

  private static void assertAgrees(Cache<String, String> cache, String key) {
    String cached = cache.get(key);
    assertTrue(
        cached == null || cached.equals(TABLE.get(key)),
        key + ": the cache holds " + cached + " while the database holds " + TABLE.get(key));
  }

  /** The message of an exception and of its causes (invoke wraps what its step threw). */
  private static String messages(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append(" / ");
    }
    return all.toString();
  }

  private static Map<String, String> fiveKeys(String value) {
    Map<String, String> all = new LinkedHashMap<>();
    for (int i = 0; i < 5; i++) {
      all.put("k" + i, value);
    }
    return all;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static CascadeConfiguration<String, String> config() {
    CascadeConfiguration<String, String> c = new CascadeConfiguration<>();
    c.setTypes(String.class, String.class);
    c.setWriteThrough(true);
    c.setCacheWriterFactory(new FactoryBuilder.SingletonFactory<>(new Hooked()));
    c.setLockLease(Duration.ofMillis(300));
    return c;
  }

  /** Writes to {@link #TABLE}, running the test's hooks. */
  static final class Hooked implements CacheWriter<String, String> {
    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      TABLE.put(entry.getKey(), entry.getValue());
      afterWrite.accept(entry.getValue());
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      beforeBatch.run();
      for (Cache.Entry<? extends String, ? extends String> entry : entries) {
        TABLE.put(entry.getKey(), entry.getValue());
      }
      entries.clear();
    }

    @Override
    public void delete(Object key) {
      TABLE.remove(key);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      keys.forEach(TABLE::remove);
      keys.clear();
    }
  }
}
