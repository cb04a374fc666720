package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.expiry.ModifiedExpiryPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Finite expiry durations far beyond any lifetime ({@code Integer.MAX_VALUE} days, {@code
 * Long.MAX_VALUE} ms) are legal JCache durations. Added to the current time they leave the range
 * Redis scripts hold exactly (a Lua number prints in exponent form from 1e17 on, and {@code
 * PEXPIREAT} refuses that), which once left an entry half written: its value stored, its logical
 * expiry unreadable, no TTL, and every later read and iteration of the cache failing.
 */
@WithRedis
@Timeout(60)
class LongExpiryTest {

  private static final Duration DAYS_MAX = new Duration(TimeUnit.DAYS, Integer.MAX_VALUE);
  private static final Duration MILLIS_MAX = new Duration(TimeUnit.MILLISECONDS, Long.MAX_VALUE);

  @Test
  void created_withTheLongestDurations_storesAReadableEntryWithATtl(RedisServer redis) {
    check(redis, CreatedExpiryPolicy.factoryOf(DAYS_MAX), "created-days");
    check(redis, CreatedExpiryPolicy.factoryOf(MILLIS_MAX), "created-millis");
  }

  @Test
  void modifiedAndAccessed_withTheLongestDurations_storeReadableEntries(RedisServer redis) {
    check(redis, ModifiedExpiryPolicy.factoryOf(DAYS_MAX), "modified");
    check(redis, AccessedExpiryPolicy.factoryOf(MILLIS_MAX), "accessed");
  }

  /** A policy Cascade must ask at each step (not one of the five standard ones). */
  @Test
  void customPolicy_withTheLongestDurations_storesReadableEntries(RedisServer redis) {
    check(redis, FactoryBuilder.factoryOf(Longest.class), "custom");
  }

  public static final class Longest implements ExpiryPolicy {
    @Override
    public Duration getExpiryForCreation() {
      return MILLIS_MAX;
    }

    @Override
    public Duration getExpiryForAccess() {
      return DAYS_MAX;
    }

    @Override
    public Duration getExpiryForUpdate() {
      return MILLIS_MAX;
    }
  }

  private static void check(
      RedisServer redis, Factory<? extends ExpiryPolicy> policy, String prefix) {
    CacheManager manager = Managers.open(redis);
    String name = Managers.uniqueName(prefix);
    try {
      Cache<String, String> cache =
          manager.createCache(
              name,
              new MutableConfiguration<String, String>()
                  .setTypes(String.class, String.class)
                  .setExpiryPolicyFactory(policy));
      cache.put("k", "v1");
      assertEquals("v1", cache.get("k"), name + ": read after create");
      cache.put("k", "v2"); // an update
      assertEquals("v2", cache.get("k"), name + ": read after update (and an access)");
      Map<String, String> bulk = new HashMap<>();
      bulk.put("a", "1");
      bulk.put("b", "2");
      cache.putAll(bulk);
      assertEquals(bulk, cache.getAll(bulk.keySet()), name + ": getAll");
      int seen = 0;
      for (Cache.Entry<String, String> ignored : cache) {
        seen++;
      }
      assertEquals(3, seen, name + ": iteration");

      List<String> entries = EntryKeys.endingIn(redis, name, "");
      entries.removeIf(key -> !key.contains(":{")); // the registry entry is no cache entry
      assertEquals(3, entries.size(), entries.toString());
      for (String key : entries) {
        long ttl = Long.parseLong(redis.command("PTTL", key).toString());
        Object x = redis.command("HGET", key, "x");
        // a finite expiry: a native TTL, and a logical expiry that is a plain integer
        assertTrue(ttl > 0, name + ": " + key + " has PTTL " + ttl);
        assertTrue(x != null && x.toString().matches("\\d+"), name + ": " + key + " has x = " + x);
      }
    } finally {
      manager.close();
    }
  }
}
