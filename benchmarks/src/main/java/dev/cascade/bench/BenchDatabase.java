package dev.cascade.bench;

import dev.cascade.jdbc.TableMapping;
import dev.cascade.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;

/**
 * The database the write-behind benchmarks write to: the test database of {@link TestDatabase}
 * (MariaDB/MySQL through Connector/J, {@code rewriteBatchedStatements=true}), through a pool of our
 * own with room for 16 benchmark threads plus the flushers (TestDatabase's shared pool has 8
 * connections, which 16 write-through threads would queue on).
 *
 * <p>Every table is {@code k VARCHAR(64) PRIMARY KEY, v VARCHAR(255) NOT NULL}, named {@code
 * wbb_<run>_<purpose>_<random>}: {@code <run>} is given by the harness to every fork ({@value
 * #RUN_PROPERTY}), so the harness can drop whatever a fork that died left behind, and nobody else's
 * table is ever touched.
 */
final class BenchDatabase implements AutoCloseable {

  static final String RUN_PROPERTY = "cascade.bench.run";
  static final String TABLE_PREFIX = "wbb_";

  /** Benchmark threads (16) + flush threads + the harness's own checks, with room to spare. */
  static final int POOL_SIZE = 32;

  private final BasicDataSource pool;

  private BenchDatabase(BasicDataSource pool) {
    this.pool = pool;
  }

  static BenchDatabase open() {
    BasicDataSource pool = new BasicDataSource();
    pool.setDriverClassName("com.mysql.cj.jdbc.Driver");
    pool.setUrl(TestDatabase.jdbcUrl());
    pool.setMaxTotal(POOL_SIZE);
    pool.setMaxIdle(POOL_SIZE);
    pool.setMaxWait(Duration.ofSeconds(10));
    try (Connection c = pool.getConnection()) {
      c.isValid(5);
    } catch (SQLException e) {
      try {
        pool.close();
      } catch (SQLException ignored) {
        // never opened
      }
      throw new IllegalStateException(
          "Cannot reach the benchmark database at "
              + TestDatabase.configuredUrl()
              + " ("
              + e.getMessage()
              + "): start MariaDB/MySQL or set "
              + TestDatabase.ENVIRONMENT,
          e);
    }
    return new BenchDatabase(pool);
  }

  DataSource dataSource() {
    return pool;
  }

  /** This run's id (a fork started by hand gets one of its own). */
  static String run() {
    String run = System.getProperty(RUN_PROPERTY);
    if (run == null || run.isBlank()) {
      run = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
      System.setProperty(RUN_PROPERTY, run);
    }
    return run;
  }

  /** Creates an empty table for {@code purpose} and returns its name. */
  String createTable(String purpose) {
    return createTable(purpose, "");
  }

  /**
   * {@link #createTable}, with a {@code revision BIGINT NOT NULL} column for a revisioned writer.
   */
  String createRevisionedTable(String purpose) {
    return createTable(purpose, ", revision BIGINT NOT NULL");
  }

  private String createTable(String purpose, String extraColumns) {
    String name =
        TABLE_PREFIX
            + run()
            + "_"
            + purpose
            + "_"
            + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
    execute(
        "CREATE TABLE "
            + name
            + " (k VARCHAR(64) PRIMARY KEY, v VARCHAR(255) NOT NULL"
            + extraColumns
            + ") ENGINE=InnoDB");
    return name;
  }

  static TableMapping<String, String> mapping(String table) {
    return TableMapping.scalar(table, "k", String.class, "v", String.class);
  }

  void dropTable(String name) {
    if (name != null) {
      execute("DROP TABLE IF EXISTS " + name);
    }
  }

  long rowCount(String table) {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("counting rows of " + table + ": " + e.getMessage(), e);
    }
  }

  /**
   * Drops every table of run {@code run} that is still there (a fork that died leaves its tables).
   */
  int dropTablesOfRun(String run) {
    List<String> names = new ArrayList<>();
    try (Connection c = pool.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ?")) {
      ps.setString(1, (TABLE_PREFIX + run + "_").replace("_", "\\_") + "%");
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "listing the tables of run " + run + ": " + e.getMessage(), e);
    }
    names.forEach(this::dropTable);
    return names.size();
  }

  /**
   * What the report says about the database: product, version, and the commit durability setting.
   */
  String describe() {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      String product =
          c.getMetaData().getDatabaseProductName()
              + " "
              + c.getMetaData().getDatabaseProductVersion();
      String flush = "?";
      try (ResultSet rs = s.executeQuery("SELECT @@innodb_flush_log_at_trx_commit")) {
        if (rs.next()) {
          flush = rs.getString(1);
        }
      }
      String url = TestDatabase.configuredUrl().replaceAll("(?i)(password=)[^&]*", "$1***");
      return String.format(
          Locale.ROOT,
          "%s (%s), innodb_flush_log_at_trx_commit=%s, Connector/J with"
              + " rewriteBatchedStatements=true, pool of %d",
          product,
          url,
          flush,
          POOL_SIZE);
    } catch (SQLException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  void execute(String sql) {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      pool.close();
    } catch (SQLException ignored) {
      // closing a pool: nothing to do about it
    }
  }
}
