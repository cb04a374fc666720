package dev.cascade.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The SQL each dialect produces for one mapping, and detection by product name. No server. */
class JdbcDialectTest {

  private static final TableMapping<Long, String> MAPPING =
      TableMapping.builder("shop.products")
          .key("id", Long.class)
          .value(String.class)
          .column("name", s -> s)
          .column("\"Order\"", s -> 1)
          .reader(row -> row.getString("name"))
          .build();

  @Test
  void fromProductName_supportedProducts_mapToDialects() {
    assertEquals(Dialect.MYSQL, Dialect.fromProductName("MySQL"));
    assertEquals(Dialect.MYSQL, Dialect.fromProductName("MariaDB"));
    assertEquals(Dialect.H2, Dialect.fromProductName("H2"));
    assertEquals(Dialect.POSTGRESQL, Dialect.fromProductName("PostgreSQL"));
  }

  @Test
  void fromProductName_otherProduct_failsNamingIt() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Dialect.fromProductName("Oracle"));
    assertEquals(
        "Database product 'Oracle' has no Cascade JDBC dialect; supported: MySQL, MariaDB, H2, PostgreSQL",
        e.getMessage());
  }

  @Test
  void statements_mysql_upsertWithValuesAndBackticks() {
    Statements sql = new Statements(MAPPING, Dialect.MYSQL);
    assertEquals(
        "INSERT INTO shop.products (id, name, `Order`) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE"
            + " name = VALUES(name), `Order` = VALUES(`Order`)",
        sql.upsert);
    assertEquals("SELECT id, name, `Order` FROM shop.products WHERE id = ?", sql.selectOne);
    assertEquals(
        "SELECT id, name, `Order` FROM shop.products WHERE id IN (?, ?, ?)", sql.selectIn(3));
    assertEquals("DELETE FROM shop.products WHERE id = ?", sql.deleteOne);
    assertEquals("DELETE FROM shop.products WHERE id IN (?, ?)", sql.deleteIn(2));
  }

  @Test
  void statements_h2_mergeWithKey() {
    assertEquals(
        "MERGE INTO shop.products (id, name, \"Order\") KEY (id) VALUES (?, ?, ?)",
        new Statements(MAPPING, Dialect.H2).upsert);
  }

  @Test
  void statements_postgresql_onConflictWithExcluded() {
    assertEquals(
        "INSERT INTO shop.products (id, name, \"Order\") VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
            + " name = EXCLUDED.name, \"Order\" = EXCLUDED.\"Order\"",
        new Statements(MAPPING, Dialect.POSTGRESQL).upsert);
  }

  @Test
  void statements_mysqlWithRevision_nullCountsAsZero_directUpsertAlwaysWrites() {
    Statements sql = new Statements(MAPPING.withRevisionColumn("rev"), Dialect.MYSQL);
    assertEquals(
        "INSERT INTO shop.products (id, name, `Order`, rev) VALUES (?, ?, ?, ?) ON DUPLICATE KEY"
            + " UPDATE name = IF(VALUES(rev) >= COALESCE(rev, 0), VALUES(name), name),"
            + " `Order` = IF(VALUES(rev) >= COALESCE(rev, 0), VALUES(`Order`), `Order`),"
            + " rev = GREATEST(COALESCE(rev, 0), VALUES(rev))",
        sql.upsertIfNewer);
    assertEquals(
        "INSERT INTO shop.products (id, name, `Order`, rev) VALUES (?, ?, ?, ?) ON DUPLICATE KEY"
            + " UPDATE name = VALUES(name), `Order` = VALUES(`Order`),"
            + " rev = GREATEST(COALESCE(rev, 0) + 1, VALUES(rev))",
        sql.upsertDirect);
    assertEquals(
        "DELETE FROM shop.products WHERE id = ? AND COALESCE(rev, 0) <= ?", sql.deleteIfNotNewer);
  }

  @Test
  void statements_mysqlGuarded_nameTheKeyInEveryWrite() {
    Statements sql = new Statements(MAPPING.withRevisionColumn("rev"), Dialect.MYSQL, true);
    assertEquals("SELECT id FROM shop.products WHERE id IN (?, ?)", sql.keysIn(2));
    assertEquals(
        "UPDATE shop.products SET name = ?, `Order` = ?, rev = GREATEST(COALESCE(rev, 0) + 1, ?)"
            + " WHERE id = ?",
        sql.updateDirect);
    assertEquals(
        "UPDATE shop.products SET name = ?, `Order` = ?, rev = ? WHERE id = ?"
            + " AND COALESCE(rev, 0) <= ?",
        sql.updateIfNotNewer);
    assertEquals(
        "INSERT INTO shop.products (id, name, `Order`, rev) VALUES (?, ?, ?, ?)", sql.insert);
    assertEquals(
        "INSERT INTO shop.products (id, name, `Order`, rev) SELECT ?, ?, ?, ? FROM DUAL"
            + " WHERE NOT EXISTS (SELECT 1 FROM shop.products WHERE id = ?)",
        sql.insertIfAbsent);
  }

  @Test
  void padded_inListSizes_powersOfTwoUpToTheChunk() {
    assertEquals(1, Statements.padded(1, 1000));
    assertEquals(4, Statements.padded(3, 1000));
    assertEquals(512, Statements.padded(500, 1000));
    assertEquals(1000, Statements.padded(600, 1000));
    assertEquals(1000, Statements.padded(1000, 1000));
    assertEquals(7, Statements.padded(5, 7));
  }
}
