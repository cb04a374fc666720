package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.MapDatabase;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryUpdatedListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@code putAll} that fails for one key (a value of another type planted in its entry's place:
 * Redis answers WRONGTYPE for that key alone) still reports what it did to the others: their events
 * are heard before the exception is thrown. With write-through, every key the writer wrote ends up
 * either changed in the cache or absent from it, never with its old value while the database has
 * the new one.
 */
@WithRedis
@Timeout(60)
class BulkPartialFailureTest {

  static final Map<String, Set<String>> HEARD = new ConcurrentHashMap<>();

  @Test
  void aKeyThatFails_doesNotSilenceTheOthersEvents(RedisServer redis) {
    String name = Managers.uniqueName("bulk-partial");
    try (CacheManager manager = Managers.open(redis)) {
      Cache<String, String> cache = manager.createCache(name, strings());
      listen(cache, name);
      plantAString(redis, cache, "k5");

      CacheException e = assertThrows(CacheException.class, () -> cache.putAll(tenKeys("new")));
      assertTrue(e.getMessage().contains("WRONGTYPE"), e.getMessage());
      assertEquals(expectedOthers("created"), heard(name), "the other keys' events");
      for (int i = 0; i < 10; i++) {
        if (i != 5) {
          assertEquals("new", cache.get("k" + i), "k" + i + " was changed");
        }
      }
    } finally {
      HEARD.remove(name);
    }
  }

  @Test
  void writeThrough_aKeyThatFails_leavesNoOldValueBesideTheDatabasesNewOne(RedisServer redis) {
    String name = Managers.uniqueName("bulk-partial-wt");
    try (CacheManager manager = Managers.open(redis)) {
      MutableConfiguration<String, String> c =
          strings().setWriteThrough(true).setCacheWriterFactory(MapDatabase.writerFactory(name));
      Cache<String, String> cache = manager.createCache(name, c);
      cache.putAll(tenKeys("old"));
      listen(cache, name);
      plantAString(redis, cache, "k5");

      CacheException e = assertThrows(CacheException.class, () -> cache.putAll(tenKeys("new")));
      assertTrue(e.getMessage().contains("after the writer had written it"), e.getMessage());
      assertTrue(e.getMessage().contains("removed from the cache"), e.getMessage());
      Map<String, String> table = MapDatabase.table(name);
      for (int i = 0; i < 10; i++) {
        assertEquals("new", table.get("k" + i), "the writer wrote k" + i);
      }
      assertEquals(expectedOthers("updated"), heard(name), "the other keys' events");
      for (int i = 0; i < 10; i++) {
        if (i != 5) {
          assertEquals("new", cache.get("k" + i), "k" + i + " was changed");
        }
      }
      assertEquals(
          List.of(),
          EntryKeys.endingIn(redis, name, "k5"),
          "k5's planted value was removed, not kept");
      assertNull(cache.get("k5"), "k5 is absent: the next read goes to the database");
    } finally {
      HEARD.remove(name);
    }
  }

  private static Map<String, String> tenKeys(String value) {
    Map<String, String> all = new LinkedHashMap<>();
    for (int i = 0; i < 10; i++) {
      all.put("k" + i, value);
    }
    return all;
  }

  private static Set<String> expectedOthers(String type) {
    Set<String> expected = new TreeSet<>();
    for (int i = 0; i < 10; i++) {
      if (i != 5) {
        expected.add(type + " k" + i);
      }
    }
    return expected;
  }

  private static Set<String> heard(String name) {
    return new TreeSet<>(HEARD.get(name));
  }

  /** Puts the key, then replaces its entry (a hash) by a string, as another program might. */
  private static void plantAString(RedisServer redis, Cache<String, String> cache, String key) {
    cache.put(key, "soon not an entry");
    HEARD.get(cache.getName()).clear();
    EntryKeys.replaceByAString(redis, cache.getName(), key);
  }

  private static MutableConfiguration<String, String> strings() {
    return new MutableConfiguration<String, String>().setTypes(String.class, String.class);
  }

  private static void listen(Cache<String, String> cache, String name) {
    HEARD.put(name, ConcurrentHashMap.newKeySet());
    cache.registerCacheEntryListener(
        new MutableCacheEntryListenerConfiguration<>(
            FactoryBuilder.factoryOf(new Recording(name)), null, false, true));
  }

  /** A synchronous listener: every event is recorded before the call that caused it returns. */
  static final class Recording
      implements CacheEntryCreatedListener<String, String>,
          CacheEntryUpdatedListener<String, String>,
          Serializable {
    private static final long serialVersionUID = 1L;
    private final String cacheName;

    Recording(String cacheName) {
      this.cacheName = cacheName;
    }

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      for (CacheEntryEvent<? extends String, ? extends String> e : events) {
        HEARD.get(cacheName).add("created " + e.getKey());
      }
    }

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      for (CacheEntryEvent<? extends String, ? extends String> e : events) {
        HEARD.get(cacheName).add("updated " + e.getKey());
      }
    }
  }
}
