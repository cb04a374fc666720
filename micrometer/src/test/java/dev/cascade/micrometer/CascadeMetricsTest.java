package dev.cascade.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.config.CascadeConfiguration;
import dev.cascade.jdbc.JdbcCacheWriter;
import dev.cascade.jdbc.TableMapping;
import dev.cascade.testing.TestDatabase;
import dev.cascade.writebehind.WriteBehind;
import dev.cascade.writebehind.WriteBehindMXBean;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.cache.JCacheMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheWriter;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link CascadeMetrics} on a {@link SimpleMeterRegistry}, against the shared Redis and MariaDB:
 * the statistics meters count what the cache did (and agree with the JCache MXBean, which keeps
 * working), the write-behind meters show the queue filling while the database writer is held, the
 * flushed count after it drains, and a dead letter after a record the table refuses.
 */
@Timeout(120)
class CascadeMetricsTest {

  /** Gates of the writers, per table: closed, a writer's calls wait (bounded) until opened. */
  static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();

  private static CacheManager manager;

  @BeforeAll
  static void open() {
    manager =
        new CascadeCachingProvider()
            .getCacheManager(
                URI.create("redis://127.0.0.1:6379"), CascadeMetricsTest.class.getClassLoader());
  }

  @AfterAll
  static void close() {
    for (String name : manager.getCacheNames()) {
      manager.destroyCache(name);
    }
    manager.close();
  }

  static String unique(String prefix) {
    return "metrics-" + prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void statistics_countGetsPutsRemovals_andAgreeWithTheJCacheMXBean() throws Exception {
    Cache<String, String> cache =
        manager.createCache(
            unique("stats"),
            new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class)
                .setStatisticsEnabled(true));
    MeterRegistry registry = new SimpleMeterRegistry();
    CascadeMetrics.monitor(registry, cache, "app", "test");

    cache.get("a");
    cache.put("a", "1");
    cache.put("b", "2");
    cache.get("a");
    cache.get("b");
    cache.get("c");
    cache.remove("a");

    assertEquals(2, count(registry, "cache.gets", cache, "result", "hit"));
    assertEquals(2, count(registry, "cache.gets", cache, "result", "miss"));
    assertEquals(2, count(registry, "cache.puts", cache));
    assertEquals(1, count(registry, "cache.removals", cache));
    assertEquals(0, count(registry, "cache.evictions", cache));
    assertEquals(
        "test",
        registry.get("cache.puts").tag("cache", cache.getName()).meter().getId().getTag("app"));

    // the JCache MXBean is still there, under the manager's name, with the same numbers
    ObjectName bean =
        new ObjectName(
            "javax.cache:type=CacheStatistics,CacheManager="
                + manager.getURI().toString().replace(':', '.')
                + ",Cache="
                + cache.getName());
    assertEquals(2L, ManagementFactory.getPlatformMBeanServer().getAttribute(bean, "CacheHits"));
    assertEquals(2L, ManagementFactory.getPlatformMBeanServer().getAttribute(bean, "CachePuts"));
  }

  /**
   * Micrometer keeps the first meter of an ID: re-binding a cache destroyed and created again used
   * to be ignored, and its counters read the dead cache's statistics forever.
   */
  @Test
  void cacheCreatedAgain_closingTheOldBinderFirst_theNewCacheIsCounted() {
    String name = unique("recreated");
    MutableConfiguration<String, String> config =
        new MutableConfiguration<String, String>()
            .setTypes(String.class, String.class)
            .setStatisticsEnabled(true);
    Cache<String, String> first = manager.createCache(name, config);
    MeterRegistry registry = new SimpleMeterRegistry();
    CascadeMetrics old = new CascadeMetrics(first, Tags.empty());
    old.bindTo(registry);
    first.put("before", "1");
    manager.destroyCache(name);
    Cache<String, String> second = manager.createCache(name, config);

    old.close();
    new CascadeMetrics(second, Tags.empty()).bindTo(registry);
    double before = count(registry, "cache.puts", second);
    for (int i = 0; i < 10; i++) {
      second.put("k" + i, "v");
    }

    assertEquals(before + 10, count(registry, "cache.puts", second));
    manager.destroyCache(name);
  }

  @Test
  void cacheNameJmxCannotHold_isMeasuredAllTheSame() {
    // JCacheMetrics refuses this name (":" and "," in an ObjectName value); no JMX here
    String name = unique("users:v2,eu");
    Cache<String, String> cache =
        manager.createCache(
            name,
            new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class)
                .setStatisticsEnabled(true));
    MeterRegistry registry = new SimpleMeterRegistry();
    CascadeMetrics.monitor(registry, cache);
    cache.put("a", "1");
    cache.get("a");
    assertEquals(1, count(registry, "cache.gets", cache, "result", "hit"));
    assertEquals(1, count(registry, "cache.puts", cache));
  }

  @Test
  void monitorAll_bindsEveryOpenCache_andNoWriteBehindMetersForAPlainCache() {
    CacheManager own =
        new CascadeCachingProvider()
            .getCacheManager(
                URI.create("redis://127.0.0.1:6379/0"), CascadeMetricsTest.class.getClassLoader());
    try {
      Cache<String, String> one =
          own.createCache(
              unique("all"),
              new MutableConfiguration<String, String>()
                  .setTypes(String.class, String.class)
                  .setStatisticsEnabled(true));
      Cache<String, String> two =
          own.createCache(
              unique("all"),
              new CascadeConfiguration<String, String>()
                  .setNearCache(100)
                  .setTypes(String.class, String.class)
                  .setStatisticsEnabled(true));
      MeterRegistry registry = new SimpleMeterRegistry();
      CascadeMetrics.monitorAll(registry, own, Tags.of("cache.manager", "own"));
      one.put("a", "1");
      two.put("a", "1");
      int gets = getsUntilANearHit(registry, two, "a");
      assertEquals(1, count(registry, "cache.puts", one));
      assertEquals(1, count(registry, "cache.puts", two));
      assertEquals(gets, count(registry, "cache.gets", two, "result", "hit"));
      assertNull(
          registry.find("cascade.write.behind.queue.depth").tag("cache", one.getName()).gauge());
      // the near cache: its own hits, beside the JCache statistics
      assertNotNull(
          registry.find("cascade.near.cache.gets").tag("cache", two.getName()).functionCounter());
      assertTrue(count(registry, "cascade.near.cache.gets", two, "result", "hit") >= 1);
      own.destroyCache(one.getName());
      own.destroyCache(two.getName());
    } finally {
      own.close();
    }
  }

  @Test
  void withoutStatistics_besideJCacheMetrics_bindsOnlyCascadesOwnMeters() {
    Cache<String, String> cache =
        manager.createCache(
            unique("besides"),
            new CascadeConfiguration<String, String>()
                .setNearCache(100)
                .setTypes(String.class, String.class)
                .setStatisticsEnabled(true));
    MeterRegistry alone = new SimpleMeterRegistry();
    new CascadeMetrics(cache, Tags.of("app", "test")).withoutStatistics().bindTo(alone);
    assertTrue(alone.find("cache.gets").meters().isEmpty(), "no statistics meter");
    assertTrue(alone.find("cache.removals").meters().isEmpty(), "no statistics meter");
    assertNotNull(
        alone
            .find("cascade.near.cache.size")
            .tags("cache", cache.getName(), "app", "test")
            .gauge());
    assertEquals(
        0.0,
        alone
            .find("cascade.listener.events.dropped")
            .tags("cache", cache.getName(), "app", "test")
            .functionCounter()
            .count(),
        "bound for every cache, 0 while listeners keep up");

    // as Actuator has it: Micrometer's JCacheMetrics measures the cache first, under the same tags
    MeterRegistry registry = new SimpleMeterRegistry();
    JCacheMetrics.monitor(registry, cache);
    // the whole binder clashes with it (cache.removals: a gauge there, a function counter here)
    MeterRegistry clash = new SimpleMeterRegistry();
    JCacheMetrics.monitor(clash, cache);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CascadeMetrics.monitor(clash, cache));
    assertTrue(e.getMessage().contains("cache."), e.getMessage());
    // without the statistics it binds beside it
    new CascadeMetrics(cache, Tags.empty()).withoutStatistics().bindTo(registry);
    cache.put("a", "1");
    int gets = getsUntilANearHit(registry, cache, "a");
    assertTrue(count(registry, "cascade.near.cache.gets", cache, "result", "hit") >= 1);
    assertEquals(gets, count(registry, "cache.gets", cache, "result", "hit"));
  }

  @Test
  void monitor_notACascadeCache_failsNamingIt() {
    @SuppressWarnings("unchecked")
    Cache<String, String> other =
        (Cache<String, String>)
            java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {Cache.class},
                (proxy, method, args) -> {
                  switch (method.getName()) {
                    case "getName":
                      return "elsewhere";
                    case "unwrap":
                      throw new IllegalArgumentException("no");
                    default:
                      throw new UnsupportedOperationException(method.getName());
                  }
                });
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> CascadeMetrics.monitor(new SimpleMeterRegistry(), other));
    assertTrue(e.getMessage().contains("'elsewhere'"), e.getMessage());
    assertTrue(e.getMessage().contains("JCacheMetrics"), e.getMessage());
  }

  @Test
  void writeBehind_queueWhileTheWriterIsHeld_flushedAfterDrain_deadLetterForAPoisonRecord() {
    String table = TestDatabase.uniqueTableName("metrics_wb");
    TestDatabase.execute(
        "CREATE TABLE "
            + table
            + " (k VARCHAR(64) PRIMARY KEY, v VARCHAR(255) NOT NULL, CHECK (v <> 'poison'))");
    CountDownLatch gate = new CountDownLatch(1);
    GATES.put(table, gate);
    try {
      Cache<String, String> cache =
          manager.createCache(
              unique("wb"),
              new MutableConfiguration<String, String>()
                  .setTypes(String.class, String.class)
                  .setStatisticsEnabled(true)
                  .setWriteThrough(true)
                  .setCacheWriterFactory(
                      WriteBehind.<String, String>of(new GatedWriterFactory(table))
                          .maxDelay(Duration.ofMillis(20))
                          .retryLimit(2)
                          .backoff(Duration.ofMillis(20), Duration.ofMillis(100))
                          .build()));
      MeterRegistry registry = new SimpleMeterRegistry();
      CascadeMetrics.monitor(registry, cache, "app", "test");
      WriteBehindMXBean wb = cache.unwrap(CascadeCache.class).writeBehind();

      for (int i = 0; i < 100; i++) {
        cache.put("k" + i, "v" + i);
        if (i == 50) {
          // refused by the table's CHECK; written in one batch with good records, so it is
          // told from an outage (docs/write-behind.md, Limits)
          cache.put("bad", "poison");
        }
      }
      // the writer is held: nothing can leave the queue
      assertEquals(101, gauge(registry, "cascade.write.behind.queue.depth", cache));
      awaitTrue(
          () -> gauge(registry, "cascade.write.behind.oldest.age", cache) > 0,
          "the oldest queued change ages while the writer is held");
      assertEquals(0, count(registry, "cascade.write.behind.flushed", cache));
      assertEquals(0, gauge(registry, "cascade.write.behind.dead.letters", cache));

      gate.countDown();
      awaitTrue(
          () -> gauge(registry, "cascade.write.behind.queue.depth", cache) == 0,
          "the queue drains once the writer is let go");
      // the counter follows the flushers (it moves just after the queue does)
      awaitTrue(
          () -> count(registry, "cascade.write.behind.flushed", cache) >= 100,
          "the 100 good records are counted as flushed");
      assertTrue(count(registry, "cascade.write.behind.batches", cache) >= 1);
      assertEquals(0, gauge(registry, "cascade.write.behind.oldest.age", cache));
      assertEquals(1, gauge(registry, "cascade.write.behind.dead.letters", cache));
      assertEquals(
          wb.getDeadLetters(), gauge(registry, "cascade.write.behind.dead.letters", cache));
      assertEquals(
          100,
          ((Number) TestDatabase.queryRows("SELECT COUNT(*) AS n FROM " + table).get(0).get("n"))
              .intValue());
      assertEquals(101, count(registry, "cache.puts", cache));

      assertTrue(count(registry, "cascade.write.behind.retries", cache) >= 1);
      assertEquals(wb.getRetries(), count(registry, "cascade.write.behind.retries", cache));
      assertEquals(
          wb.getRecordsCoalesced(), count(registry, "cascade.write.behind.coalesced", cache));
      assertTrue(gauge(registry, "cascade.write.behind.partitions.held", cache) >= 1);
      assertEquals(
          "test",
          registry
              .get("cascade.write.behind.dead.letters")
              .tag("cache", cache.getName())
              .meter()
              .getId()
              .getTag("app"));

      // closing joins the flushers, so the count is final: the 100 records the writer wrote; the
      // dead-lettered one is counted by dead.letters only
      cache.close();
      assertEquals(100, count(registry, "cascade.write.behind.flushed", cache));
      assertEquals(100, wb.getRecordsFlushed());
    } finally {
      gate.countDown();
      GATES.remove(table);
      TestDatabase.dropTable(table);
    }
  }

  private static double count(
      MeterRegistry registry, String meter, Cache<?, ?> cache, String... tags) {
    return registry.get(meter).tag("cache", cache.getName()).tags(tags).functionCounter().count();
  }

  private static double gauge(MeterRegistry registry, String meter, Cache<?, ?> cache) {
    return registry
        .get(meter)
        .tag("cache", cache.getName())
        .meter()
        .measure()
        .iterator()
        .next()
        .getValue();
  }

  /**
   * Reads {@code key} until the near cache serves a read, and says how many reads that took. A new
   * cache's near cache is bypassed until Redis confirms its invalidations (set up asynchronously,
   * so the first reads after creating it may all go to Redis); every read is a JCache hit either
   * way.
   */
  private static int getsUntilANearHit(MeterRegistry registry, Cache<String, ?> cache, String key) {
    int[] gets = {0};
    awaitTrue(
        () -> {
          cache.get(key);
          gets[0]++;
          return count(registry, "cascade.near.cache.gets", cache, "result", "hit") >= 1;
        },
        "a near-cache hit reading " + key + " of cache " + cache.getName());
    return gets[0];
  }

  /** Polls {@code condition} for up to 60 s; fails with {@code what} if it never holds. */
  private static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("within 60 s: " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Makes a {@link GatedWriter} for one table (JCache factories are serializable). */
  static final class GatedWriterFactory implements Factory<CacheWriter<String, String>> {
    private static final long serialVersionUID = 1L;
    private final String table;

    GatedWriterFactory(String table) {
      this.table = table;
    }

    @Override
    public CacheWriter<String, String> create() {
      return new GatedWriter(table);
    }
  }

  /** {@link JdbcCacheWriter} into the table, each call first waiting for the table's gate. */
  static final class GatedWriter implements CacheWriter<String, String>, Serializable {
    private static final long serialVersionUID = 1L;
    private final String table;
    private final transient JdbcCacheWriter<String, String> jdbc;

    GatedWriter(String table) {
      this.table = table;
      this.jdbc =
          new JdbcCacheWriter<>(
              TestDatabase.dataSource(),
              TableMapping.scalar(table, "k", String.class, "v", String.class));
    }

    private void pass() {
      CountDownLatch gate = GATES.get(table);
      try {
        // bounded: a test that never opens the gate fails on its own assertions, not here
        if (gate != null) {
          gate.await(30, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      pass();
      jdbc.write(entry);
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      pass();
      jdbc.writeAll(entries);
    }

    @Override
    public void delete(Object key) {
      pass();
      jdbc.delete(key);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      pass();
      jdbc.deleteAll(keys);
    }
  }
}
