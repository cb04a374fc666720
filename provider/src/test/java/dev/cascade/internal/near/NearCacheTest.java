package dev.cascade.internal.near;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.config.CascadeConfiguration;
import dev.cascade.testing.RedisProxy;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Near caches kept correct by Redis' invalidations, between two CacheManagers with their own
 * connections.
 */
@WithRedis
@Timeout(120)
class NearCacheTest {

  private static RedisServer redis;
  private static CacheManager first;
  private static CacheManager second;

  @BeforeAll
  static void open(RedisServer server) {
    redis = server;
    first = manager(server.uri());
    second = manager(server.uri());
  }

  @AfterAll
  static void close() {
    first.close();
    second.close();
  }

  static CacheManager manager(String uri) {
    return new CascadeCachingProvider()
        .getCacheManager(URI.create(uri), NearCacheTest.class.getClassLoader());
  }

  static CascadeConfiguration<String, String> near() {
    return new CascadeConfiguration<String, String>()
        .setTypes(String.class, String.class)
        .setNearCache(1_000);
  }

  static String name(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void repeatedReads_areServedFromTheNearCache_withoutRedis() {
    Cache<String, String> cache = first.createCache(name("hits"), near());
    NearCache near = (NearCache) cache.unwrap(CascadeCache.class).nearCache();
    cache.put("k", "v");
    // the put's own invalidation comes back asynchronously and would evict a value read before it
    near.awaitSentInvalidations();
    assertEquals("v", cache.get("k"));
    long readsBefore = redisReads();
    for (int i = 0; i < 100; i++) {
      assertEquals("v", cache.get("k"));
    }
    assertEquals(readsBefore, redisReads(), "100 reads of a kept entry sent nothing to Redis");
    assertTrue(
        near.hits() >= 100,
        "hits " + near.hits() + ", misses " + near.misses() + ", size " + near.size());
  }

  @Test
  void ownChange_isSeenByTheNextRead() {
    Cache<String, String> cache = first.createCache(name("own"), near());
    cache.put("k", "1");
    assertEquals("1", cache.get("k"));
    cache.put("k", "2");
    assertEquals("2", cache.get("k"));
    cache.remove("k");
    assertNull(cache.get("k"));
  }

  @Test
  void anotherManagersChange_isSeenOnceItsInvalidationArrives() {
    String name = name("other");
    Cache<String, String> a = first.createCache(name, near());
    Cache<String, String> b = second.createCache(name, near());
    List<Long> delaysMicros = new ArrayList<>();
    for (int round = 0; round < 50; round++) {
      a.put("k", "a" + round);
      assertEquals("a" + round, a.get("k"));
      assertEquals("a" + round, a.get("k")); // kept near now
      b.put("k", "b" + round);
      long returned = System.nanoTime();
      while (!("b" + round).equals(a.get("k"))) {
        assertTrue(System.nanoTime() - returned < 5_000_000_000L, "the invalidation never arrived");
        Thread.onSpinWait();
      }
      delaysMicros.add((System.nanoTime() - returned) / 1_000);
    }
    delaysMicros.sort(null);
    System.out.printf(
        "near cache: another manager's put visible after p50 %d us, max %d us (50 rounds)%n",
        delaysMicros.get(delaysMicros.size() / 2), delaysMicros.get(delaysMicros.size() - 1));
  }

  @Test
  void readersNeverGoBackInTime_whileAnotherManagerWrites() throws Exception {
    String name = name("monotonic");
    Cache<String, String> a = first.createCache(name, near());
    Cache<String, String> b = second.createCache(name, near());
    b.put("k", "0");
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicReference<String> failure = new AtomicReference<>();
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      Thread reader =
          new Thread(
              () -> {
                long last = -1;
                while (writing.get()) {
                  String v = a.get("k");
                  long n = Long.parseLong(v);
                  if (n < last) {
                    failure.compareAndSet(null, "read " + n + " after " + last);
                  }
                  last = n;
                }
              });
      reader.start();
      readers.add(reader);
    }
    for (int i = 1; i <= 3_000; i++) {
      b.put("k", Long.toString(i));
    }
    writing.set(false);
    for (Thread reader : readers) {
      reader.join(10_000);
    }
    assertNull(failure.get());
    long deadline = System.currentTimeMillis() + 5_000;
    while (!"3000".equals(a.get("k")) && System.currentTimeMillis() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals("3000", a.get("k"), "the last write is seen once its invalidation arrived");
  }

  /**
   * Reads reach Redis in another order than the one their tokens were placed in, and the
   * invalidation of a change between two reads can arrive after both answers (it comes on its own
   * connection): a reader that got the newer value must not be served the older one afterwards.
   */
  @Test
  void aReaderIsNeverServedAnOlderValueThanItGotFromRedis() {
    Cache<String, String> cache = first.createCache(name("overtaken"), near());
    NearCache near = (NearCache) cache.unwrap(CascadeCache.class).nearCache();
    byte[] key = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8); // nobody writes it
    long now = System.currentTimeMillis();

    // reader A places its token, then reader B; B's read is sent first and finds 1; a write makes
    // it 2; A's read finds 2 and returns it; B keeps 1 after that
    NearCache.Token a = near.beginRead(key);
    NearCache.Token b = near.beginRead(key);
    near.sent(b);
    near.sent(a);
    near.completeRead(a, bytes("2"), Long.MAX_VALUE);
    near.completeRead(b, bytes("1"), Long.MAX_VALUE);
    NearCache.Hit hit = near.get(key, now);
    assertTrue(hit == null || "2".equals(string(hit.value)), "A read 2, then " + valueOf(hit));

    // the same when A read without a token (the near cache was bypassed when A began)
    byte[] other = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
    NearCache.Token c = near.beginRead(other);
    near.sent(c);
    NearCache.Token unkept = near.unkeptRead(other);
    near.sent(unkept);
    near.completeRead(unkept, bytes("2"), Long.MAX_VALUE);
    near.completeRead(c, bytes("1"), Long.MAX_VALUE);
    hit = near.get(other, now);
    assertTrue(hit == null || "2".equals(string(hit.value)), "A read 2, then " + valueOf(hit));

    // a read placed after another was sent is answered after it: it is kept
    NearCache.Token d = near.beginRead(key);
    near.sent(d);
    NearCache.Token e = near.beginRead(key);
    near.sent(e);
    near.completeRead(d, bytes("3"), Long.MAX_VALUE);
    near.completeRead(e, bytes("4"), Long.MAX_VALUE);
    assertEquals("4", valueOf(near.get(key, now)));
  }

  /**
   * A key invalidated and read again over and over (another JVM's writes, or an access expiry's own
   * touches) takes one place in the near cache, not one per read: the other entries stay.
   */
  @Test
  void aKeyReadAgainAfterEachInvalidation_doesNotPushOtherEntriesOut() {
    Cache<String, String> cache = first.createCache(name("churn"), near().setNearCache(10));
    NearCache near = (NearCache) cache.unwrap(CascadeCache.class).nearCache();
    long now = System.currentTimeMillis();
    for (int i = 0; i < 10; i++) {
      keep(near, bytes("k" + i), bytes("v" + i));
    }
    for (int round = 0; round < 100; round++) {
      near.invalidate(bytes("k0"));
      keep(near, bytes("k0"), bytes("v0." + round));
    }
    for (int i = 1; i < 10; i++) {
      assertEquals("v" + i, valueOf(near.get(bytes("k" + i), now)), "k" + i + " is still kept");
    }
    assertEquals("v0.99", valueOf(near.get(bytes("k0"), now)));
  }

  private static void keep(NearCache near, byte[] key, byte[] value) {
    NearCache.Token t = near.beginRead(key);
    near.sent(t);
    near.completeRead(t, value, Long.MAX_VALUE);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String valueOf(NearCache.Hit hit) {
    return hit == null ? null : string(hit.value);
  }

  private static String string(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  /**
   * Invalidations come on their own connection, reads on the shared one. While the invalidation
   * connection lags (a starved I/O thread, a slow path), sometimes past the probe's timeout so that
   * the near cache is bypassed and trusted again, readers of one key must still never see an older
   * value after a newer one.
   */
  @Test
  void readersNeverGoBackInTime_whileTheInvalidationsLag() throws Exception {
    try (RedisProxy proxy = new RedisProxy(redis.port())) {
      CacheManager m = manager("redis://127.0.0.1:" + proxy.port());
      try {
        String name = name("lagging");
        Cache<String, String> a = m.createCache(name, near());
        Cache<String, String> b = second.createCache(name, near());
        b.put("k", "0");
        assertTrue(
            proxy.delayTrackingConnections(50) > 0, "the invalidations go through the proxy");
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<String> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < 8; r++) {
          threads.add(
              new Thread(
                  () -> {
                    long last = -1;
                    while (writing.get()) {
                      long n = Long.parseLong(a.get("k"));
                      if (n < last) {
                        failure.compareAndSet(null, "read " + n + " after " + last);
                      }
                      last = n;
                    }
                  }));
        }
        // lags of 50 ms and 1.5 s in turn: the probe times out, gives up the connection, and the
        // near cache is trusted again, over and over
        threads.add(
            new Thread(
                () -> {
                  for (int turn = 0; writing.get(); turn++) {
                    proxy.delayTrackingConnections(turn % 2 == 0 ? 1_500 : 50);
                    try {
                      Thread.sleep(1_200);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                }));
        threads.forEach(Thread::start);
        long end = System.currentTimeMillis() + 6_000;
        for (int i = 1; System.currentTimeMillis() < end; i++) {
          b.put("k", Long.toString(i));
        }
        writing.set(false);
        for (Thread t : threads) {
          t.join(10_000);
        }
        NearCache near = (NearCache) a.unwrap(CascadeCache.class).nearCache();
        System.out.printf(
            "lagging invalidations: hits %d, misses %d, invalidations %d%n",
            near.hits(), near.misses(), near.invalidations());
        assertNull(failure.get());
      } finally {
        m.close();
      }
    }
  }

  @Test
  void lostConnection_clearsTheNearCache() throws InterruptedException {
    try (RedisServer own = RedisServer.start()) {
      CacheManager m = manager(own.uri() + "?timeout=1s");
      try {
        Cache<String, String> cache = m.createCache("lost", near());
        cache.put("k", "v");
        assertEquals("v", cache.get("k"));
        assertEquals("v", cache.get("k"));
        own.kill();
        // once the connection loss is noticed, the near cache is not trusted: an error, no stale
        // answer
        long lostBy = System.currentTimeMillis() + 10_000;
        while (true) {
          try {
            cache.get("k");
            assertTrue(
                System.currentTimeMillis() < lostBy, "the lost connection was never noticed");
            Thread.sleep(5);
          } catch (CacheException expected) {
            break;
          }
        }
        own.restart(); // no persistence: the entry is gone
        long deadline = System.currentTimeMillis() + 20_000;
        String seen;
        while (true) {
          try {
            seen = cache.get("k");
            break;
          } catch (CacheException e) {
            assertTrue(System.currentTimeMillis() < deadline, "no reconnect");
          }
        }
        assertNull(
            seen,
            "after the reconnect the near cache was cleared, so the lost entry is not served");
      } finally {
        m.close();
      }
    }
  }

  @Test
  void trackingConnectionSilentlyDropped_nearCacheStopsServingStaleValuesWithinTheProbe()
      throws Exception {
    try (RedisProxy proxy = new RedisProxy(redis.port())) {
      CacheManager m = manager("redis://127.0.0.1:" + proxy.port() + "?timeout=2s");
      try {
        String name = "silent-" + UUID.randomUUID();
        Cache<String, String> cache = m.createCache(name, near());
        cache.put("k", "v1");
        assertEquals("v1", cache.get("k"));
        assertEquals("v1", cache.get("k"));
        assertTrue(
            proxy.silenceTrackingConnections() > 0,
            "the near cache's invalidation connection goes through the proxy");
        Cache<String, String> other = second.getCache(name, String.class, String.class);
        other.put("k", "v2");
        long changed = System.currentTimeMillis();
        long staleUntil = changed;
        // the invalidation is lost; without a probe of the connection the near cache kept "v1" for
        // hours
        while (System.currentTimeMillis() - changed < 8_000) {
          if ("v1".equals(cache.get("k"))) {
            staleUntil = System.currentTimeMillis();
          }
          Thread.sleep(10);
        }
        System.out.printf(
            "after a silently dropped invalidation, stale reads for %d ms%n", staleUntil - changed);
        assertTrue(
            staleUntil - changed < 5_000,
            "stale reads for " + (staleUntil - changed) + " ms after the change");
        assertEquals("v2", cache.get("k"));
        other.put("k", "v3");
        long deadline = System.currentTimeMillis() + 10_000;
        while (!"v3".equals(cache.get("k")) && System.currentTimeMillis() < deadline) {
          Thread.sleep(10);
        }
        assertEquals(
            "v3", cache.get("k"), "changes are seen after the probe gave up on the connection");
      } finally {
        m.close();
      }
    }
  }

  private static long redisReads() {
    try (RedisClient client = RedisClient.create(redis.uri());
        StatefulRedisConnection<String, String> c = client.connect()) {
      String stats = c.sync().info("commandstats");
      long total = 0;
      for (String line : stats.split("\r?\n")) {
        if (line.startsWith("cmdstat_hget:") || line.startsWith("cmdstat_hmget:")) {
          total += Long.parseLong(line.replaceAll(".*calls=(\\d+).*", "$1"));
        }
      }
      return total;
    }
  }
}
