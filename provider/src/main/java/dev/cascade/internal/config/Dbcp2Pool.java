package dev.cascade.internal.config;

import java.sql.SQLException;
import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;

/**
 * The only class that touches DBCP2 (an optional dependency): loaded when a declared data source is
 * first used, after {@link DataSources} checked that DBCP2 is there.
 */
final class Dbcp2Pool {

  private Dbcp2Pool() {}

  static DataSource open(DataSources.Spec spec, ClassLoader loader) {
    BasicDataSource pool = new BasicDataSource();
    pool.setUrl(spec.url);
    if (spec.username != null) {
      pool.setUsername(spec.username);
    }
    if (spec.password != null) {
      pool.setPassword(spec.password);
    }
    if (spec.driver != null) {
      pool.setDriverClassName(spec.driver);
    }
    if (loader != null) {
      pool.setDriverClassLoader(loader);
    }
    if (spec.maxTotal != null) {
      pool.setMaxTotal(spec.maxTotal);
    }
    if (spec.maxIdle != null) {
      pool.setMaxIdle(spec.maxIdle);
    }
    if (spec.minIdle != null) {
      pool.setMinIdle(spec.minIdle);
    }
    if (spec.maxWait != null) {
      pool.setMaxWait(spec.maxWait);
    }
    return pool;
  }

  static void close(DataSource pool) throws SQLException {
    ((BasicDataSource) pool).close();
  }
}
