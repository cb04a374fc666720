package dev.cascade.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.cascade.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.commons.dbcp2.BasicDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * On a connection that does not autocommit, the loader ends its read's transaction before it hands
 * the connection back: a pool that passes connections on without a rollback would otherwise pass on
 * an open transaction, and with it a REPEATABLE READ snapshot, so every later load on that
 * connection would read the rows as they were at the first one, however much has been committed
 * since.
 *
 * <p>The pool here is such a pool: DBCP2 with one connection (so every call gets the same one),
 * autocommit off, and neither a rollback nor autocommit restored on return (either would end the
 * transaction for the loader); MariaDB at REPEATABLE READ. The rows are changed through another
 * pool, committed, between two loads.
 */
@Timeout(60)
class JdbcLoaderEndsReadTransactionTest {

  private String table;
  private BasicDataSource pool;
  private long threadId;

  @BeforeEach
  void createTable() throws SQLException {
    table = TestDatabase.uniqueTableName("loader_trx");
    TestDatabase.execute(
        "CREATE TABLE "
            + table
            + " (id BIGINT PRIMARY KEY, name VARCHAR(20) NOT NULL, price DECIMAL(10,2) NOT NULL)");
    TestDatabase.execute(
        "INSERT INTO " + table + " (id, name, price) VALUES (1, 'pen', 1.50), (2, 'ink', 2.00)");
    pool = new BasicDataSource();
    pool.setDriverClassName("com.mysql.cj.jdbc.Driver");
    pool.setUrl(TestDatabase.jdbcUrl());
    pool.setMaxTotal(1);
    pool.setMaxWait(Duration.ofSeconds(10));
    pool.setDefaultAutoCommit(false);
    pool.setDefaultTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    pool.setRollbackOnReturn(false);
    pool.setAutoCommitOnReturn(false);
    try (Connection c = pool.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT CONNECTION_ID()");
        ResultSet rs = s.executeQuery()) {
      rs.next();
      threadId = rs.getLong(1);
      c.rollback();
    }
  }

  @AfterEach
  void dropTable() throws SQLException {
    // the pool first: a connection still in a transaction holds a metadata lock on the table,
    // and DROP TABLE would wait for it (lock_wait_timeout is a day by default)
    if (pool != null) {
      pool.close();
    }
    TestDatabase.dropTable(table);
  }

  @Test
  void pool_handsOnAConnectionWithItsTransactionStillOpen() throws SQLException {
    // the premise of the tests below: without the loader's rollback this pool keeps a snapshot
    // from one borrower to the next, on the same connection
    try (Connection c = pool.getConnection()) {
      assertFalse(c.getAutoCommit());
      assertEquals("pen", name(c, 1));
    }
    TestDatabase.execute("UPDATE " + table + " SET name = 'quill' WHERE id = 1");
    try (Connection c = pool.getConnection()) {
      assertEquals(threadId, connectionId(c), "maxTotal=1: the same connection every time");
      assertEquals("pen", name(c, 1), "the snapshot of the first borrower, handed on");
      c.rollback();
      assertEquals("quill", name(c, 1));
      c.rollback();
    }
  }

  @Test
  void load_endsItsTransaction_nextLoadOnTheConnectionSeesLaterCommits() {
    JdbcCacheLoader<Long, Product> loader = new JdbcCacheLoader<>(pool, Product.mapping(table));
    assertEquals(Product.of("pen", "1.50"), loader.load(1L));

    TestDatabase.execute("UPDATE " + table + " SET name = 'quill', price = 9.00 WHERE id = 1");

    assertEquals(
        Product.of("quill", "9.00"),
        loader.load(1L),
        "a load on the pooled connection must see a change committed after an earlier load on"
            + " it: the earlier load's transaction (its REPEATABLE READ snapshot) was left open");
    assertNoTransaction("load");
  }

  @Test
  void loadAll_endsItsTransaction_nextLoadOnTheConnectionSeesLaterCommits() {
    // a chunk of one key: several queries in the call, still one transaction to end
    JdbcCacheLoader<Long, Product> loader =
        new JdbcCacheLoader<>(pool, Product.mapping(table)).withChunkSize(1);
    assertEquals(
        Map.of(1L, Product.of("pen", "1.50"), 2L, Product.of("ink", "2.00")),
        loader.loadAll(List.of(1L, 2L)));

    TestDatabase.execute("UPDATE " + table + " SET name = 'quill' WHERE id = 1");
    TestDatabase.execute("DELETE FROM " + table + " WHERE id = 2");

    assertEquals(
        Map.of(1L, Product.of("quill", "1.50")),
        loader.loadAll(List.of(1L, 2L)),
        "a loadAll on the pooled connection must see changes committed after an earlier loadAll"
            + " on it: the earlier loadAll's transaction (its REPEATABLE READ snapshot) was left"
            + " open");
    assertNoTransaction("loadAll");
  }

  /**
   * The cause as the server sees it, asked through another connection: no InnoDB transaction of the
   * pooled connection's thread, so no snapshot and no locks held while the pool keeps it.
   */
  private void assertNoTransaction(String operation) {
    assertEquals(
        List.of(),
        TestDatabase.queryRows(
            "SELECT trx_id, trx_state FROM information_schema.innodb_trx"
                + " WHERE trx_mysql_thread_id = ?",
            threadId),
        "after " + operation + " returned, its connection still has a transaction open");
  }

  private String name(Connection c, long id) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT name FROM " + table + " WHERE id = ?")) {
      s.setLong(1, id);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  private static long connectionId(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT CONNECTION_ID()");
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
