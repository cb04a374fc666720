package dev.cascade.samples.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.util.Map;
import java.util.Set;
import org.hibernate.stat.CacheRegionStatistics;
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
 * One SessionFactory on Cascade (a private redis-server) and MariaDB: the second read of an entity,
 * a collection or a natural id issues no SQL, for each access strategy. Counted with Hibernate's
 * Statistics: statements prepared, and hits, misses and puts of each region.
 */
@WithRedis
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecondLevelCacheTest {

  private final Catalogs catalogs = new Catalogs();
  private Catalog catalog;
  private long productId;

  @BeforeAll
  void open(RedisServer redis) {
    RedisUnderTest.use(redis);
    catalog = catalogs.open(Catalog.CASCADE_FILE, settings());
    productId = catalog.addProduct("SKU-7", "Kettle", 2_999, Set.of("kitchen", "new"));
    catalog.setStock(productId, 12);
    catalog.addCategory(3, "Kitchen");
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
  void emptyTheCache() {
    catalog.sessionFactory().getCache().evictAllRegions();
    catalog.statistics().clear();
  }

  /** One entity per access strategy, and how to load it. */
  enum Strategy {
    READ_WRITE(Product.REGION, (c, id) -> c.product(id)),
    NONSTRICT_READ_WRITE(Stock.REGION, (c, id) -> c.stock(id)),
    READ_ONLY(Category.REGION, (c, id) -> c.category(3));

    final String region;
    final Loader loader;

    Strategy(String region, Loader loader) {
      this.region = region;
      this.loader = loader;
    }
  }

  interface Loader {
    Object load(Catalog catalog, long productId);
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void secondLoad_issuesNoSql_andHitsTheRegion(Strategy strategy) {
    Round first = round(() -> strategy.loader.load(catalog, productId), strategy.region);
    Round second = round(() -> strategy.loader.load(catalog, productId), strategy.region);

    assertEquals(new Round(1, 0, 1, 1), first, "first load: one SELECT, a miss and a put");
    assertEquals(new Round(0, 1, 0, 0), second, "second load: no SQL, one hit");
  }

  @Test
  void collection_secondRead_issuesNoSql_andHitsTheCollectionRegion() {
    round(() -> catalog.product(productId), Product.REGION); // the owner, cached

    Round first = round(() -> catalog.tags(productId), Product.TAGS_REGION);
    Round second = round(() -> catalog.tags(productId), Product.TAGS_REGION);

    assertEquals(new Round(1, 0, 1, 1), first, "the tags: one SELECT, a miss and a put");
    assertEquals(new Round(0, 1, 0, 0), second, "again: from the collection region");
    assertEquals(Set.of("kitchen", "new"), catalog.tags(productId));
  }

  @Test
  void naturalId_secondLookup_issuesNoSql_andHitsTheNaturalIdRegion() {
    Round first = round(() -> catalog.productBySku("SKU-7"), Product.SKU_REGION);
    Statistics stats = catalog.statistics();
    stats.clear();
    assertEquals(productId, catalog.productBySku("SKU-7").orElseThrow().getId());

    assertEquals(0, first.hits(), "first lookup: the SKU region was empty");
    assertEquals(0, stats.getPrepareStatementCount(), "second lookup: no SQL");
    assertEquals(1, region(Product.SKU_REGION).getHitCount(), "SKU -> id from its region");
    assertEquals(1, region(Product.REGION).getHitCount(), "then the product from its own");
  }

  @Test
  void queryCache_secondRun_issuesNoSql() {
    catalog.productsPricedBelow(5_000);
    Statistics stats = catalog.statistics();
    stats.clear();

    assertEquals(1, catalog.productsPricedBelow(5_000).size());
    assertEquals(0, stats.getPrepareStatementCount(), "no SQL: results, then entities, cached");
    assertEquals(1, stats.getQueryCacheHitCount());
  }

  @Test
  void update_readWrite_replacesTheEntry_soTheNextLoadIsAHitWithTheNewValue() {
    catalog.product(productId);
    catalog.reprice(productId, 3_499);
    catalog.statistics().clear();

    assertEquals(3_499, catalog.product(productId).getPriceCents());
    assertEquals(0, catalog.statistics().getPrepareStatementCount());
    assertTrue(region(Product.REGION).getHitCount() == 1, "READ_WRITE puts the updated state");
    catalog.reprice(productId, 2_999);
  }

  /** SQL statements, and hits, misses and puts of one region, during {@code work}. */
  record Round(long statements, long hits, long misses, long puts) {}

  private Round round(Runnable work, String region) {
    catalog.statistics().clear();
    work.run();
    CacheRegionStatistics r = region(region);
    return new Round(
        catalog.statistics().getPrepareStatementCount(),
        r.getHitCount(),
        r.getMissCount(),
        r.getPutCount());
  }

  private CacheRegionStatistics region(String name) {
    return catalog.statistics().getDomainDataRegionStatistics(name);
  }
}
