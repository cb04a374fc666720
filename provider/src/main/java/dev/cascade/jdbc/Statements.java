package dev.cascade.jdbc;

import java.util.ArrayList;
import java.util.List;

/**
 * The SQL text for one mapping in one dialect, built once and shared by every call. Immutable.
 *
 * <p>An {@code IN} list of n keys is padded to the next power of two (repeating the last key, which
 * changes no result), so a table needs at most ~11 distinct statements per chunk size instead of
 * one per list length: servers and pools that cache prepared statements keep hitting.
 */
final class Statements {

  final Dialect dialect;
  final String selectOne;
  final String upsert;
  final String deleteOne;

  /**
   * With a revision column: the upsert that keeps newer rows, the delete of older rows only (both
   * for revisioned calls), and the upsert that always writes (direct calls); else null.
   */
  final String upsertIfNewer;

  final String upsertDirect;

  final String deleteIfNotNewer;
  private final String selectInPrefix;
  private final String deleteInPrefix;

  Statements(TableMapping<?, ?> mapping, Dialect dialect) {
    this.dialect = dialect;
    String table = mapping.sqlTable().render(dialect);
    String key = mapping.sqlKeyColumn().render(dialect);
    List<String> columns = new ArrayList<>();
    for (SqlName c : mapping.sqlValueColumns()) {
      columns.add(c.render(dialect));
    }
    String select =
        "SELECT " + key + ", " + String.join(", ", columns) + " FROM " + table + " WHERE " + key;
    this.selectOne = select + " = ?";
    this.selectInPrefix = select + " IN (";
    this.upsert = dialect.upsert(table, key, columns);
    this.deleteOne = "DELETE FROM " + table + " WHERE " + key + " = ?";
    this.deleteInPrefix = "DELETE FROM " + table + " WHERE " + key + " IN (";
    SqlName revisionColumn = mapping.sqlRevisionColumn();
    if (revisionColumn == null) {
      this.upsertIfNewer = null;
      this.upsertDirect = null;
      this.deleteIfNotNewer = null;
    } else {
      String revision = revisionColumn.render(dialect);
      this.upsertIfNewer = dialect.upsertIfNewer(table, key, columns, revision);
      this.upsertDirect = dialect.upsertDirect(table, key, columns, revision);
      this.deleteIfNotNewer = deleteOne + " AND " + Dialect.orZero(revision) + " <= ?";
    }
  }

  /** {@code SELECT … WHERE key IN (?, …)} with {@code parameters} placeholders. */
  String selectIn(int parameters) {
    return selectInPrefix + Dialect.placeholders(parameters) + ")";
  }

  /** {@code DELETE … WHERE key IN (?, …)} with {@code parameters} placeholders. */
  String deleteIn(int parameters) {
    return deleteInPrefix + Dialect.placeholders(parameters) + ")";
  }

  /**
   * How many placeholders an IN list of {@code keys} keys gets: a power of two, at most {@code
   * max}.
   */
  static int padded(int keys, int max) {
    int power = Integer.highestOneBit(keys);
    int size = power == keys ? keys : power << 1;
    return Math.max(keys, Math.min(size, max));
  }
}
