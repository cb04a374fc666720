package dev.cascade.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.net.URI;
import javax.cache.CacheManager;
import javax.cache.Caching;
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

  /**
   * One CacheManager of the application's, handed to two SessionFactories (as Spring Boot's recipe
   * hands Boot's JCache manager to Hibernate): closing the first leaves the manager open, and the
   * second goes on reading and writing its cached entities. hibernate-jcache closed the manager
   * with the first.
   */
  @Test
  void applicationsManager_sharedByTwoSessionFactories_staysOpenWhenTheFirstCloses() {
    CacheManager manager = offers.manager();
    SessionFactory first = offers.open(CascadeStrategyRegistrations.SHORT_NAME, manager);
    SessionFactory second = offers.open(CascadeStrategyRegistrations.SHORT_NAME, manager);
    long id = Offers.add(second, 1_000);
    second.getCache().evictEntityData(Offer.class, id); // Redis outlives the tests' tables
    assertEquals(1_000, Offers.price(second, id));

    first.close();

    assertFalse(manager.isClosed(), "the application's manager is left open");
    Offers.reprice(second, id, 2_000); // writes the entry through the manager
    Statistics stats = second.getStatistics();
    stats.clear();
    assertEquals(2_000, Offers.price(second, id));
    assertEquals(0, stats.getPrepareStatementCount(), "read from the cache, not the database");
    assertEquals(1, stats.getSecondLevelCacheHitCount());
  }

  /**
   * A manager the factory obtained itself is the SessionFactory's: closed with it, and so kept out
   * of Cascade's JVM shutdown hook, which would close it under the SessionFactory.
   */
  @Test
  void factorysOwnManager_optsOutOfTheShutdownHook_andClosesWithTheSessionFactory() {
    SessionFactory factory =
        offers.openWithFactorysManager(CascadeStrategyRegistrations.SHORT_NAME);
    CacheManager manager =
        ((CascadeRegionFactory)
                factory.unwrap(SessionFactoryImplementor.class).getCache().getRegionFactory())
            .getCacheManager();
    assertEquals("false", manager.getProperties().getProperty("cascade.shutdown-hook"));

    factory.close();

    assertTrue(manager.isClosed(), "the factory's own manager closed with the SessionFactory");
  }

  /**
   * The region factory's manager is its SessionFactory's own ({@code cascade.instance}): it opens
   * beside a manager the application opened for the same URI (asking for that one with other
   * properties fails), and two SessionFactories do not share one that the first would close.
   */
  @Test
  void factorysOwnManagers_openBesideTheApplications_andCloseOneByOne() {
    SessionFactory probe = offers.openWithFactorysManager(CascadeStrategyRegistrations.SHORT_NAME);
    CacheManager probed = managerOf(probe);
    URI uri = probed.getURI();
    ClassLoader loader = probed.getClassLoader();
    probe.close();
    CacheManager applications =
        Caching.getCachingProvider("dev.cascade.CascadeCachingProvider")
            .getCacheManager(uri, loader);
    try {
      SessionFactory first =
          offers.openWithFactorysManager(CascadeStrategyRegistrations.SHORT_NAME);
      SessionFactory second =
          offers.openWithFactorysManager(CascadeStrategyRegistrations.SHORT_NAME);
      assertNotSame(managerOf(first), managerOf(second));
      assertNotSame(applications, managerOf(first));
      long id = Offers.add(second, 1_000);

      first.close();

      assertFalse(applications.isClosed());
      Offers.reprice(second, id, 2_000);
      assertEquals(2_000, Offers.price(second, id));
    } finally {
      applications.close();
    }
  }

  private static CacheManager managerOf(SessionFactory factory) {
    return ((CascadeRegionFactory)
            factory.unwrap(SessionFactoryImplementor.class).getCache().getRegionFactory())
        .getCacheManager();
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
