package dev.cascade.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.samples.demo.CountingWriter;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import dev.cascade.testing.WithRedis;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Write-behind view counts on a private Redis and the real MariaDB. */
@WithRedis
@Timeout(180)
class ViewCountsTest {

  static final int THREADS = 8;
  static final int VIEWS_PER_THREAD = 2_000;
  static final int PRODUCTS = 20;

  private final Tables tables = new Tables();
  private final CountingWriter.Counts counts = new CountingWriter.Counts();
  private CacheManager manager;
  private String table;
  private ViewCounts views;

  @BeforeEach
  void open(RedisServer redis) {
    manager =
        Caching.getCachingProvider()
            .getCacheManager(URI.create(redis.uri()), getClass().getClassLoader());
    table = TestDatabase.uniqueTableName("views");
    tables.create(table, ViewCounts.createTableSql(table));
    views =
        new ViewCounts(
            manager,
            table,
            TestDatabase.dataSource(),
            CountingWriter.factory(
                ViewCounts.writerFactory(TestDatabase.dataSource(), table), counts),
            Duration.ofMillis(500));
  }

  @AfterEach
  void close() {
    manager.destroyCache(table);
    manager.close();
    tables.close();
  }

  private Map<Long, Long> rows() {
    return new TreeMap<>(
        TestDatabase.queryMap("SELECT product_id, views FROM " + table, Long.class, Long.class));
  }

  private Map<Long, Long> cached() {
    Map<Long, Long> out = new TreeMap<>();
    for (Cache.Entry<Long, Long> e : views.cache()) {
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  @Test
  void recordView_fromEightThreads_tableEndsWithTheExactTotalsInFewRowWrites() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      // every thread views every product in turn, so all threads race on the same counters
      done.add(
          pool.submit(
              () -> {
                for (int i = 0; i < VIEWS_PER_THREAD; i++) {
                  views.recordView((thread + i) % PRODUCTS);
                }
              }));
    }
    for (Future<?> f : done) {
      f.get(150, TimeUnit.SECONDS);
    }
    pool.shutdown();

    assertTrue(
        views.awaitFlushed(Duration.ofSeconds(60)),
        "queue drained; last error: " + views.writeBehind().getLastError());
    long total = (long) THREADS * VIEWS_PER_THREAD;
    Map<Long, Long> expected = new TreeMap<>();
    for (long p = 0; p < PRODUCTS; p++) {
      expected.put(p, total / PRODUCTS);
    }
    assertEquals(expected, cached(), "no increment was lost in Redis");
    assertEquals(expected, rows(), "the table has the exact totals");

    long written = counts.rows.sum();
    assertEquals(
        total,
        written + views.writeBehind().getRecordsCoalesced(),
        "every view was written or coalesced");
    assertTrue(
        written <= total / 4, "coalescing: " + written + " row writes for " + total + " views");
    assertTrue(
        counts.statements.sum() <= counts.calls.sum(),
        "batched: at most one statement per writer call here");
  }

  @Test
  void recordView_ofProductCountedBefore_continuesFromTheTableCount() throws Exception {
    TestDatabase.execute("INSERT INTO " + table + " (product_id, views) VALUES (7, 100)");

    assertEquals(101, views.recordView(7), "read-through: started from the table's 100");
    assertEquals(1, views.recordView(8), "a product never viewed starts at 0");
    assertTrue(views.awaitFlushed(Duration.ofSeconds(30)));
    assertEquals(Map.of(7L, 101L, 8L, 1L), rows());
  }
}
