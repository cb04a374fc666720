package dev.cascade.jdbc;

import dev.cascade.testing.FixtureException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;

/**
 * The databases besides the shared MariaDB ({@code TestDatabase}): H2 in memory and the PostgreSQL
 * server, each behind a DBCP2 pool as users would have it, and SQL helpers that work on any of
 * them.
 */
final class Databases {

  static final String PG_ENVIRONMENT = "CASCADE_TEST_PG_URL";
  static final String PG_DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  private Databases() {}

  /**
   * A fresh private H2 in-memory database; {@code mode} is e.g. {@code "MySQL"}, or null for H2's
   * own.
   */
  static BasicDataSource h2(String mode) {
    String url =
        "jdbc:h2:mem:cascade_"
            + UUID.randomUUID().toString().replace("-", "")
            + ";DB_CLOSE_DELAY=-1"
            + (mode == null ? "" : ";MODE=" + mode);
    return pool("org.h2.Driver", url);
  }

  /**
   * A pool over {@code CASCADE_TEST_PG_URL}, else {@value #PG_DEFAULT_URL}; fails (never skips) if
   * down.
   */
  static BasicDataSource postgres() {
    String url = System.getenv(PG_ENVIRONMENT);
    return pool(
        "org.postgresql.Driver", url == null || url.isBlank() ? PG_DEFAULT_URL : url.trim());
  }

  static BasicDataSource pool(String driver, String url) {
    BasicDataSource pool = new BasicDataSource();
    pool.setDriverClassName(driver);
    pool.setUrl(url);
    pool.setMaxTotal(8);
    pool.setMaxWait(Duration.ofSeconds(10));
    try (Connection c = pool.getConnection()) {
      c.isValid(5);
      return pool;
    } catch (SQLException e) {
      close(pool);
      throw new FixtureException(
          "Cannot reach the test database at "
              + url
              + " ("
              + e.getMessage()
              + "); for PostgreSQL start it or set "
              + PG_ENVIRONMENT,
          e);
    }
  }

  static void close(BasicDataSource pool) {
    try {
      pool.close();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static int execute(DataSource ds, String sql, Object... params) {
    try (Connection c = ds.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        s.setObject(i + 1, params[i]);
      }
      s.execute();
      return Math.max(0, s.getUpdateCount());
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** Every row of a (id, name, price) table, by id. */
  static Map<Long, Product> products(DataSource ds, String table) {
    Map<Long, Product> rows = new LinkedHashMap<>();
    try (Connection c = ds.getConnection();
        PreparedStatement s =
            c.prepareStatement("SELECT id, name, price FROM " + table + " ORDER BY id");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        rows.put(rs.getLong(1), new Product(rs.getString(2), rs.getBigDecimal(3)));
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static long count(DataSource ds, String table) {
    try (Connection c = ds.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM " + table);
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
