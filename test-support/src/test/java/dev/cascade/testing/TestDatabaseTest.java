package dev.cascade.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Needs the real database: it fails (never skips) when none answers. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TestDatabaseTest {

  @Test
  void batchUpsert_thenRead_thenDrop() throws SQLException {
    String table = TestDatabase.uniqueTableName("upsert");
    TestDatabase.execute(
        "CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL)");
    try {
      upsert(table, Map.of(1L, "a", 2L, "b", 3L, "c"));
      Map<Long, String> second = new LinkedHashMap<>();
      second.put(2L, "b2"); // an update of an existing row
      second.put(4L, "d"); // and an insert, in one batch
      upsert(table, second);

      Map<Long, String> rows =
          TestDatabase.queryMap(
              "SELECT id, name FROM " + table + " ORDER BY id", Long.class, String.class);
      assertEquals(Map.of(1L, "a", 2L, "b2", 3L, "c", 4L, "d"), rows);
      List<Map<String, Object>> one =
          TestDatabase.queryRows("SELECT * FROM " + table + " WHERE id = ?", 2L);
      assertEquals(List.of(Map.of("id", 2L, "name", "b2")), one);
    } finally {
      TestDatabase.dropTable(table);
    }
    assertTrue(TestDatabase.queryRows("SHOW TABLES LIKE '" + table + "'").isEmpty());
  }

  @Test
  void jdbcUrl_addsBatchRewriteAndLoopbackOptions() {
    String url = TestDatabase.jdbcUrl();
    assertTrue(url.contains("rewriteBatchedStatements=true"), url);
    assertEquals(
        "jdbc:mysql://h/db?rewriteBatchedStatements=false",
        TestDatabase.withOption(
            "jdbc:mysql://h/db?rewriteBatchedStatements=false",
            "rewriteBatchedStatements",
            "true"));
    assertEquals(
        "jdbc:mysql://h/db?user=u&useSSL=false",
        TestDatabase.withOption("jdbc:mysql://h/db?user=u", "useSSL", "false"));
  }

  @Test
  void uniqueTableName_isValidAndUnique() {
    String a = TestDatabase.uniqueTableName("cache_rows");
    assertTrue(a.matches("cache_rows_[0-9a-f]{12}"), a);
    assertFalse(a.equals(TestDatabase.uniqueTableName("cache_rows")));
    assertThrows(IllegalArgumentException.class, () -> TestDatabase.uniqueTableName("bad name;"));
  }

  @Test
  void open_unreachableDatabase_failsWithOneLineNamingUrlAndFix() {
    FixtureException e =
        assertThrows(
            FixtureException.class,
            () ->
                TestDatabase.open(
                    "jdbc:mysql://127.0.0.1:1/test?user=root&password=secret&connectTimeout=2000"));
    String message = e.getMessage();
    assertFalse(message.contains("\n"), message);
    assertTrue(message.contains("jdbc:mysql://127.0.0.1:1/test"), message);
    assertFalse(message.contains("secret"), message);
    assertTrue(
        message.contains("CASCADE_TEST_JDBC_URL") && message.contains("scripts/test.sh"), message);
  }

  private static void upsert(String table, Map<Long, String> rows) throws SQLException {
    try (Connection c = TestDatabase.dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO "
                    + table
                    + " (id, name) VALUES (?, ?) ON DUPLICATE KEY UPDATE name = VALUES(name)")) {
      for (Map.Entry<Long, String> row : rows.entrySet()) {
        s.setLong(1, row.getKey());
        s.setString(2, row.getValue());
        s.addBatch();
      }
      s.executeBatch();
    }
  }
}
