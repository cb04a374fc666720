package dev.cascade.writebehind;

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
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Write-behind against a real Redis and a real MariaDB table. */
@WithRedis
@Timeout(180)
class WriteBehindTest {

  private static RedisServer redis;
  private static CacheManager manager;

  @BeforeAll
  static void open(RedisServer server) {
    redis = server;
    manager = newManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  static CacheManager newManager() {
    return new CascadeCachingProvider()
        .getCacheManager(URI.create(redis.uri()), WriteBehindTest.class.getClassLoader());
  }

  static MutableConfiguration<String, String> writeBehind(WriteBehind<String, String> wb) {
    return new MutableConfiguration<String, String>()
        .setTypes(String.class, String.class)
        .setWriteThrough(true)
        .setCacheWriterFactory(wb.build());
  }

  static String name(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void put_returnsBeforeTheDatabaseIsWritten_andTheRowFollows() {
    try (TableFixture t = new TableFixture("wb_basic")) {
      Cache<String, String> cache =
          manager.createCache(
              name("basic"),
              writeBehind(WriteBehind.of(t.writerFactory()).maxDelay(Duration.ofMillis(100))));
      cache.put("a", "1");
      cache.put("b", "2");
      cache.remove("b");
      assertEquals("1", cache.get("a"), "reads see the pending write");
      Map<String, String> rows = t.drained(cache, Duration.ofSeconds(20));
      assertEquals(Map.of("a", "1"), rows);
    }
  }

  @Test
  void racingPutsAndRemovesFrom16Threads_leaveDatabaseEqualToCache() throws Exception {
    try (TableFixture t = new TableFixture("wb_order")) {
      Cache<String, String> cache =
          manager.createCache(
              name("order"),
              writeBehind(
                  WriteBehind.of(t.writerFactory())
                      .batchSize(200)
                      .maxDelay(Duration.ofMillis(50))));
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        keys.add("k" + i);
      }
      ExecutorService pool = Executors.newFixedThreadPool(16);
      List<Future<?>> futures = new ArrayList<>();
      for (int thread = 0; thread < 16; thread++) {
        int id = thread;
        futures.add(
            pool.submit(
                () -> {
                  for (int n = 0; n < 500; n++) {
                    String key = keys.get(ThreadLocalRandom.current().nextInt(keys.size()));
                    if (ThreadLocalRandom.current().nextInt(3) == 0) {
                      cache.remove(key);
                    } else {
                      cache.put(key, "t" + id + "-" + n);
                    }
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      Map<String, String> rows = t.drained(cache, Duration.ofSeconds(60));
      assertEquals(
          TableFixture.contents(cache, keys),
          rows,
          "a removed key has no row; every other key its last value");
    }
  }

  @Test
  void pendingDelete_isNotUndoneByReadThrough() {
    try (TableFixture t = new TableFixture("wb_tombstone")) {
      t.rows();
      dev.cascade.testing.TestDatabase.execute(
          "INSERT INTO " + t.table + " (k, v) VALUES ('k', 'old')");
      MutableConfiguration<String, String> c =
          writeBehind(WriteBehind.of(t.writerFactory()).maxDelay(Duration.ofSeconds(2)));
      c.setReadThrough(true)
          .setCacheLoaderFactory(
              dev.cascade.jdbc.JdbcCacheLoader.factory(
                  dev.cascade.testing.TestDatabase.dataSource(),
                  dev.cascade.jdbc.TableMapping.scalar(
                      t.table, "k", String.class, "v", String.class)));
      Cache<String, String> cache = manager.createCache(name("tombstone"), c);
      assertEquals("old", cache.get("k"), "loaded from the table");
      cache.remove("k");
      assertNull(
          cache.get("k"),
          "the delete is queued; the table still has the row, but it must not come back");
      assertEquals(Map.of(), t.drained(cache, Duration.ofSeconds(20)));
      assertNull(cache.get("k"));
    }
  }

  /**
   * {@code clear()} runs no writer, but the writes queued before it still reach the table; a read
   * between the clear and their flush must not load the table's older row, which would then stay in
   * the cache for good (the flush settles only entries that still carry its record's marker).
   */
  @Test
  void clear_keepsQueuedWritesFromBeingUndoneByReadThrough() {
    try (TableFixture t = new TableFixture("wb_clear")) {
      t.rows();
      dev.cascade.testing.TestDatabase.execute(
          "INSERT INTO " + t.table + " (k, v) VALUES ('k', 'old'), ('gone', 'old')");
      MutableConfiguration<String, String> c =
          writeBehind(WriteBehind.of(t.writerFactory()).maxDelay(Duration.ofSeconds(2)));
      c.setReadThrough(true)
          .setCacheLoaderFactory(
              dev.cascade.jdbc.JdbcCacheLoader.factory(
                  dev.cascade.testing.TestDatabase.dataSource(),
                  dev.cascade.jdbc.TableMapping.scalar(
                      t.table, "k", String.class, "v", String.class)));
      Cache<String, String> cache = manager.createCache(name("clear"), c);
      assertEquals("old", cache.get("gone"), "loaded from the table");
      cache.put("k", "new");
      cache.put("plain", "queued");
      cache.remove("gone");
      cache.clear();
      assertNull(cache.get("k"), "cleared; its queued write is not in the table yet");
      assertNull(cache.get("gone"), "cleared; its queued delete is not in the table yet");
      assertEquals(
          Map.of("k", "new", "plain", "queued"),
          t.drained(cache, Duration.ofSeconds(20)),
          "clear() takes back no queued write");
      assertEquals("new", cache.get("k"), "loaded again, from the row the queue wrote");
      assertNull(cache.get("gone"));
      assertEquals("queued", cache.get("plain"));
    }
  }

  @Test
  void writeBehindNumbers_areAnMXBeanAndOnTheUnwrappedCache() throws Exception {
    try (TableFixture t = new TableFixture("wb_mxbean")) {
      String name = name("mxbean");
      Cache<String, String> cache =
          manager.createCache(
              name, writeBehind(WriteBehind.of(t.writerFactory()).maxDelay(Duration.ofMillis(50))));
      for (int i = 0; i < 20; i++) {
        cache.put("k" + (i % 5), "v" + i);
      }
      t.drained(cache, Duration.ofSeconds(20));
      WriteBehindMXBean wb = cache.unwrap(CascadeCache.class).writeBehind();
      assertEquals(0, wb.getQueueDepth());
      assertEquals(0, wb.getOldestPendingAgeMillis());
      assertEquals(
          20,
          t.rowsWritten() + wb.getRecordsCoalesced(),
          "every write reached the writer or was coalesced");
      assertTrue(
          wb.getRecordsFlushed() >= 5 && wb.getRecordsFlushed() <= 20,
          "flushed " + wb.getRecordsFlushed());
      ObjectName objectName =
          new ObjectName(
              "dev.cascade:type=WriteBehind,CacheManager="
                  + redis.uri().replace(":", ".")
                  + ",Cache="
                  + name);
      assertEquals(
          wb.getRecordsFlushed(),
          ManagementFactory.getPlatformMBeanServer().getAttribute(objectName, "RecordsFlushed"));
      assertEquals(
          wb.getRecordsCoalesced(),
          ManagementFactory.getPlatformMBeanServer().getAttribute(objectName, "RecordsCoalesced"));
      assertEquals(
          0L, ManagementFactory.getPlatformMBeanServer().getAttribute(objectName, "DeadLetters"));
      assertEquals(
          Map.of("k0", "v15", "k1", "v16", "k2", "v17", "k3", "v18", "k4", "v19"), t.rows());
    }
  }

  /**
   * The flush gives a settled entry its native TTL with the largest grace any listening JVM asked
   * for, as a change does: a JVM listening for EXPIRED events (not the flushing one) can still find
   * the expired entry and report it.
   */
  @Test
  void settledEntry_keepsTheExpiryGraceOfAnotherJvmsListener() {
    try (TableFixture t = new TableFixture("wb_grace")) {
      String name = name("grace");
      MutableConfiguration<String, String> config =
          writeBehind(WriteBehind.of(t.writerFactory()).maxDelay(Duration.ofMillis(50)));
      config.setExpiryPolicyFactory(
          CreatedExpiryPolicy.factoryOf(new javax.cache.expiry.Duration(TimeUnit.SECONDS, 5)));
      Cache<String, String> cache = manager.createCache(name, config);
      CacheManager other = newManager();
      try {
        other
            .getCache(name, String.class, String.class)
            .registerCacheEntryListener(
                new MutableCacheEntryListenerConfiguration<>(
                    FactoryBuilder.factoryOf(new IgnoringExpiredListener()), null, false, false));
        cache.put("k", "v");
        t.drained(cache, Duration.ofSeconds(30));
        byte[] entry =
            new KeyLayout(name, CascadeConfiguration.DEFAULT_PARTITIONS)
                .entryKey("k".getBytes(StandardCharsets.UTF_8));
        long ttl = (Long) redis.command("PTTL", new String(entry, StandardCharsets.UTF_8));
        // 5 s of expiry plus the listener's grace (30 s); without the grace at most 5 s
        assertTrue(ttl > 10_000, "native TTL of the settled entry: " + ttl + " ms");
      } finally {
        other.close();
      }
    }
  }

  /** Listens for EXPIRED events, so its JVM asks for the expiry grace. */
  static final class IgnoringExpiredListener
      implements CacheEntryExpiredListener<String, String>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public void onExpired(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {}
  }
}
