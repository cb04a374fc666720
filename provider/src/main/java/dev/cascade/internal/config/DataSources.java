package dev.cascade.internal.config;

import dev.cascade.internal.support.Redaction;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.cache.CacheException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDBC pools a configuration file declares ({@code cascade.datasources.<name>}) for its caches'
 * {@code jdbc} sections: DBCP2 pools (an optional dependency, checked when a data source is
 * declared), opened with the CacheManager's class loader and closed when it closes. A pool opens
 * connections only when a loader or writer first borrows one.
 */
final class DataSources implements AutoCloseable {

  static final String DBCP2 = "org.apache.commons:commons-dbcp2";
  static final List<String> KEYS =
      List.of(
          "url", "username", "password", "driver", "max-total", "max-idle", "min-idle", "max-wait");

  private static final Logger LOG = LoggerFactory.getLogger(DataSources.class);

  /** What a pool is made of; the password is never shown. */
  static final class Spec {
    final ConfigNode node;
    final String url;
    final String username;
    final String password;
    final String driver;
    final Integer maxTotal;
    final Integer maxIdle;
    final Integer minIdle;
    final Duration maxWait;

    Spec(ConfigNode node) {
      node.requireKnown(KEYS);
      this.node = node;
      this.url = node.requiredString("url");
      if (!url.startsWith("jdbc:")) {
        throw node.child("url")
            // a URL may carry ?password=…: shown as every URI is (security.md)
            .fail("expected a JDBC URL (jdbc:…), found '" + Redaction.uri(url) + "'");
      }
      this.username = node.string("username");
      this.password = node.string("password");
      this.driver = node.string("driver");
      this.maxTotal = node.integer("max-total", 1, Integer.MAX_VALUE);
      this.maxIdle = node.integer("max-idle", 0, Integer.MAX_VALUE);
      this.minIdle = node.integer("min-idle", 0, Integer.MAX_VALUE);
      this.maxWait = node.positiveDuration("max-wait");
    }
  }

  private final Map<String, Spec> specs = new LinkedHashMap<>();
  private final Map<String, DataSource> open = new LinkedHashMap<>();
  private final ClassLoader loader;

  DataSources(ConfigNode section, ClassLoader loader) {
    this.loader = loader;
    if (section == null) {
      return;
    }
    for (ConfigNode d : section.children().values()) {
      specs.put(d.name(), new Spec(d));
    }
    if (!specs.isEmpty()) {
      requireDbcp2(specs.values().iterator().next().node);
    }
  }

  boolean isEmpty() {
    return specs.isEmpty();
  }

  /**
   * The pool of that name, opened on first use.
   *
   * @throws CacheException naming {@code reference} (where the name was written) when no data
   *     source of that name is declared
   */
  synchronized DataSource get(String name, ConfigNode reference) {
    Spec spec = specs.get(name);
    if (spec == null) {
      throw reference.fail(
          "no data source '"
              + name
              + "' is declared under cascade.datasources"
              + Suggestions.didYouMean(name, specs.keySet()));
    }
    return open.computeIfAbsent(name, n -> Dbcp2Pool.open(spec, loader));
  }

  private static void requireDbcp2(ConfigNode where) {
    try {
      Class.forName(
          "org.apache.commons.dbcp2.BasicDataSource", false, DataSources.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw where.fail(
          "a data source is a DBCP2 pool, and DBCP2 is not on the class path: add "
              + DBCP2
              + " (2.x) to your dependencies, with your database's JDBC driver");
    }
  }

  /** Closes every pool; a failure is logged, so the other pools still close. */
  @Override
  public synchronized void close() {
    List<Map.Entry<String, DataSource>> all = new ArrayList<>(open.entrySet());
    open.clear();
    for (Map.Entry<String, DataSource> e : all) {
      try {
        Dbcp2Pool.close(e.getValue());
      } catch (RuntimeException | SQLException ex) {
        LOG.warn("Closing data source '{}' failed", e.getKey(), ex);
      }
    }
  }
}
