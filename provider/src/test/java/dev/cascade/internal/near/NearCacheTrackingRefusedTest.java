package dev.cascade.internal.near;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCache;
import dev.cascade.testing.FixtureException;
import dev.cascade.testing.RedisServer;
import java.util.ArrayList;
import java.util.List;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis refuses to turn tracking on for a while (here an ACL that takes {@code CLIENT TRACKING}
 * away; in production also a busy script, a timeout): a near cache must never be trusted for a
 * prefix Redis does not track, and must be tracked once Redis takes the command again, without a
 * restart. Before: the refused prefix stayed registered, untracked, and the near caches were
 * trusted again at the next probe (stale values until evicted); a refusal after a reconnect left
 * every near cache bypassed for good.
 */
@Timeout(120)
class NearCacheTrackingRefusedTest {

  private static final String USER = "near-user";

  private RedisServer redis;
  private CacheManager app;
  private CacheManager other;

  @BeforeEach
  void open() {
    redis = RedisServer.start();
    redis.userRefusing(USER, "pw"); // every right, until the test takes tracking away
    app = NearCacheTest.manager(redis.uri(USER, "pw") + "?timeout=2s");
    other = NearCacheTest.manager(redis.uri());
  }

  @AfterEach
  void close() {
    try {
      app.close();
      other.close();
    } finally {
      redis.close();
    }
  }

  private void refuseTracking(boolean refuse) {
    if (!refuse) {
      redis.command("ACL", "SETUSER", USER, "+client");
      return;
    }
    try {
      redis.command("ACL", "SETUSER", USER, "-client|tracking");
    } catch (FixtureException before7) {
      // Redis 6.2 takes a subcommand only as an exception to a refused command: every other
      // subcommand allowed again, by name
      List<String> setuser = new ArrayList<>(List.of("ACL", "SETUSER", USER, "-client"));
      for (String other : CLIENT_SUBCOMMANDS_OF_6_2_BUT_TRACKING) {
        setuser.add("+client|" + other);
      }
      redis.command(setuser.toArray(new String[0]));
    }
  }

  private static final List<String> CLIENT_SUBCOMMANDS_OF_6_2_BUT_TRACKING =
      List.of(
          "id",
          "info",
          "list",
          "kill",
          "getname",
          "setname",
          "getredir",
          "trackinginfo",
          "caching",
          "reply",
          "pause",
          "unpause",
          "unblock",
          "help",
          "setinfo",
          "no-evict");

  @Test
  void aCacheWhoseTrackingWasRefused_failsToOpen_andIsTrackedWhenOpenedAgain() throws Exception {
    String first = NearCacheTest.name("tracked");
    Cache<String, String> a = app.createCache(first, NearCacheTest.near());
    a.put("k", "a1");
    assertEquals("a1", a.get("k"));

    refuseTracking(true);
    String second = NearCacheTest.name("refused");
    assertThrows(CacheException.class, () -> app.createCache(second, NearCacheTest.near()));
    refuseTracking(false);

    Cache<String, String> b = app.createCache(second, NearCacheTest.near());
    b.put("k", "b1");
    assertEquals("b1", b.get("k"));
    assertEquals("b1", b.get("k"));
    other.getCache(second, String.class, String.class).put("k", "b2");
    awaitValue(b, "k", "b2");
    other.getCache(first, String.class, String.class).put("k", "a2");
    awaitValue(a, "k", "a2");
    awaitNearHits(b, "k");
  }

  @Test
  void trackingRefusedAfterAReconnect_nearCachesServeAgainOnceRedisTakesIt() throws Exception {
    String name = NearCacheTest.name("reconnected");
    Cache<String, String> cache = app.createCache(name, NearCacheTest.near());
    cache.put("k", "v1");
    awaitNearHits(cache, "k");

    refuseTracking(true);
    redis.command("CLIENT", "KILL", "USER", USER);
    // the reconnected tracking connection cannot turn tracking on: no value may be kept meanwhile
    other.getCache(name, String.class, String.class).put("k", "v2");
    awaitValue(cache, "k", "v2");
    Thread.sleep(1_500); // a probe or two while Redis still refuses
    refuseTracking(false);

    awaitNearHits(cache, "k");
    other.getCache(name, String.class, String.class).put("k", "v3");
    awaitValue(cache, "k", "v3");
  }

  /** Waits until reads of {@code key} are near hits again (tracking is trusted). */
  private static void awaitNearHits(Cache<String, String> cache, String key) throws Exception {
    NearCache near = (NearCache) cache.unwrap(CascadeCache.class).nearCache();
    long deadline = System.currentTimeMillis() + 20_000;
    while (true) {
      try {
        cache.get(key);
        long before = near.hits();
        cache.get(key);
        if (near.hits() > before) {
          return;
        }
      } catch (CacheException reconnecting) {
        // the shared connection was killed too: Lettuce reconnects
      }
      assertTrue(System.currentTimeMillis() < deadline, "the near cache never served a hit again");
      Thread.sleep(20);
    }
  }

  private static void awaitValue(Cache<String, String> cache, String key, String expected)
      throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    String seen = null;
    while (true) {
      try {
        seen = cache.get(key);
        if (expected.equals(seen)) {
          return;
        }
      } catch (CacheException reconnecting) {
        // the shared connection was killed too: Lettuce reconnects
      }
      assertTrue(
          System.currentTimeMillis() < deadline,
          "still " + seen + " instead of " + expected + ": a stale near value");
      Thread.sleep(20);
    }
  }
}
