package dev.cascade.samples.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two SessionFactories, each with its own Cascade CacheManager, on one Redis and one database: as
 * two JVMs of one application would be. What one commits, the other never reads stale, from the
 * entity regions or from the query cache.
 */
@WithRedis
@Timeout(300)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoSessionFactoriesTest {

  private static final int ROUNDS = 100;

  private final Catalogs catalogs = new Catalogs();
  private Catalog a;
  private Catalog b;
  private long productId;

  @BeforeAll
  void open(RedisServer redis) {
    RedisUnderTest.use(redis);
    a = catalogs.openWithOwnManager(Catalog.CASCADE_FILE, settings());
    b = catalogs.openWithOwnManager(Catalog.CASCADE_FILE, settings());
    productId = a.addProduct("SKU-2SF", "Teapot", 1_000, Set.of("kitchen"));
    a.setStock(productId, 0);
  }

  /** The sample's settings as the tests override them; a subclass runs the same tests on others. */
  Map<String, Object> settings() {
    return RedisUnderTest.SETTINGS;
  }

  @AfterAll
  void close() {
    catalogs.close();
    RedisUnderTest.release();
  }

  @BeforeEach
  void clearStatistics() {
    a.statistics().clear();
    b.statistics().clear();
  }

  /** A value that one factory writes and the other reads. */
  enum Updated {
    PRODUCT_PRICE_READ_WRITE(
        (c, id, v) -> c.reprice(id, v), (c, id) -> c.product(id).getPriceCents(), Product.REGION),
    STOCK_NONSTRICT_READ_WRITE(
        (c, id, v) -> c.setStock(id, (int) v), (c, id) -> c.stock(id), Stock.REGION);

    final Writer writer;
    final Reader reader;
    final String region;

    Updated(Writer writer, Reader reader, String region) {
      this.writer = writer;
      this.reader = reader;
      this.region = region;
    }
  }

  interface Writer {
    void write(Catalog catalog, long id, long value);
  }

  interface Reader {
    long read(Catalog catalog, long id);
  }

  @ParameterizedTest
  @EnumSource(Updated.class)
  void interleavedUpdates_theOtherFactoryReadsEveryCommittedValue(Updated what) {
    for (int round = 1; round <= ROUNDS; round++) {
      Catalog writer = round % 2 == 0 ? a : b;
      Catalog reader = writer == a ? b : a;
      long value = 10_000 + round;
      what.reader.read(reader, productId); // the reader holds the old value in the cache...
      what.reader.read(reader, productId);

      what.writer.write(writer, productId, value);

      assertEquals(
          value, what.reader.read(reader, productId), "round " + round + ": other factory");
      assertEquals(value, what.reader.read(writer, productId), "round " + round + ": writer");
    }
    long hits = hits(a, what.region) + hits(b, what.region);
    assertTrue(hits >= ROUNDS, "reads were served by the cache, not only by SQL: " + hits);
    System.out.printf(
        "%s: %d rounds, 4 reads each; SQL statements %d, L2 hits %d, misses %d, puts %d%n",
        what,
        ROUNDS,
        a.statistics().getPrepareStatementCount() + b.statistics().getPrepareStatementCount(),
        hits,
        misses(a, what.region) + misses(b, what.region),
        puts(a, what.region) + puts(b, what.region));
  }

  /**
   * One factory updates in a loop while threads of the other read. READ_WRITE: a read that starts
   * after a commit returned sees that value or a newer one, and once the writer stops both
   * factories read the last value. NONSTRICT_READ_WRITE promises less: a load that read the old row
   * while an update ran may put it back after the update's eviction (in one JVM as in two), so
   * stale reads are counted, not forbidden; the next update evicts the entry again.
   */
  @ParameterizedTest
  @EnumSource(Updated.class)
  void concurrentReadsDuringUpdates_readWriteNeverOlderThanTheLastCommitBeforeTheRead(Updated what)
      throws Exception {
    AtomicLong committed = new AtomicLong(20_000);
    what.writer.write(a, productId, committed.get());
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLong stale = new AtomicLong();
    AtomicLong reads = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> readers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        readers.add(
            pool.submit(
                () -> {
                  while (writing.get()) {
                    long floor = committed.get();
                    if (what.reader.read(b, productId) < floor) {
                      stale.incrementAndGet();
                    }
                    reads.incrementAndGet();
                  }
                }));
      }
      for (long v = committed.get() + 1; v <= 20_000 + ROUNDS; v++) {
        what.writer.write(a, productId, v);
        committed.set(v);
      }
      writing.set(false);
      for (Future<?> r : readers) {
        r.get(60, TimeUnit.SECONDS);
      }
      long lastB = what.reader.read(b, productId);
      System.out.printf(
          "%s: %d updates in A while B read %d times: %d stale reads; B's L2 hits %d, misses %d;"
              + " B reads %d after the last commit %d%n",
          what,
          ROUNDS,
          reads.get(),
          stale.get(),
          hits(b, what.region),
          misses(b, what.region),
          lastB,
          committed.get());
      if (what == Updated.PRODUCT_PRICE_READ_WRITE) {
        assertEquals(0, stale.get(), "READ_WRITE: no read older than the last commit before it");
        assertEquals(committed.get(), lastB, "the other factory, after");
        assertEquals(committed.get(), what.reader.read(a, productId), "the writer, after");
      }
      what.writer.write(a, productId, committed.incrementAndGet());
      assertEquals(committed.get(), what.reader.read(b, productId), "after one more update");
      assertTrue(reads.get() > 0);
    } finally {
      writing.set(false);
      pool.shutdownNow();
    }
  }

  @Test
  void queryCache_updateInTheOtherFactory_invalidatesTheResult() {
    long other = a.addProduct("SKU-Q", "Mug", 500, Set.of());
    try {
      List<Long> before = ids(a.productsPricedBelow(800));
      Statistics stats = a.statistics();
      stats.clear();
      assertEquals(before, ids(a.productsPricedBelow(800)));
      assertEquals(0, stats.getPrepareStatementCount(), "cached: no SQL");
      assertEquals(1, stats.getQueryCacheHitCount());

      b.reprice(other, 900); // out of the result, through the other factory
      stats.clear();
      List<Long> after = ids(a.productsPricedBelow(800));

      assertTrue(before.contains(other), "the mug was in the result");
      assertTrue(!after.contains(other), "the mug is out after B's update: " + after);
      assertEquals(0, stats.getQueryCacheHitCount(), "the cached result was not used");
      assertTrue(stats.getPrepareStatementCount() >= 1, "the query ran again");
    } finally {
      b.reprice(other, 500);
    }
  }

  private static List<Long> ids(List<Product> products) {
    return products.stream().map(Product::getId).toList();
  }

  private static long hits(Catalog c, String region) {
    return stat(c, region, s -> s.getDomainDataRegionStatistics(region).getHitCount());
  }

  private static long misses(Catalog c, String region) {
    return stat(c, region, s -> s.getDomainDataRegionStatistics(region).getMissCount());
  }

  private static long puts(Catalog c, String region) {
    return stat(c, region, s -> s.getDomainDataRegionStatistics(region).getPutCount());
  }

  private static long stat(Catalog c, String region, ToLongFunction<Statistics> f) {
    return f.applyAsLong(c.statistics());
  }
}
