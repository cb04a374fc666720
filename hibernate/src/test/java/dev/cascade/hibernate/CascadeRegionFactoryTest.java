package dev.cascade.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import org.hibernate.SessionFactory;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The factory as a user selects it, and its compare-and-set writes caching what plain puts cache: a
 * load and an update each leave a readable entry, so the next read is a hit with no SQL.
 */
@WithRedis
@Timeout(120)
class CascadeRegionFactoryTest {

  private Offers offers;

  @BeforeEach
  void open(RedisServer redis) {
    offers = new Offers(redis);
  }

  @AfterEach
  void close() {
    offers.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"cascade", "dev.cascade.hibernate.CascadeRegionFactory"})
  void factoryClass_shortOrFullName_selectsCascadeRegionFactory(String name) {
    SessionFactory factory = offers.open(name);

    assertInstanceOf(
        CascadeRegionFactory.class,
        factory.unwrap(SessionFactoryImplementor.class).getCache().getRegionFactory());
  }

  @Test
  void readWrite_loadThenUpdate_eachLeavesAReadableEntry() {
    SessionFactory factory = offers.open(CascadeStrategyRegistrations.SHORT_NAME);
    long id = Offers.add(factory, 1_000);
    factory.getCache().evictEntityData(Offer.class, id);
    Statistics stats = factory.getStatistics();

    assertEquals(1_000, Offers.price(factory, id)); // a miss: SQL, then putIfAbsent
    stats.clear();
    assertEquals(1_000, Offers.price(factory, id));
    assertEquals(0, stats.getPrepareStatementCount(), "the load's entry was written");
    assertEquals(1, stats.getSecondLevelCacheHitCount());

    Offers.reprice(factory, id, 2_000); // the lock, then replace(lock, the new value)
    stats.clear();
    assertEquals(2_000, Offers.price(factory, id));
    assertEquals(0, stats.getPrepareStatementCount(), "the update's entry was written");
    assertEquals(1, stats.getSecondLevelCacheHitCount());
  }
}
