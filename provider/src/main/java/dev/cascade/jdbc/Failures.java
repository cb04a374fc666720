package dev.cascade.jdbc;

import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriterException;

/**
 * The one place where failures become {@code CacheLoaderException}/{@code CacheWriterException}:
 * every message names the operation, the table and the key, then the cause (for SQL errors the
 * SQLState, the vendor code and the driver's message, including chained batch errors).
 */
final class Failures {

  private static final int MAX_KEY_TEXT = 100;
  private static final int MAX_CHAINED = 3;

  private Failures() {}

  static CacheLoaderException loader(String what, Throwable cause) {
    return new CacheLoaderException(what + ": " + describe(cause), cause);
  }

  static CacheWriterException writer(String what, Throwable cause) {
    return new CacheWriterException(what + ": " + describe(cause), cause);
  }

  /** {@code "write to table products"}, {@code "deleteAll from table products"}. */
  static String onTable(String operation, String table) {
    return operation + (operation.startsWith("delete") ? " from" : " to") + " table " + table;
  }

  /** A key as message text, cut short if huge. */
  static String key(Object key) {
    String text = String.valueOf(key);
    return text.length() <= MAX_KEY_TEXT ? text : text.substring(0, MAX_KEY_TEXT) + "...";
  }

  /**
   * Whether {@code e} (or an exception chained to it) is a unique-index violation: SQLState 23505
   * (PostgreSQL, H2), MySQL/MariaDB error 1062 or 1586 (their SQLState, 23000, is any integrity
   * error).
   */
  static boolean isUniqueViolation(SQLException e) {
    for (int i = 0; e != null && i < MAX_CHAINED; i++) {
      if ("23505".equals(e.getSQLState()) || e.getErrorCode() == 1062 || e.getErrorCode() == 1586) {
        return true;
      }
      SQLException next = e.getNextException();
      if (next == null && e.getCause() instanceof SQLException && e.getCause() != e) {
        next = (SQLException) e.getCause();
      }
      e = next;
    }
    return false;
  }

  /**
   * An upsert's unique violation, said plainly: the upsert goes by the key, so a violation means
   * the row clashes with another row on some other unique index (the database's message, chained,
   * names it). Still an integrity error with the same SQLState, so write-behind treats it as
   * refused data.
   */
  static SQLException uniqueClash(String keyColumn, SQLException e) {
    return new SQLIntegrityConstraintViolationException(
        "the row clashes with another row on a unique index other than the key ("
            + keyColumn
            + "); nothing was changed to make room",
        e.getSQLState(),
        e.getErrorCode(),
        e);
  }

  /**
   * {@code SQLState 23000, error 1062: Duplicate entry ...}, followed by distinct chained
   * exceptions ({@code getNextException}: PostgreSQL reports a failed batch row only there).
   */
  static String describe(Throwable e) {
    if (!(e instanceof SQLException)) {
      return e instanceof TableMapping.MappingException ? e.getMessage() : String.valueOf(e);
    }
    Set<String> parts = new LinkedHashSet<>();
    SQLException sql = (SQLException) e;
    for (int i = 0; sql != null && i < MAX_CHAINED; i++) {
      parts.add(one(sql));
      SQLException next = sql.getNextException();
      if (next == null && sql.getCause() instanceof SQLException && sql.getCause() != sql) {
        next = (SQLException) sql.getCause();
      }
      sql = next;
    }
    return String.join("; caused by ", parts);
  }

  private static String one(SQLException e) {
    StringBuilder text = new StringBuilder();
    text.append("SQLState ").append(e.getSQLState());
    if (e.getErrorCode() != 0) {
      text.append(", error ").append(e.getErrorCode());
    }
    // one line: H2 appends the SQL on a new line, and log lines should stay whole
    String message =
        e.getMessage() == null
            ? e.getClass().getSimpleName()
            : e.getMessage().strip().replaceAll("\\s*\\R\\s*", " ");
    return text.append(": ").append(message).toString();
  }
}
