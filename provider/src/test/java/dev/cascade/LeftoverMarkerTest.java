package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Leftovers in a read-through cache's entries, and entry processors over them. An entry of a
 * read-through cache that is not write-behind still carries a queued-write marker ({@code w}): left
 * by an earlier write-behind life of the same cache name whose queue was lost, or planted. A
 * read-through load must not replace a queued write, so such a key is not loaded; an entry
 * processor on it must see that at once, not take the refused load for a concurrent change and run
 * again until it gives up.
 */
@WithRedis
@Timeout(60)
class LeftoverMarkerTest {

  @Test
  void invoke_onAKeyWithALeftoverQueueMarker_doesNotLoadAndDoesNotLoop(RedisServer redis) {
    CacheManager manager = Managers.open(redis);
    try {
      Cache<String, String> cache = readThrough(manager, "leftover-marker");
      cache.put("marked", "soon only a marker");
      @SuppressWarnings("unchecked")
      List<Object> keys = (List<Object>) redis.command("KEYS", "*marked");
      assertEquals(1, keys.size(), keys.toString());
      String entry = keys.get(0).toString();
      redis.command("HSET", entry, "w", "1");
      redis.command("HDEL", entry, "v");
      AtomicInteger runs = new AtomicInteger();

      String seen =
          cache.invoke(
              "marked",
              (e, args) -> {
                runs.incrementAndGet();
                return e.getValue();
              });

      assertNull(seen, "the processor saw a loaded value although a write may be queued");
      assertEquals(1, runs.get(), "the processor ran again and again");
    } finally {
      manager.close();
    }
  }

  /**
   * An eternal read-through cache meets an entry that carries a logical expiry ({@code x}) already
   * past while Redis still holds it: written by an earlier life of the cache name with an expiry
   * policy (whose native TTL runs later, by the grace listeners ask for), or by another JVM
   * configured with one. The entry counts as absent, so a processor that creates it must create it
   * at once, not take the refused "absent" condition for a concurrent change and run again until it
   * gives up.
   */
  @Test
  void invoke_creatingOverAnEntryWhoseExpiryPassed_doesNotLoop(RedisServer redis) {
    CacheManager manager = Managers.open(redis);
    try {
      Cache<String, String> cache = readThrough(manager, "leftover-expiry");
      cache.put("expired", "written under an expiry policy");
      @SuppressWarnings("unchecked")
      List<Object> keys = (List<Object>) redis.command("KEYS", "*expired");
      assertEquals(1, keys.size(), keys.toString());
      String entry = keys.get(0).toString();
      redis.command("HSET", entry, "x", Long.toString(System.currentTimeMillis() - 5_000));
      redis.command("PEXPIRE", entry, "60000");
      AtomicInteger runs = new AtomicInteger();

      boolean existed =
          cache.invoke(
              "expired",
              (e, args) -> {
                runs.incrementAndGet();
                boolean exists = e.exists();
                if (!exists) {
                  e.setValue("created anew");
                }
                return exists;
              });

      assertFalse(existed, "an entry whose expiry passed is absent");
      assertTrue(runs.get() <= 2, "the processor ran " + runs.get() + " times");
      assertEquals("created anew", cache.get("expired"));
    } finally {
      manager.close();
    }
  }

  /** An eternal read-through cache (no writer, no write-behind) that loads every key. */
  private static Cache<String, String> readThrough(CacheManager manager, String prefix) {
    return manager.createCache(
        Managers.uniqueName(prefix),
        new MutableConfiguration<String, String>()
            .setTypes(String.class, String.class)
            .setReadThrough(true)
            .setCacheLoaderFactory(new FactoryBuilder.SingletonFactory<>(new Loads())));
  }

  /** Loads every key as "loaded". */
  static final class Loads implements CacheLoader<String, String> {
    @Override
    public String load(String key) {
      return "loaded";
    }

    @Override
    public Map<String, String> loadAll(Iterable<? extends String> keys) {
      Map<String, String> all = new HashMap<>();
      keys.forEach(k -> all.put(k, "loaded"));
      return all;
    }
  }
}
