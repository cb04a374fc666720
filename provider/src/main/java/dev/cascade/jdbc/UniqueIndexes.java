package dev.cascade.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Does a table have a unique index besides the one on its key column? MySQL's {@code INSERT … ON
 * DUPLICATE KEY UPDATE} fires on a clash in <em>any</em> unique index: with a second one (say on
 * {@code email}), writing a new key whose email another row holds would update that other row and
 * insert nothing. {@link JdbcTable#writeStatements} asks this once per table and then writes such a
 * table with statements that cannot touch another row.
 */
final class UniqueIndexes {

  private UniqueIndexes() {}

  /**
   * True if every unique index of the mapped table holds the key column and one is on the key
   * alone; false if one does not hold the key column (or none is on the key alone); null if the
   * metadata shows no unique index at all (a missing table, or one the connection cannot see), so
   * the caller asks again next time.
   */
  static Boolean onlyOnTheKey(Connection c, TableMapping<?, ?> mapping) throws SQLException {
    SqlName table = mapping.sqlTable();
    String database = table.qualifier();
    String key = mapping.sqlKeyColumn().name();
    Map<String, Set<String>> columnsByIndex = new HashMap<>();
    DatabaseMetaData meta = c.getMetaData();
    // Connector/J takes the database as the catalog by default and as the schema with
    // databaseTerm=SCHEMA: name it both ways and let the driver use the one it knows
    try (ResultSet rs =
        meta.getIndexInfo(
            database != null ? database : c.getCatalog(),
            database != null ? database : c.getSchema(),
            table.name(),
            true,
            true)) {
      while (rs.next()) {
        if (rs.getShort("TYPE") == DatabaseMetaData.tableIndexStatistic
            || rs.getBoolean("NON_UNIQUE")) {
          continue;
        }
        String column = rs.getString("COLUMN_NAME");
        columnsByIndex
            .computeIfAbsent(String.valueOf(rs.getString("INDEX_NAME")), i -> new HashSet<>())
            // an index on an expression has no column name: it is not the key's
            .add(column == null ? "" : column.toLowerCase(Locale.ROOT));
      }
    }
    if (columnsByIndex.isEmpty()) {
      return null;
    }
    String keyColumn = key.toLowerCase(Locale.ROOT);
    boolean keyIndexed = false;
    for (Set<String> columns : columnsByIndex.values()) {
      // an index that holds the key column clashes only with a row of the same key, the row the
      // upsert is meant to update; one without it can clash with any other row
      if (!columns.contains(keyColumn)) {
        return false;
      }
      keyIndexed |= columns.size() == 1;
    }
    return keyIndexed;
  }
}
