package dev.cascade.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import dev.cascade.testing.WithRedis;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.integration.CacheWriterException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hybrid shop on a private Redis and the real MariaDB. */
@WithRedis
@Timeout(180)
class ShopTest {

  private final Tables tables = new Tables();
  private CacheManager manager;
  private Shop.Tables names;
  private Shop shop;

  @BeforeEach
  void open(RedisServer redis) {
    manager =
        Caching.getCachingProvider()
            .getCacheManager(URI.create(redis.uri()), getClass().getClassLoader());
    names = Shop.Tables.withPrefix(TestDatabase.uniqueTableName("shop") + "_");
    names.all().forEach(tables::remember);
    Shop.createTableSql(names).forEach(TestDatabase::execute);
    for (long id = 1; id <= 10; id++) {
      TestDatabase.execute(
          "INSERT INTO " + names.products() + " (id, name, description) VALUES (?, ?, ?)",
          id,
          "product " + id,
          "the description of product " + id);
    }
    shop = new Shop(manager, TestDatabase.dataSource(), names, Duration.ofMillis(200));
  }

  @AfterEach
  void close() {
    names.all().forEach(manager::destroyCache);
    manager.close();
    tables.close();
  }

  private Map<Long, BigDecimal> priceRows() {
    return new TreeMap<>(
        TestDatabase.queryMap(
            "SELECT product_id, price FROM " + names.prices(), Long.class, BigDecimal.class));
  }

  private Map<Long, Long> viewRows() {
    return new TreeMap<>(
        TestDatabase.queryMap(
            "SELECT product_id, views FROM " + names.views(), Long.class, Long.class));
  }

  private static <V> Map<Long, V> contents(Cache<Long, V> cache) {
    Map<Long, V> out = new TreeMap<>();
    for (Cache.Entry<Long, V> e : cache) {
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  @Test
  void updateProductPrice_isInTheTableBeforeItReturns() {
    shop.updateProductPrice(1, new BigDecimal("19.99"));

    assertEquals(Map.of(1L, new BigDecimal("19.99")), priceRows(), "write-through: no waiting");
    assertEquals(Map.of(1L, new BigDecimal("19.99")), contents(shop.prices()));
  }

  @Test
  void updateProductPrice_refused_keepsTheOldPriceEverywhere() {
    shop.updateProductPrice(2, new BigDecimal("5.00"));

    assertThrows(CacheWriterException.class, () -> shop.updateProductPrice(2, BigDecimal.ZERO));

    assertEquals(Map.of(2L, new BigDecimal("5.00")), priceRows());
    assertEquals(Map.of(2L, new BigDecimal("5.00")), contents(shop.prices()));
  }

  @Test
  void productPage_detailsReadThroughOnce_countsFromRedisAhead() throws Exception {
    TestDatabase.execute("INSERT INTO " + names.prices() + " (product_id, price) VALUES (3, 7.50)");
    assertFalse(shop.products().containsKey(3L));

    shop.recordView(3);
    shop.recordView(3);
    Optional<Shop.ProductPage> page = shop.productPage(3);

    assertEquals(
        Optional.of(
            new Shop.ProductPage(
                3,
                new Product("product 3", "the description of product 3"),
                new BigDecimal("7.50"),
                2)),
        page);
    assertTrue(shop.products().containsKey(3L), "details kept in Redis");
    assertTrue(shop.prices().containsKey(3L), "price kept in Redis");
    assertEquals(Optional.empty(), shop.productPage(404));
    assertTrue(shop.views().awaitFlushed(Duration.ofSeconds(30)));
    assertEquals(Map.of(3L, 2L), viewRows());
  }

  @Test
  void mixedLoad_fromFourThreads_tablesEqualRedisAfterTheDrain() throws Exception {
    LongAdder viewsRecorded = new LongAdder();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      done.add(
          pool.submit(
              () -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < 1_000; i++) {
                  long id = 1 + random.nextInt(10);
                  int op = random.nextInt(10);
                  if (op == 0) {
                    shop.updateProductPrice(
                        id, BigDecimal.valueOf(100 + random.nextInt(10_000), 2));
                  } else if (op < 7) {
                    shop.recordView(id);
                    viewsRecorded.increment();
                  } else {
                    shop.productPage(id);
                  }
                }
              }));
    }
    for (Future<?> f : done) {
      f.get(150, TimeUnit.SECONDS);
    }
    pool.shutdown();

    assertTrue(shop.views().awaitFlushed(Duration.ofSeconds(60)));
    assertEquals(contents(shop.prices()), priceRows(), "prices: table == Redis");
    Map<Long, Long> views = contents(shop.views().cache());
    assertEquals(views, viewRows(), "view counts: table == Redis");
    assertEquals(
        viewsRecorded.sum(),
        views.values().stream().mapToLong(Long::longValue).sum(),
        "no view lost");
  }
}
