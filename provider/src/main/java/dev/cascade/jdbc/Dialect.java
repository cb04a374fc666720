package dev.cascade.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import javax.sql.DataSource;

/**
 * The SQL that differs between databases: how an identifier is quoted and how an upsert is written.
 * Everything else this package issues ({@code SELECT … WHERE key IN (…)}, {@code DELETE … WHERE key
 * IN (…)}) is the same everywhere.
 *
 * <pre>{@code
 * Dialect dialect = Dialect.detect(dataSource);          // from DatabaseMetaData
 * new JdbcCacheWriter<>(dataSource, mapping, Dialect.MYSQL);   // or name it, and skip the look-up
 * }</pre>
 *
 * <p>Every upsert needs the key column to be the table's primary key (or to have a unique index):
 * that is what decides "update" over "insert". MySQL's upsert also fires on a clash in any other
 * unique index; {@link JdbcCacheWriter} does not use it on such a table (see {@link
 * Statements#guarded}).
 */
public enum Dialect {

  /**
   * MySQL 5.7 and 8.x, and MariaDB: {@code INSERT … ON DUPLICATE KEY UPDATE col = VALUES(col)}.
   *
   * <p>{@code VALUES(col)} is the one form both accept: MariaDB has no row alias ({@code INSERT …
   * AS new … UPDATE col = new.col}), and MySQL 8.0.20+ only deprecates {@code VALUES()} (warning
   * 1287), still running it. Connector/J with {@code rewriteBatchedStatements=true} turns a batch
   * of these into one multi-row statement.
   */
  MYSQL('`') {
    @Override
    String upsert(String table, String key, List<String> columns) {
      StringJoiner updates = new StringJoiner(", ");
      for (String c : columns) {
        updates.add(c + " = VALUES(" + c + ")");
      }
      return insert(table, key, columns) + " ON DUPLICATE KEY UPDATE " + updates;
    }

    /**
     * MySQL assigns left to right: every column is judged on the old revision, the revision last.
     */
    @Override
    String upsertIfNewer(String table, String key, List<String> columns, String revision) {
      StringJoiner updates = new StringJoiner(", ");
      for (String c : columns) {
        updates.add(
            c
                + " = IF(VALUES("
                + revision
                + ") >= "
                + orZero(revision)
                + ", VALUES("
                + c
                + "), "
                + c
                + ")");
      }
      updates.add(revision + " = GREATEST(" + orZero(revision) + ", VALUES(" + revision + "))");
      return insert(table, key, with(columns, revision)) + " ON DUPLICATE KEY UPDATE " + updates;
    }

    @Override
    String upsertDirect(String table, String key, List<String> columns, String revision) {
      StringJoiner updates = new StringJoiner(", ");
      for (String c : columns) {
        updates.add(c + " = VALUES(" + c + ")");
      }
      updates.add(revision + " = " + bumped(revision, "VALUES(" + revision + ")"));
      return insert(table, key, with(columns, revision)) + " ON DUPLICATE KEY UPDATE " + updates;
    }
  },

  /** H2 2.x in any compatibility mode: {@code MERGE INTO … KEY (key) VALUES (…)}. */
  H2('"') {
    @Override
    String upsert(String table, String key, List<String> columns) {
      return "MERGE INTO "
          + table
          + " ("
          + key
          + ", "
          + String.join(", ", columns)
          + ") KEY ("
          + key
          + ") VALUES ("
          + placeholders(columns.size() + 1)
          + ")";
    }

    /** The standard MERGE, whose WHEN MATCHED takes a condition (H2's MERGE … KEY does not). */
    @Override
    String upsertIfNewer(String table, String key, List<String> columns, String revision) {
      return merge(
          table,
          key,
          columns,
          revision,
          " AND " + orZero("t." + revision) + " <= s." + revision,
          "s." + revision);
    }

    @Override
    String upsertDirect(String table, String key, List<String> columns, String revision) {
      return merge(table, key, columns, revision, "", bumped("t." + revision, "s." + revision));
    }

    private String merge(
        String table,
        String key,
        List<String> columns,
        String revision,
        String matchedCondition,
        String newRevision) {
      List<String> all = with(columns, revision);
      StringJoiner sourceColumns = new StringJoiner(", ");
      StringJoiner updates = new StringJoiner(", ");
      StringJoiner sourceValues = new StringJoiner(", ");
      sourceColumns.add(key);
      sourceValues.add("s." + key);
      for (String c : all) {
        sourceColumns.add(c);
        updates.add(c + " = " + (c.equals(revision) ? newRevision : "s." + c));
        sourceValues.add("s." + c);
      }
      return "MERGE INTO "
          + table
          + " t USING (VALUES ("
          + placeholders(all.size() + 1)
          + ")) s ("
          + sourceColumns
          + ") ON t."
          + key
          + " = s."
          + key
          + " WHEN MATCHED"
          + matchedCondition
          + " THEN UPDATE SET "
          + updates
          + " WHEN NOT MATCHED THEN INSERT ("
          + sourceColumns
          + ") VALUES ("
          + sourceValues
          + ")";
    }
  },

  /** PostgreSQL 9.5+: {@code INSERT … ON CONFLICT (key) DO UPDATE SET col = EXCLUDED.col}. */
  POSTGRESQL('"') {
    @Override
    String upsert(String table, String key, List<String> columns) {
      StringJoiner updates = new StringJoiner(", ");
      for (String c : columns) {
        updates.add(c + " = EXCLUDED." + c);
      }
      return insert(table, key, columns) + " ON CONFLICT (" + key + ") DO UPDATE SET " + updates;
    }

    @Override
    String upsertIfNewer(String table, String key, List<String> columns, String revision) {
      List<String> all = with(columns, revision);
      StringJoiner updates = new StringJoiner(", ");
      for (String c : all) {
        updates.add(c + " = EXCLUDED." + c);
      }
      // an alias: the table may be schema-qualified, and WHERE names the existing row through it
      return insert(table + " AS cascade_row", key, all)
          + " ON CONFLICT ("
          + key
          + ") DO UPDATE SET "
          + updates
          + " WHERE "
          + orZero("cascade_row." + revision)
          + " <= EXCLUDED."
          + revision;
    }

    @Override
    String upsertDirect(String table, String key, List<String> columns, String revision) {
      StringJoiner updates = new StringJoiner(", ");
      for (String c : columns) {
        updates.add(c + " = EXCLUDED." + c);
      }
      updates.add(revision + " = " + bumped("cascade_row." + revision, "EXCLUDED." + revision));
      return insert(table + " AS cascade_row", key, with(columns, revision))
          + " ON CONFLICT ("
          + key
          + ") DO UPDATE SET "
          + updates;
    }
  };

  private final char quote;

  Dialect(char quote) {
    this.quote = quote;
  }

  /**
   * The dialect of the database behind {@code dataSource}, from {@link
   * java.sql.DatabaseMetaData#getDatabaseProductName()}. Borrows one connection and returns it.
   *
   * @throws SQLException if no connection can be had
   * @throws IllegalArgumentException if the database is none of the supported ones
   */
  public static Dialect detect(DataSource dataSource) throws SQLException {
    if (dataSource == null) {
      throw new NullPointerException("dataSource is null");
    }
    try (Connection c = dataSource.getConnection()) {
      return detect(c);
    }
  }

  /** The dialect of the database {@code connection} talks to; the connection stays open. */
  public static Dialect detect(Connection connection) throws SQLException {
    return fromProductName(connection.getMetaData().getDatabaseProductName());
  }

  /**
   * {@code "MySQL"} and {@code "MariaDB"}: {@link #MYSQL}; {@code "H2"}: {@link #H2}; {@code
   * "PostgreSQL"}: {@link #POSTGRESQL}.
   *
   * @throws IllegalArgumentException for any other product, naming it
   */
  public static Dialect fromProductName(String productName) {
    String name = productName == null ? "" : productName.trim().toLowerCase(Locale.ROOT);
    if (name.startsWith("mysql") || name.startsWith("mariadb")) {
      return MYSQL;
    }
    if (name.equals("h2")) {
      return H2;
    }
    if (name.startsWith("postgresql")) {
      return POSTGRESQL;
    }
    throw new IllegalArgumentException(
        "Database product '"
            + productName
            + "' has no Cascade JDBC dialect;"
            + " supported: MySQL, MariaDB, H2, PostgreSQL");
  }

  /**
   * {@code identifier} in this dialect's quotes. Only ever called with names {@link SqlName} has
   * validated (letters, digits, {@code _}), so there is no quote inside to escape.
   */
  String quote(String identifier) {
    return quote + identifier + quote;
  }

  /** An upsert of one row: the key, then {@code columns} in order, as {@code ?} parameters. */
  abstract String upsert(String table, String key, List<String> columns);

  /**
   * An upsert of one row that leaves a row alone whose {@code revision} column is larger than the
   * new one: the key, then {@code columns} in order, then the revision, as {@code ?} parameters.
   */
  abstract String upsertIfNewer(String table, String key, List<String> columns, String revision);

  /**
   * An upsert of one row that always writes it (a direct call, ordered by its caller: a
   * write-through put under the cache's lock of the key), with the parameters of {@link
   * #upsertIfNewer}: the row gets the larger of its old revision + 1 and the new one, so it is
   * newer than before even when the clock that stamped the new one runs behind the one that stamped
   * the old, and a queued change older than the row is still refused afterwards.
   */
  abstract String upsertDirect(String table, String key, List<String> columns, String revision);

  /**
   * A revision read from a row, NULL as 0: {@code x >= NULL} is NULL (false) and {@code
   * GREATEST(NULL, x)} is NULL in MySQL, so a row whose revision is NULL (written before the column
   * was used, or by something else) would otherwise refuse every revisioned change for good.
   */
  static String orZero(String revision) {
    return "COALESCE(" + revision + ", 0)";
  }

  /** The revision a direct upsert leaves: see {@link #upsertDirect}. */
  static String bumped(String oldRevision, String newRevision) {
    return "GREATEST(" + orZero(oldRevision) + " + 1, " + newRevision + ")";
  }

  private static List<String> with(List<String> columns, String revision) {
    List<String> all = new ArrayList<>(columns);
    all.add(revision);
    return all;
  }

  static String insert(String table, String key, List<String> columns) {
    return "INSERT INTO "
        + table
        + " ("
        + key
        + ", "
        + String.join(", ", columns)
        + ") VALUES ("
        + placeholders(columns.size() + 1)
        + ")";
  }

  static String placeholders(int count) {
    StringBuilder sql = new StringBuilder(count * 3);
    for (int i = 0; i < count; i++) {
      sql.append(i == 0 ? "?" : ", ?");
    }
    return sql.toString();
  }
}
