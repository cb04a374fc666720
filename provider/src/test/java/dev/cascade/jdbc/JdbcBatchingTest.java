package dev.cascade.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeEntry;
import dev.cascade.testing.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Locale;
import javax.cache.Cache;
import org.apache.commons.dbcp2.BasicDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Is writeAll really batched on MySQL Connector/J? Counts the INSERT statements the server ran for
 * 10,000 rows ({@code Com_insert} of the one pooled session), with {@code
 * rewriteBatchedStatements=true} (a chunk becomes one multi-row upsert) and without it (one
 * statement per row, the baseline that shows the counter works). Times are printed, never asserted:
 * this machine is shared and noisy.
 */
@Timeout(300)
class JdbcBatchingTest {

  private static final int ROWS = 10_000;

  /**
   * The warm-up (JIT, first connection) writes other keys, so the measured run inserts new rows.
   */
  private static final long WARM_UP_KEYS = 1_000_000L;

  private String table;

  @BeforeEach
  void createTable() {
    table = TestDatabase.uniqueTableName("batching");
    TestDatabase.execute(
        "CREATE TABLE "
            + table
            + " (id BIGINT PRIMARY KEY, name VARCHAR(20) NOT NULL,"
            + " price DECIMAL(10,2) NOT NULL)");
  }

  @AfterEach
  void dropTable() {
    TestDatabase.dropTable(table);
  }

  @Test
  void writeAll_10000RowsWithRewrite_oneStatementPerChunk() throws Exception {
    try (BasicDataSource pool = singleConnectionPool(true)) {
      JdbcCacheWriter<Long, Product> writer = new JdbcCacheWriter<>(pool, Product.mapping(table));
      writeAll(writer, WARM_UP_KEYS, 0);
      long inserts = comInsert(pool);
      long insertNanos = writeAll(writer, 0, 0);
      long updateNanos = writeAll(writer, 0, 1);
      long statements = comInsert(pool) - inserts;

      int chunks = 2 * ROWS / JdbcCacheWriter.DEFAULT_CHUNK_SIZE;
      report("rewrite=true", statements, insertNanos, updateNanos);
      assertTrue(
          statements <= chunks,
          "expected at most " + chunks + " INSERT statements, the server ran " + statements);
      assertEquals(2L * ROWS, Databases.count(pool, table), "warm-up rows and the measured rows");
    }
  }

  @Test
  void writeAll_10000RowsWithoutRewrite_oneStatementPerRow() throws Exception {
    try (BasicDataSource pool = singleConnectionPool(false)) {
      JdbcCacheWriter<Long, Product> writer = new JdbcCacheWriter<>(pool, Product.mapping(table));
      writeAll(writer, WARM_UP_KEYS, 0);
      long inserts = comInsert(pool);
      long insertNanos = writeAll(writer, 0, 0);
      long updateNanos = writeAll(writer, 0, 1);
      long statements = comInsert(pool) - inserts;

      report("rewrite=false", statements, insertNanos, updateNanos);
      assertEquals(2L * ROWS, statements, "without rewriting, every row is its own statement");
    }
  }

  /**
   * Writes ROWS rows with keys {@code keyBase + 1 ..}, prices differing by {@code priceOffset}
   * cents (so a second call really updates); returns the elapsed nanoseconds.
   */
  private static long writeAll(
      JdbcCacheWriter<Long, Product> writer, long keyBase, long priceOffset) {
    Collection<Cache.Entry<? extends Long, ? extends Product>> batch = new ArrayList<>(ROWS);
    for (long id = 1; id <= ROWS; id++) {
      batch.add(
          new CascadeEntry<>(
              keyBase + id, new Product("p" + id, BigDecimal.valueOf(id + priceOffset, 2))));
    }
    long start = System.nanoTime();
    writer.writeAll(batch);
    long elapsed = System.nanoTime() - start;
    assertTrue(batch.isEmpty());
    return elapsed;
  }

  private static void report(String mode, long statements, long insertNanos, long updateNanos) {
    System.out.println(
        String.format(
            Locale.ROOT,
            "JdbcBatchingTest %s: writeAll of %,d rows: insert %.0f ms (%,.0f rows/s), update %.0f ms (%,.0f rows/s);"
                + " %,d INSERT statements for %,d rows",
            mode,
            ROWS,
            insertNanos / 1e6,
            ROWS / (insertNanos / 1e9),
            updateNanos / 1e6,
            ROWS / (updateNanos / 1e9),
            statements,
            2 * ROWS));
  }

  /** One connection, so the session counters read afterwards are those of the writer's session. */
  private static BasicDataSource singleConnectionPool(boolean rewrite) {
    String url =
        TestDatabase.jdbcUrl()
            .replace("rewriteBatchedStatements=true", "rewriteBatchedStatements=" + rewrite);
    BasicDataSource pool = Databases.pool("com.mysql.cj.jdbc.Driver", url);
    pool.setMaxTotal(1);
    return pool;
  }

  private static long comInsert(BasicDataSource pool) throws SQLException {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE 'Com_insert'")) {
      rs.next();
      return rs.getLong(2);
    }
  }
}
