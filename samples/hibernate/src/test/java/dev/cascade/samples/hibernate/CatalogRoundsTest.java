package dev.cascade.samples.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sample's own rounds ({@link Catalog#main}): three product pages, a lookup by SKU, a category
 * and a cached query. Round 1 starts from an empty cache; rounds 2 and 3 issue no SQL at all.
 */
@WithRedis
@Timeout(120)
class CatalogRoundsTest {

  private final Catalogs catalogs = new Catalogs();

  @BeforeEach
  void redis(RedisServer redis) {
    RedisUnderTest.use(redis);
  }

  @AfterEach
  void close() {
    catalogs.close();
    RedisUnderTest.release();
  }

  @Test
  void rounds_afterTheFirst_issueNoSql() {
    Catalog catalog = catalogs.open(Catalog.CASCADE_FILE, RedisUnderTest.SETTINGS);
    long[] ids = catalog.seed();
    catalog.sessionFactory().getCache().evictAllRegions();

    Catalog.Round first = catalog.readRound(ids, "SKU-1", 1);
    Catalog.Round second = catalog.readRound(ids, "SKU-1", 1);
    Catalog.Round third = catalog.readRound(ids, "SKU-1", 1);
    System.out.printf("round 1: %s%nround 2: %s%nround 3: %s%n", first, second, third);

    assertTrue(first.statements() > 0, "round 1 reads MariaDB: " + first);
    assertEquals(0, second.statements(), "round 2: " + second);
    assertEquals(0, third.statements(), "round 3: " + third);
    assertEquals(second, third);
    assertEquals(1, second.queryCacheHits());
    assertEquals(1, second.naturalIdHits());
  }
}
