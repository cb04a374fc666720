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

  /**
   * Whether upserts must use the guarded forms below (MySQL, on a table with a unique index besides
   * the key's, see {@link UniqueIndexes}): which keys are there ({@link #keysIn}, a plain read that
   * locks nothing), {@code UPDATE … WHERE key = ?} for those, a plain {@code INSERT} for the
   * others, and {@code INSERT … SELECT … WHERE NOT EXISTS (…key = ?)} where that was not enough
   * (see the writer). None can change another row: a clash on another unique index fails as a
   * duplicate key.
   */
  final boolean guarded;

  /** Key, value columns, [revision]: a plain insert. */
  final String insert;

  private final String keysInPrefix;

  /**
   * Value columns, [revision], key, [revision]: the plain update, the direct one (revision bumped,
   * see {@link Dialect#upsertDirect}) and the revisioned one ({@code revision = ?}, only where the
   * row is not newer); null where they do not apply.
   */
  final String update;

  final String updateDirect;
  final String updateIfNotNewer;

  /** Key, value columns, [revision], key: inserts the row unless its key is there. */
  final String insertIfAbsent;

  private final String selectInPrefix;
  private final String deleteInPrefix;

  Statements(TableMapping<?, ?> mapping, Dialect dialect) {
    this(mapping, dialect, false);
  }

  Statements(TableMapping<?, ?> mapping, Dialect dialect, boolean guarded) {
    this.dialect = dialect;
    this.guarded = guarded;
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
    if (!guarded) {
      this.update = null;
      this.updateDirect = null;
      this.updateIfNotNewer = null;
      this.insert = null;
      this.insertIfAbsent = null;
      this.keysInPrefix = null;
      return;
    }
    this.keysInPrefix = "SELECT " + key + " FROM " + table + " WHERE " + key + " IN (";
    StringBuilder sets = new StringBuilder();
    for (String c : columns) {
      sets.append(sets.length() == 0 ? "" : ", ").append(c).append(" = ?");
    }
    String update = "UPDATE " + table + " SET " + sets;
    String whereKey = " WHERE " + key + " = ?";
    List<String> inserted = new ArrayList<>(columns);
    if (revisionColumn == null) {
      this.update = update + whereKey;
      this.updateDirect = null;
      this.updateIfNotNewer = null;
    } else {
      String revision = revisionColumn.render(dialect);
      inserted.add(revision);
      this.update = null;
      this.updateDirect =
          update + ", " + revision + " = " + Dialect.bumped(revision, "?") + whereKey;
      this.updateIfNotNewer =
          update
              + ", "
              + revision
              + " = ?"
              + whereKey
              + " AND "
              + Dialect.orZero(revision)
              + " <= ?";
    }
    this.insert = Dialect.insert(table, key, inserted);
    // FROM DUAL: MySQL wants a FROM before WHERE; it may read the table it inserts into here
    this.insertIfAbsent =
        "INSERT INTO "
            + table
            + " ("
            + key
            + ", "
            + String.join(", ", inserted)
            + ") SELECT "
            + Dialect.placeholders(inserted.size() + 1)
            + " FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM "
            + table
            + whereKey
            + ")";
  }

  /** {@code SELECT … WHERE key IN (?, …)} with {@code parameters} placeholders. */
  String selectIn(int parameters) {
    return selectInPrefix + Dialect.placeholders(parameters) + ")";
  }

  /**
   * {@code SELECT key … WHERE key IN (?, …)} with {@code parameters} placeholders (guarded only).
   */
  String keysIn(int parameters) {
    return keysInPrefix + Dialect.placeholders(parameters) + ")";
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
