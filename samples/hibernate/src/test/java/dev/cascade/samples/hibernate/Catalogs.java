package dev.cascade.samples.hibernate;

import dev.cascade.testing.TestDatabase;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.spi.CachingProvider;
import org.apache.commons.dbcp2.BasicDataSource;

/**
 * Opens {@link Catalog}s the way the sample does, on tables unique to one test class (created by
 * the first catalog with hbm2ddl, dropped when this closes), and closes them in reverse order.
 */
final class Catalogs implements AutoCloseable {

  /** The sample's tables, children first. */
  private static final String[] TABLES = {"product_tag", "product", "category", "stock"};

  /**
   * The test database through MariaDB's driver: MySQL Connector/J (TestDatabase's pool) reports
   * MariaDB 10.x as MySQL 5.5.5, and Hibernate would pick its MySQL dialect and warn.
   */
  private static final BasicDataSource POOL = new BasicDataSource();

  static {
    POOL.setUrl(TestDatabase.configuredUrl().replaceFirst("^jdbc:mysql:", "jdbc:mariadb:"));
    POOL.setMaxTotal(8);
  }

  private final String tablePrefix = TestDatabase.uniqueTableName("hib") + "_";
  private final Deque<Catalog> opened = new ArrayDeque<>();
  private final Deque<CacheManager> managers = new ArrayDeque<>();

  /** With hibernate-jcache's own CacheManager for {@code cascadeUri} (the sample's settings). */
  Catalog open(String cascadeUri, Map<String, Object> overrides) {
    Map<String, Object> settings = Catalog.settings(POOL, cascadeUri);
    return open(settings, overrides);
  }

  /**
   * With a CacheManager of its own for {@code cascadeUri}: JCache hands out one manager per URI and
   * class loader, so a second SessionFactory of the same JVM would share the first one's (and
   * hibernate-jcache closes it with either). A child class loader makes a second manager, as a
   * second JVM would have. The manager is the application's: cascade-hibernate's region factory
   * leaves it open, and {@link #close()} closes it.
   */
  Catalog openWithOwnManager(String cascadeUri, Map<String, Object> overrides) {
    // Cascade's own URI form for a resource; hibernate.javax.cache.uri takes the bare name
    String managerUri = cascadeUri.contains(":") ? cascadeUri : "classpath:" + cascadeUri;
    CachingProvider provider = Caching.getCachingProvider("dev.cascade.CascadeCachingProvider");
    ClassLoader own = new URLClassLoader(new URL[0], getClass().getClassLoader());
    CacheManager manager = provider.getCacheManager(URI.create(managerUri), own);
    managers.push(manager);
    Map<String, Object> settings = Catalog.settings(POOL, cascadeUri);
    settings.remove("hibernate.javax.cache.uri");
    settings.put("hibernate.javax.cache.cache_manager", manager);
    return open(settings, overrides);
  }

  private Catalog open(Map<String, Object> settings, Map<String, Object> overrides) {
    settings.put("hibernate.physical_naming_strategy", new PrefixedTableNames(tablePrefix));
    // create-only: create-drop would first drop tables that do not exist, and log each failure
    settings.put("hibernate.hbm2ddl.auto", opened.isEmpty() ? "create-only" : "none");
    settings.putAll(overrides);
    Catalog catalog = Catalog.open(settings);
    opened.push(catalog);
    return catalog;
  }

  String tablePrefix() {
    return tablePrefix;
  }

  @Override
  public void close() {
    while (!opened.isEmpty()) {
      opened.pop().close();
    }
    while (!managers.isEmpty()) {
      managers.pop().close(); // closed already where hibernate-jcache's own factory ran
    }
    for (String table : TABLES) {
      TestDatabase.execute("DROP TABLE IF EXISTS " + tablePrefix + table);
    }
  }
}
