package dev.cascade.internal.near;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.expiry.ModifiedExpiryPolicy;
import javax.cache.expiry.TouchedExpiryPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Near caches with every kind of expiry policy: a near hit is an access like a read from Redis (it
 * extends an access expiry in Redis, without waiting for it), and a near copy is never served after
 * the entry expired in Redis.
 */
@WithRedis
@Timeout(120)
class NearCacheExpiryTest {

  private static RedisServer redis;
  private static CacheManager manager;

  @BeforeAll
  static void open(RedisServer server) {
    redis = server;
    manager =
        new CascadeCachingProvider()
            .getCacheManager(URI.create(server.uri()), NearCacheExpiryTest.class.getClassLoader());
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  private static CascadeConfiguration<String, String> near(Factory<? extends ExpiryPolicy> expiry) {
    CascadeConfiguration<String, String> c =
        new CascadeConfiguration<String, String>()
            .setTypes(String.class, String.class)
            .setNearCache(1_000);
    c.setExpiryPolicyFactory(expiry);
    return c;
  }

  private static String name(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static final Duration SHORT = new Duration(TimeUnit.MILLISECONDS, 600);

  private static final Duration ACCESS = new Duration(TimeUnit.MILLISECONDS, 1_500);

  @Test
  void accessedExpiry_nearHitsKeepTheEntryAliveInRedis() throws InterruptedException {
    readsKeepTheEntryAlive(AccessedExpiryPolicy.factoryOf(ACCESS));
  }

  @Test
  void touchedExpiry_nearHitsKeepTheEntryAliveInRedis() throws InterruptedException {
    readsKeepTheEntryAlive(TouchedExpiryPolicy.factoryOf(ACCESS));
  }

  /**
   * Read every 20 ms for four times the access duration: nearly every read is a near hit, and still
   * the entry lives on in Redis (its stored expiry lies ahead), as with reads from Redis. A reader
   * that paused longer than the access duration (a loaded machine) may find it gone: that is the
   * policy, not a failure, so it starts over.
   */
  private void readsKeepTheEntryAlive(Factory<? extends ExpiryPolicy> expiry)
      throws InterruptedException {
    String name = name("accessed");
    Cache<String, String> cache = manager.createCache(name, near(expiry));
    NearCache near = (NearCache) cache.unwrap(CascadeCache.class).nearCache();
    long access = ACCESS.getDurationAmount();
    cache.put("k", "v");
    near.awaitSentInvalidations();
    long lastRead = System.currentTimeMillis();
    long end = lastRead + 4 * access;
    while (System.currentTimeMillis() < end) {
      long before = System.currentTimeMillis();
      String v = cache.get("k");
      if (v == null) {
        assertTrue(
            before - lastRead >= access - 100,
            "read "
                + (before - lastRead)
                + " ms after the previous one, the entry is gone: the reads did not extend it");
        cache.put("k", "v");
        end = System.currentTimeMillis() + 4 * access;
      } else {
        assertEquals("v", v);
      }
      lastRead = System.currentTimeMillis();
      Thread.sleep(20);
    }
    assertTrue(
        near.hits() > near.misses(),
        "served near: hits " + near.hits() + ", misses " + near.misses());
    long storedExpiry = storedExpiry(name, "k");
    assertTrue(
        storedExpiry > lastRead,
        "the entry's expiry in Redis lies after the last read: " + (storedExpiry - lastRead));
    assertEquals(1L, redis.command("EXISTS", entryKey(name, "k")), "the entry is in Redis");
  }

  @Test
  void createdExpiry_entryExpires_andIsNotServedNearAfterwards() throws InterruptedException {
    expiresDespiteNearReads(CreatedExpiryPolicy.factoryOf(SHORT));
  }

  @Test
  void modifiedExpiry_entryExpires_andIsNotServedNearAfterwards() throws InterruptedException {
    expiresDespiteNearReads(ModifiedExpiryPolicy.factoryOf(SHORT));
  }

  /**
   * Reads do not extend these expiries: once the expiry time has passed, the near copy is not
   * served. (Cascade takes "now" from this JVM's clock for the expiry, so the bound is exact.)
   */
  private void expiresDespiteNearReads(Factory<? extends ExpiryPolicy> expiry)
      throws InterruptedException {
    String name = name("created");
    Cache<String, String> cache = manager.createCache(name, near(expiry));
    NearCache near = (NearCache) cache.unwrap(CascadeCache.class).nearCache();
    cache.put("k", "v");
    long putReturned = System.currentTimeMillis();
    near.awaitSentInvalidations();
    long hitsBefore = near.hits();
    while (System.currentTimeMillis() <= putReturned + SHORT.getDurationAmount()) {
      String v = cache.get("k");
      assertTrue(v == null || "v".equals(v), v);
      Thread.sleep(20);
    }
    assertTrue(near.hits() > hitsBefore, "it was served near before it expired");
    for (int i = 0; i < 20; i++) {
      assertNull(cache.get("k"), "read " + i + " after the entry expired");
    }
  }

  /** A custom policy: eternal on creation, expired by its first access. */
  public static final class ExpiredByAccess implements ExpiryPolicy, Serializable {
    @Override
    public Duration getExpiryForCreation() {
      return Duration.ETERNAL;
    }

    @Override
    public Duration getExpiryForAccess() {
      return Duration.ZERO;
    }

    @Override
    public Duration getExpiryForUpdate() {
      return null;
    }
  }

  @Test
  void zeroAccessDuration_theFirstReadIsTheLast_nearOrNot() {
    Cache<String, String> cache =
        manager.createCache(name("zero"), near(FactoryBuilder.factoryOf(ExpiredByAccess.class)));
    NearCache near = (NearCache) cache.unwrap(CascadeCache.class).nearCache();
    for (int round = 0; round < 20; round++) {
      cache.put("k", "v" + round);
      assertEquals("v" + round, cache.get("k"));
      assertNull(cache.get("k"), "round " + round + ": the access expired the entry");
      assertNull(cache.get("k"));
    }
    assertEquals(0, near.hits(), "nothing was served near that was already expired");
  }

  @Test
  void zeroAccessDuration_onANearHit_expiresTheEntry() {
    // a custom policy asked at every access: creation eternal, accesses leave the expiry alone
    // until told to expire
    String name = name("zero-hit");
    Cache<String, String> cache =
        manager.createCache(name, near(FactoryBuilder.factoryOf(Switchable.class)));
    NearCache near = (NearCache) cache.unwrap(CascadeCache.class).nearCache();
    Switchable.expireOnAccess = false;
    cache.put("k", "v");
    near.awaitSentInvalidations();
    assertEquals("v", cache.get("k"));
    long hits = near.hits();
    assertEquals("v", cache.get("k"));
    assertEquals(hits + 1, near.hits(), "served near");
    Switchable.expireOnAccess = true;
    try {
      assertEquals("v", cache.get("k"), "the access that expires the entry still returns it");
      assertNull(cache.get("k"), "then it is gone, near and in Redis");
    } finally {
      Switchable.expireOnAccess = false;
    }
  }

  /** Eternal, until a test makes accesses expire the entry. */
  public static final class Switchable implements ExpiryPolicy, Serializable {
    static volatile boolean expireOnAccess;

    @Override
    public Duration getExpiryForCreation() {
      return Duration.ETERNAL;
    }

    @Override
    public Duration getExpiryForAccess() {
      return expireOnAccess ? Duration.ZERO : null;
    }

    @Override
    public Duration getExpiryForUpdate() {
      return null;
    }
  }

  private static String entryKey(String cache, String key) {
    return new String(
        new KeyLayout(cache, CascadeConfiguration.DEFAULT_PARTITIONS)
            .entryKey(key.getBytes(StandardCharsets.UTF_8)),
        StandardCharsets.UTF_8);
  }

  /** The expiry the entry has in Redis (field {@code x}, epoch ms). */
  private static long storedExpiry(String cache, String key) {
    Object x = redis.command("HGET", entryKey(cache, key), "x");
    assertTrue(x != null, "the entry has an expiry in Redis");
    return Long.parseLong(String.valueOf(x));
  }
}
