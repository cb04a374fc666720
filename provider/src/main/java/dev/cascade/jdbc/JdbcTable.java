package dev.cascade.jdbc;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * What the loader and the writer share: the pool, the mapping, and the statements for the dialect,
 * found out from the first connection when the user did not name it.
 *
 * <p>Thread-safe: the statements are computed at most a few times if threads race on the first call
 * (all results are equal) and published through a volatile field.
 */
final class JdbcTable<K, V> {

  final DataSource dataSource;
  final TableMapping<K, V> mapping;
  private volatile Statements statements;
  private volatile Statements writeStatements;
  private volatile Statements guardedStatements;

  JdbcTable(DataSource dataSource, TableMapping<K, V> mapping, Dialect dialect) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.mapping = Objects.requireNonNull(mapping, "mapping");
    if (dialect != null) {
      this.statements = new Statements(mapping, dialect);
    }
  }

  /**
   * The statements, detecting the dialect on {@code connection} the first time if none was given.
   */
  Statements statements(Connection connection) throws SQLException {
    Statements s = statements;
    if (s == null) {
      s = new Statements(mapping, Dialect.detect(connection));
      statements = s;
    }
    return s;
  }

  /**
   * The statements for writing: on MySQL, the guarded upserts if the table has a unique index
   * besides the key's ({@link UniqueIndexes}), which is read from the metadata on first use and
   * then kept. A table the metadata does not show (not there yet, not visible) gets the guarded
   * forms, which are right for any table, and is looked at again next time.
   */
  Statements writeStatements(Connection connection) throws SQLException {
    Statements s = writeStatements;
    if (s != null) {
      return s;
    }
    Statements plain = statements(connection);
    if (plain.dialect != Dialect.MYSQL) {
      writeStatements = plain;
      return plain;
    }
    Boolean onlyOnTheKey;
    try {
      onlyOnTheKey = UniqueIndexes.onlyOnTheKey(connection, mapping);
    } catch (SQLException e) {
      // no index metadata must not stop writes: the guarded forms are right for any table
      onlyOnTheKey = null;
    }
    Statements guarded = guardedStatements;
    if (guarded == null) {
      guarded = new Statements(mapping, plain.dialect, true);
      guardedStatements = guarded;
    }
    if (onlyOnTheKey == null) {
      return guarded;
    }
    s = onlyOnTheKey ? plain : guarded;
    writeStatements = s;
    return s;
  }

  String table() {
    return mapping.table();
  }

  /**
   * Binds {@code keys} to an IN list of {@code parameters} placeholders, repeating the last key for
   * the padding (see {@link Statements}).
   */
  void bindKeys(PreparedStatement ps, List<?> keys, int parameters) throws SQLException {
    for (int i = 0; i < parameters; i++) {
      mapping.bindKey(ps, i + 1, keys.get(Math.min(i, keys.size() - 1)));
    }
  }

  /** Checks a key handed in by the caller: the spec's guard, before any SQL runs. */
  Object checkKey(Object key, String operation) {
    if (key == null) {
      throw new NullPointerException(operation + " on table " + table() + ": a key is null");
    }
    if (!mapping.keyType().isInstance(key)) {
      throw new ClassCastException(
          operation
              + " on table "
              + table()
              + ": key "
              + key
              + " is a "
              + key.getClass().getName()
              + ", the mapping's key type is "
              + mapping.keyType().getName());
    }
    return key;
  }

  /**
   * A key as a set or map key: arrays ({@code byte[]} keys) by content, since the key a row holds
   * is another array than the one the caller passed.
   */
  static Object byContent(Object key) {
    return key instanceof byte[] bytes ? ByteBuffer.wrap(bytes) : key;
  }
}
