package dev.cascade.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeEntry;
import dev.cascade.testing.TestDatabase;
import dev.cascade.writebehind.RevisionedCacheWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.integration.CacheWriterException;
import org.apache.commons.dbcp2.BasicDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MariaDB through Connector/J, on a table with a unique index besides the key: the writer must use
 * its guarded statements (ON DUPLICATE KEY UPDATE would update the other row), whatever the URL
 * says about update counts (found rows by default, affected rows with useAffectedRows=true, and
 * with or without batch rewriting), and also with the dialect named instead of detected.
 */
@Timeout(120)
class JdbcMySqlUniqueIndexTest {

  private String table;
  private BasicDataSource pool;

  @BeforeEach
  void createTable() {
    table = TestDatabase.uniqueTableName("unique_idx");
    TestDatabase.execute(
        "CREATE TABLE "
            + table
            + " (id BIGINT PRIMARY KEY, name VARCHAR(20) NOT NULL, price DECIMAL(10,2) NOT NULL,"
            + " revision BIGINT NOT NULL DEFAULT 0, UNIQUE KEY by_name (name))");
    TestDatabase.execute("INSERT INTO " + table + " (id, name, price) VALUES (1, 'pen', 1.50)");
  }

  @AfterEach
  void dropTable() throws Exception {
    if (pool != null) {
      pool.close();
    }
    TestDatabase.dropTable(table);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "rewriteBatchedStatements=true",
        "rewriteBatchedStatements=false",
        "useAffectedRows=true",
        "useAffectedRows=true&rewriteBatchedStatements=false",
        "named dialect"
      })
  void writes_everyUrlOption_updateInsertAndRefuseClashes(String option) {
    boolean named = option.equals("named dialect");
    String url = TestDatabase.jdbcUrl();
    if (!named) {
      url = url.replace("rewriteBatchedStatements=true", option);
    }
    pool = Databases.pool("com.mysql.cj.jdbc.Driver", url);
    TableMapping<Long, Product> mapping = Product.mapping(table).withRevisionColumn("revision");
    JdbcCacheWriter<Long, Product> writer =
        named
            ? new JdbcCacheWriter<>(pool, mapping, Dialect.MYSQL)
            : new JdbcCacheWriter<>(pool, mapping);

    writer.write(entry(1, "pen", "1.50")); // unchanged: 0 affected rows with useAffectedRows
    writer.write(entry(2, "ink", "2.00"));
    Collection<Cache.Entry<? extends Long, ? extends Product>> batch =
        new ArrayList<>(
            List.of(
                entry(1, "pen", "1.60"),
                entry(2, "ink", "2.00"),
                entry(3, "pad", "3.00"),
                entry(4, "cap", "4.00")));
    writer.writeAll(batch, revisions(1L << 62));
    assertTrue(batch.isEmpty());
    // rows now newer than any queued change: a stale batch changes and inserts nothing
    writer.writeAll(
        new ArrayList<>(List.of(entry(1, "old", "0.10"), entry(3, "old3", "0.30"))), revisions(5));

    CacheWriterException e =
        assertThrows(CacheWriterException.class, () -> writer.write(entry(5, "pen", "9.00")));
    assertTrue(e.getMessage().contains("unique index other than the key (id)"), e.getMessage());
    assertTrue(e.getMessage().contains("Duplicate entry 'pen'"), e.getMessage());
    Collection<Cache.Entry<? extends Long, ? extends Product>> clash =
        new ArrayList<>(List.of(entry(6, "box", "6.00"), entry(7, "ink", "9.00")));
    assertThrows(CacheWriterException.class, () -> writer.writeAll(clash));
    assertEquals(2, clash.size(), "the chunk was rolled back");
    // an existing row taking another row's name clashes too
    assertThrows(CacheWriterException.class, () -> writer.write(entry(4, "pad", "9.00")));

    assertEquals(
        Map.of(
            1L,
            Product.of("pen", "1.60"),
            2L,
            Product.of("ink", "2.00"),
            3L,
            Product.of("pad", "3.00"),
            4L,
            Product.of("cap", "4.00")),
        Databases.products(pool, table));
  }

  @Test
  void writeAll_fourThreadsInsertingNewKeysIntoOneGap_noDeadlock() throws Exception {
    // an UPDATE (or a locking read) of a missing key takes a gap lock under REPEATABLE READ; two
    // chunks that did so and then inserted into that gap would deadlock each other
    pool = Databases.pool("com.mysql.cj.jdbc.Driver", TestDatabase.jdbcUrl());
    JdbcCacheWriter<Long, Product> writer =
        new JdbcCacheWriter<>(pool, Product.mapping(table).withRevisionColumn("revision"))
            .withChunkSize(10);
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        long thread = t;
        done.add(
            threads.submit(
                () -> {
                  for (int round = 0; round < 10; round++) {
                    Collection<Cache.Entry<? extends Long, ? extends Product>> batch =
                        new ArrayList<>();
                    for (long i = 0; i < 10; i++) {
                      long id = 100 + (round * 10 + i) * 4 + thread;
                      batch.add(entry(id, "n" + id, "1.00"));
                    }
                    writer.writeAll(batch, revisions(round + 1));
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
    assertEquals(1 + 400, Databases.count(pool, table));
  }

  @Test
  void write_keyTheDatabaseComparesAsEqual_updatesThatRow() {
    // the plain read compares keys in Java, the database by its collation: 'PEN-1' is 'pen-1' to a
    // case-insensitive one, so the plain insert hits the key and the row is updated after all
    String codes = TestDatabase.uniqueTableName("unique_codes");
    TestDatabase.execute(
        "CREATE TABLE "
            + codes
            + " (code VARCHAR(20) PRIMARY KEY, label VARCHAR(20) NOT NULL UNIQUE)"
            + " COLLATE utf8mb4_general_ci");
    try {
      TestDatabase.execute("INSERT INTO " + codes + " (code, label) VALUES ('pen-1', 'Pen')");
      TableMapping<String, String> m =
          TableMapping.scalar(codes, "code", String.class, "label", String.class);
      JdbcCacheWriter<String, String> writer = new JdbcCacheWriter<>(TestDatabase.dataSource(), m);
      writer.write(new CascadeEntry<>("PEN-1", "Fountain pen"));
      assertEquals(
          Map.of("pen-1", "Fountain pen"),
          new JdbcCacheLoader<>(TestDatabase.dataSource(), m).loadAll(List.of("pen-1")));
    } finally {
      TestDatabase.dropTable(codes);
    }
  }

  private static Cache.Entry<Long, Product> entry(long id, String name, String price) {
    return new CascadeEntry<>(id, Product.of(name, price));
  }

  private static RevisionedCacheWriter.Revisions revisions(long revision) {
    return key -> revision;
  }
}
