package dev.cascade.hibernate;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.spi.CachingProvider;
import org.apache.commons.dbcp2.BasicDataSource;
import org.hibernate.SessionFactory;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.model.naming.Identifier;
import org.hibernate.boot.model.naming.PhysicalNamingStrategyStandardImpl;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.engine.jdbc.env.spi.JdbcEnvironment;

/**
 * Opens SessionFactories of {@link Offer} on a test's private redis-server, each with a
 * CacheManager of its own (as a JVM of its own would have) unless the test shares one, on a table
 * unique to the test (created by the first factory, dropped on close); closes them in reverse
 * order, then the managers.
 */
final class Offers implements AutoCloseable {

  /**
   * The test database through MariaDB's driver: with MySQL Connector/J (TestDatabase's pool)
   * Hibernate takes MariaDB 10.x for MySQL 5.5.5 and warns.
   */
  private static final BasicDataSource POOL = new BasicDataSource();

  static {
    POOL.setUrl(TestDatabase.configuredUrl().replaceFirst("^jdbc:mysql:", "jdbc:mariadb:"));
    POOL.setMaxTotal(8);
  }

  private final String tablePrefix = TestDatabase.uniqueTableName("hibmod") + "_";
  private final Deque<SessionFactory> opened = new ArrayDeque<>();
  private final Deque<CacheManager> managers = new ArrayDeque<>();

  /** Points {@code offers.yaml}, which names no Redis, at {@code redis}. */
  Offers(RedisServer redis) {
    System.setProperty("cascade.redis.uri", redis.uri());
  }

  /**
   * A SessionFactory whose {@code hibernate.cache.region.factory_class} is {@code regionFactory} (a
   * name or an instance), with a CacheManager of its own ({@link #manager()}).
   */
  SessionFactory open(Object regionFactory) {
    return open(regionFactory, manager());
  }

  /**
   * A CacheManager of {@code offers.yaml} that {@link #close()} closes. JCache hands out one
   * manager per URI and class loader: a child class loader makes another one, as another JVM would
   * have.
   */
  CacheManager manager() {
    CachingProvider provider = Caching.getCachingProvider("dev.cascade.CascadeCachingProvider");
    ClassLoader own = new URLClassLoader(new URL[0], getClass().getClassLoader());
    CacheManager manager = provider.getCacheManager(URI.create("classpath:offers.yaml"), own);
    managers.push(manager);
    return manager;
  }

  /**
   * A SessionFactory as {@link #open(Object)} opens it, on {@code manager}, which the application
   * passes in ({@code hibernate.javax.cache.cache_manager}) and so closes itself.
   */
  SessionFactory open(Object regionFactory, CacheManager manager) {
    Map<String, Object> s = new HashMap<>();
    s.put("hibernate.javax.cache.cache_manager", manager);
    return open(regionFactory, s);
  }

  /**
   * A SessionFactory whose region factory asks the provider for the manager of {@code offers.yaml}
   * itself ({@code hibernate.javax.cache.uri}), and closes it.
   */
  SessionFactory openWithFactorysManager(Object regionFactory) {
    Map<String, Object> s = new HashMap<>();
    s.put("hibernate.javax.cache.provider", "dev.cascade.CascadeCachingProvider");
    s.put("hibernate.javax.cache.uri", "offers.yaml");
    return open(regionFactory, s);
  }

  private SessionFactory open(Object regionFactory, Map<String, Object> s) {
    s.put("hibernate.connection.datasource", POOL);
    s.put("hibernate.cache.use_second_level_cache", "true");
    s.put("hibernate.cache.region.factory_class", regionFactory);
    s.put("hibernate.javax.cache.missing_cache_strategy", "fail");
    s.put("hibernate.generate_statistics", "true");
    s.put("hibernate.physical_naming_strategy", new PrefixedTableNames(tablePrefix));
    // create-only: create-drop would first drop a table that does not exist, and log the failure
    s.put("hibernate.hbm2ddl.auto", opened.isEmpty() ? "create-only" : "none");
    StandardServiceRegistry registry =
        new StandardServiceRegistryBuilder().applySettings(s).build();
    try {
      SessionFactory factory =
          new MetadataSources(registry)
              .addAnnotatedClass(Offer.class)
              .buildMetadata()
              .buildSessionFactory();
      opened.push(factory);
      return factory;
    } catch (RuntimeException e) {
      StandardServiceRegistryBuilder.destroy(registry);
      throw e;
    }
  }

  static long add(SessionFactory factory, long priceCents) {
    return factory.fromTransaction(
        s -> {
          Offer offer = new Offer(priceCents);
          s.persist(offer);
          return offer.getId();
        });
  }

  static long price(SessionFactory factory, long id) {
    return factory.fromTransaction(s -> s.find(Offer.class, id).getPriceCents());
  }

  static void reprice(SessionFactory factory, long id, long priceCents) {
    factory.inTransaction(s -> s.find(Offer.class, id).setPriceCents(priceCents));
  }

  @Override
  public void close() {
    try {
      while (!opened.isEmpty()) {
        SessionFactory factory = opened.pop();
        if (factory.isOpen()) {
          factory.close();
        }
      }
      // an application's managers: the region factory leaves them open
      while (!managers.isEmpty()) {
        managers.pop().close();
      }
      TestDatabase.execute("DROP TABLE IF EXISTS " + tablePrefix + "offer");
    } finally {
      System.clearProperty("cascade.redis.uri");
    }
  }

  /** A prefix unique to one test before the table name, in the shared database. */
  private static final class PrefixedTableNames extends PhysicalNamingStrategyStandardImpl {

    private final String prefix;

    PrefixedTableNames(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public Identifier toPhysicalTableName(Identifier logical, JdbcEnvironment environment) {
      return Identifier.toIdentifier(prefix + logical.getText(), logical.isQuoted());
    }
  }
}
