package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.Await;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import dev.cascade.writebehind.WriteBehind;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cache closed and opened again in the same CacheManager. Its changes go through the same
 * operation log in Redis as before, so the new handle must not reuse an id the log still holds (it
 * would be answered with the old call's reply and change nothing). And {@code getCache} opens it as
 * it was created, writer included, unless it was destroyed or created again with other settings.
 */
@WithRedis
@Timeout(60)
class ReopenedCacheTest {

  @Test
  void remove_afterCloseAndReopen_removesEveryKey(RedisServer redis) {
    CacheManager manager = Managers.open(redis);
    String name = Managers.uniqueName("reopened");
    MutableConfiguration<String, String> config =
        new MutableConfiguration<String, String>().setTypes(String.class, String.class);
    try {
      Cache<String, String> first = manager.createCache(name, config);
      for (int i = 0; i < 200; i++) {
        assertTrue(first.putIfAbsent("a" + i, "v"));
      }
      first.close();

      // the same keys in the same order: the n-th call of the new handle goes to the partition of
      // the old handle's n-th call, where the log still holds that call's reply
      Cache<String, String> again = manager.getCache(name, String.class, String.class);
      List<String> lost = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        boolean removed = again.remove("a" + i);
        if (!removed || again.get("a" + i) != null) {
          lost.add("a" + i + (removed ? " (answered true, still there)" : " (answered false)"));
        }
      }
      assertEquals(List.of(), lost, "removes of the reopened cache that did not take effect");
    } finally {
      manager.close();
    }
  }

  /** The database of the writer below: what a write-through put reached. */
  static final Map<String, String> TABLE = new ConcurrentHashMap<>();

  /** Writes into {@link #TABLE}. */
  public static final class TableWriter implements CacheWriter<String, String> {
    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      TABLE.put(entry.getKey(), entry.getValue());
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> es) {
      es.forEach(this::write);
      es.clear();
    }

    @Override
    public void delete(Object key) {
      TABLE.remove(key);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      keys.forEach(this::delete);
      keys.clear();
    }
  }

  private static MutableConfiguration<String, String> writingThrough() {
    return new MutableConfiguration<String, String>()
        .setTypes(String.class, String.class)
        .setWriteThrough(true)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(TableWriter.class));
  }

  @Test
  void getCache_afterClose_opensItAgainWithItsWriter_andChecksTheTypesFirst(RedisServer redis) {
    String name = Managers.uniqueName("reopened-writer");
    try (CacheManager manager = Managers.open(redis)) {
      manager.createCache(name, writingThrough()).close();

      assertThrows(
          ClassCastException.class, () -> manager.getCache(name, Long.class, String.class));
      assertTrue(manager.getCache(name, String.class, String.class) != null);
      manager.getCache(name, String.class, String.class).put("k", "v");
      assertEquals("v", TABLE.remove("k"), "the reopened cache's put went through its writer");
    }
  }

  @Test
  void getCache_afterClose_ofAWriteBehindCache_queuesForItsWriterAgain(RedisServer redis) {
    String name = Managers.uniqueName("reopened-behind");
    MutableConfiguration<String, String> behind =
        new MutableConfiguration<String, String>()
            .setTypes(String.class, String.class)
            .setWriteThrough(true)
            .setCacheWriterFactory(
                WriteBehind.of(FactoryBuilder.factoryOf(TableWriter.class))
                    .maxDelay(Duration.ofMillis(50))
                    .build());
    try (CacheManager manager = Managers.open(redis)) {
      manager.createCache(name, behind).put("before", "1");
      manager.getCache(name, String.class, String.class).close(); // drains what it queued
      assertEquals("1", TABLE.remove("before"), "the close drained the queue");

      manager.getCache(name, String.class, String.class).put("after", "2");
      Await.until("the reopened cache's flusher wrote", () -> "2".equals(TABLE.get("after")));
      TABLE.remove("after");
    }
  }

  @Test
  void getCache_whileAnotherThreadClosesTheCache_opensItAgainRatherThanHandBackTheClosedOne(
      RedisServer redis) throws Exception {
    String name = Managers.uniqueName("reopened-closing");
    try (CacheManager manager = Managers.open(redis)) {
      Cache<String, String> first = manager.createCache(name, writingThrough());
      AtomicReference<Cache<String, String>> got = new AtomicReference<>();
      Thread closing = new Thread(first::close, "closing");
      Thread getting =
          new Thread(() -> got.set(manager.getCache(name, String.class, String.class)), "getting");
      // the manager releases a closing handle under this lock: holding it keeps the close between
      // its mark (closed) and its release, the moment a getCache used to hand back the handle
      Object lock = managerCaches(manager);
      synchronized (lock) {
        closing.start();
        Await.until(
            "the close marked the handle and waits to release it",
            () -> first.isClosed() && closing.getState() == Thread.State.BLOCKED);
        getting.start();
        Await.until(
            "getCache returned or waits for the release",
            () -> getting.getState() == Thread.State.TERMINATED || waitsForRelease(getting));
      }
      closing.join(10_000);
      getting.join(10_000);

      Cache<String, String> again = got.get();
      assertTrue(again != null && !again.isClosed(), "getCache opened the cache again: " + again);
      again.put("k", "v");
      assertEquals("v", TABLE.remove("k"), "as it was created: with its writer");
    }
  }

  private static Object managerCaches(CacheManager manager) throws ReflectiveOperationException {
    Field caches = CascadeCacheManager.class.getDeclaredField("caches");
    caches.setAccessible(true);
    return caches.get(manager.unwrap(CascadeCacheManager.class));
  }

  private static boolean waitsForRelease(Thread t) {
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getMethodName().equals("awaitReleased")) {
        return true;
      }
    }
    return false;
  }

  @Test
  void getCache_afterDestroy_findsNothing(RedisServer redis) {
    String name = Managers.uniqueName("reopened-destroyed");
    try (CacheManager manager = Managers.open(redis)) {
      manager.createCache(name, writingThrough()).close();
      manager.destroyCache(name);
      assertNull(manager.getCache(name), "destroyed: nothing to open again");
    }
  }

  @Test
  void getCache_ofACacheCreatedAgainElsewhereWithoutAWriter_doesNotBringBackItsOldWriter(
      RedisServer redis) {
    String name = Managers.uniqueName("reopened-recreated");
    try (CacheManager here = Managers.open(redis);
        CacheManager elsewhere = Managers.open(redis)) {
      here.createCache(name, writingThrough()).close();
      elsewhere.destroyCache(name);
      // the same types (all the record says), but no writer: another application's cache now
      elsewhere.createCache(
          name, new MutableConfiguration<String, String>().setTypes(String.class, String.class));

      here.getCache(name, String.class, String.class).put("theirs", "v");
      assertNull(TABLE.remove("theirs"), "the closed cache's writer was not brought back");
      assertEquals("v", elsewhere.getCache(name, String.class, String.class).get("theirs"));
    }
  }

  @Test
  void getCache_ofACacheCreatedAgainElsewhereWithOtherSettings_joinsThatCache(RedisServer redis) {
    String name = Managers.uniqueName("reopened-elsewhere");
    try (CacheManager here = Managers.open(redis);
        CacheManager elsewhere = Managers.open(redis)) {
      here.createCache(name, writingThrough()).close();
      elsewhere.destroyCache(name);
      elsewhere
          .createCache(
              name, new MutableConfiguration<Long, Long>().setTypes(Long.class, Long.class))
          .put(1L, 2L);

      // this manager's old settings would be refused: it opens the cache that exists now
      assertEquals(2L, here.getCache(name, Long.class, Long.class).get(1L));
    }
  }
}
