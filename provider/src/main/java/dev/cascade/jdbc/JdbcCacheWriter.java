package dev.cascade.jdbc;

import dev.cascade.writebehind.RevisionedCacheWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.cache.Cache;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriterException;
import javax.sql.DataSource;

/**
 * A {@link javax.cache.integration.CacheWriter} that upserts and deletes rows of one table through
 * a {@link TableMapping}.
 *
 * <pre>{@code
 * cacheManager.createCache("products", new MutableConfiguration<Long, Product>()
 *     .setReadThrough(true).setWriteThrough(true)
 *     .setCacheLoaderFactory(JdbcCacheLoader.factory(dataSource, products))
 *     .setCacheWriterFactory(JdbcCacheWriter.factory(dataSource, products)));
 * }</pre>
 *
 * <p>{@link #write} is one upsert in the dialect's form ({@link Dialect}); {@link #delete} one
 * {@code DELETE … WHERE key = ?}. {@link #writeAll} sends batched upserts and {@link #deleteAll}
 * one {@code DELETE … WHERE key IN (…)}, in chunks of {@value #DEFAULT_CHUNK_SIZE} rows, each chunk
 * one transaction. With MySQL Connector/J, set {@code rewriteBatchedStatements=true} on the URL: a
 * chunk then travels as one multi-row statement instead of one round trip per row.
 *
 * <p><b>Partial success</b>, as JCache asks of {@code writeAll}/{@code deleteAll}: entries (keys)
 * of committed chunks are removed from the collection passed in; when a chunk fails it is rolled
 * back, and it and every later entry stay in the collection, and the call throws a {@link
 * CacheWriterException} naming the table, the failing chunk's first key and the SQL error. So the
 * collection says exactly what is not in the database. Several entries for one key: the last one is
 * written (and all of them are removed once it is). The collection must be mutable.
 *
 * <p><b>Revisions.</b> With a revision column in the mapping ({@link
 * TableMapping#withRevisionColumn(String)}), a revisioned call ({@link #writeAll(Collection,
 * Revisions)}, {@link #deleteAll(Collection, Revisions)}: write-behind hands each change's revision
 * over, see {@link RevisionedCacheWriter}) writes the change's revision and leaves alone a row
 * holding a newer one, and deletes only a row that is not newer: a stale write-behind batch (a
 * flusher frozen past its lease, a change delivered twice) cannot overwrite a newer row. A direct
 * call ({@link #write}, {@link #writeAll(Collection)}, {@link #delete}, {@link
 * #deleteAll(Collection)}: write-through) is ordered by its caller, under the cache's lock of the
 * key, so it always takes effect: it writes every column and sets the revision to the larger of the
 * row's revision + 1 and the current time on the revision scale (so a queued change older than the
 * row is still refused afterwards), and deletes whatever the row's revision. Judging it by this
 * JVM's clock would silently drop the change whenever another JVM's clock runs ahead. A NULL
 * revision in a row counts as 0. A stale put arriving after a newer delete finds no row and inserts
 * one: rows are deleted, not kept as tombstones.
 *
 * <p><b>Unique indexes.</b> A write changes only the row of its own key. A row that clashes with
 * another row on a unique index other than the key fails the call with a {@code
 * CacheWriterException} saying so (an integrity error, SQLState class 23), and the other row stays
 * as it was. On MySQL and MariaDB, whose {@code ON DUPLICATE KEY UPDATE} would update the other row
 * instead, a table with such an index is written with statements that name the key (see {@link
 * Statements#guarded}); its indexes are read once, on first use.
 *
 * <p>All failures are {@code CacheWriterException}s with the operation, table, key and SQL error in
 * the message; a null or mistyped key or a null value fails before any SQL runs.
 *
 * <p>Thread-safe and stateless between calls: one instance serves every thread of a cache. Each
 * call borrows one connection from the {@code DataSource} (use a pool) and returns it, with its
 * autocommit mode as it was. Rows of a chunk are written in key order (for comparable keys), so
 * concurrent batches lock rows in the same order and do not deadlock each other. The dialect is
 * detected on the first call unless given.
 */
public final class JdbcCacheWriter<K, V> implements RevisionedCacheWriter<K, V> {

  /** Rows per transaction: large enough to batch well, small enough to keep lock times short. */
  public static final int DEFAULT_CHUNK_SIZE = 500;

  private final JdbcTable<K, V> table;
  private final int chunkSize;

  /** A writer that detects the dialect from the first connection it borrows. */
  public JdbcCacheWriter(DataSource dataSource, TableMapping<K, V> mapping) {
    this(new JdbcTable<>(dataSource, mapping, null), DEFAULT_CHUNK_SIZE);
  }

  public JdbcCacheWriter(DataSource dataSource, TableMapping<K, V> mapping, Dialect dialect) {
    this(
        new JdbcTable<>(dataSource, mapping, JdbcCacheLoader.requireDialect(dialect)),
        DEFAULT_CHUNK_SIZE);
  }

  private JdbcCacheWriter(JdbcTable<K, V> table, int chunkSize) {
    this.table = table;
    this.chunkSize = chunkSize;
  }

  /** A serializable factory of a writer, for {@code MutableConfiguration.setCacheWriterFactory}. */
  public static <K, V> Factory<JdbcCacheWriter<K, V>> factory(
      DataSource dataSource, TableMapping<K, V> mapping) {
    return new JdbcCacheWriter<>(dataSource, mapping).asFactory();
  }

  /**
   * A factory that hands out this writer. Serializable as JCache requires, but it only works in the
   * JVM that built it: the {@code DataSource} is not serialized with it.
   */
  public Factory<JdbcCacheWriter<K, V>> asFactory() {
    return new LocalFactory<>("JdbcCacheWriter of table " + table.table(), this);
  }

  /** The same writer with at most {@code rows} rows per transaction (at least 1). */
  public JdbcCacheWriter<K, V> withChunkSize(int rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("chunk size must be at least 1, was " + rows);
    }
    return new JdbcCacheWriter<>(table, rows);
  }

  public TableMapping<K, V> mapping() {
    return table.mapping;
  }

  @Override
  public void write(Cache.Entry<? extends K, ? extends V> entry) {
    if (entry == null) {
      throw new NullPointerException("write to table " + table.table() + ": entry is null");
    }
    K key = entry.getKey();
    V value = checkValue(table.checkKey(key, "write"), entry.getValue(), "write");
    Revisions revisions = revisioned() ? constant(Revisions.now()) : null;
    single(
        "write",
        key,
        (c, sql) -> upsertRows(c, sql, List.of(Map.entry(key, value)), revisions, false));
  }

  @Override
  public void writeAll(Collection<Cache.Entry<? extends K, ? extends V>> entries) {
    upsertAll(entries, revisioned() ? constant(Revisions.now()) : null, false);
  }

  /** Without a revision column, the same as {@link #writeAll(Collection)}. */
  @Override
  public void writeAll(
      Collection<Cache.Entry<? extends K, ? extends V>> entries, Revisions revisions) {
    upsertAll(entries, revisioned() ? revisions : null, true);
  }

  /**
   * {@code revisions} null: no revision column; {@code conditional}: a revisioned call (keep newer
   * rows), else a direct one (always write, see {@link Dialect#upsertDirect}).
   */
  private void upsertAll(
      Collection<Cache.Entry<? extends K, ? extends V>> entries,
      Revisions revisions,
      boolean conditional) {
    if (entries == null) {
      throw new NullPointerException("writeAll to table " + table.table() + ": entries is null");
    }
    // guard first: one bad entry fails the call before anything is written.
    // A later entry for the same key replaces the earlier one's value but keeps its place.
    Map<K, V> latest = new LinkedHashMap<>();
    for (Cache.Entry<? extends K, ? extends V> e : entries) {
      if (e == null) {
        throw new NullPointerException("writeAll to table " + table.table() + ": an entry is null");
      }
      K key = e.getKey();
      latest.put(key, checkValue(table.checkKey(key, "writeAll"), e.getValue(), "writeAll"));
    }
    if (latest.isEmpty()) {
      return;
    }
    List<Map.Entry<K, V>> rows = new ArrayList<>(latest.entrySet());
    Set<Object> written = new HashSet<>();
    boolean complete = false;
    try {
      ChunkedTransactions.run(
          table,
          "writeAll",
          rows,
          chunkSize,
          Map.Entry::getKey,
          (c, sql, chunk) -> upsertRows(c, sql, chunk, revisions, conditional),
          chunk -> chunk.forEach(row -> written.add(row.getKey())));
      complete = true;
    } finally {
      if (complete) {
        entries.clear();
      } else if (!written.isEmpty()) {
        entries.removeIf(e -> written.contains(e.getKey()));
      }
    }
  }

  /**
   * Upserts {@code rows} ({@code revisions} and {@code conditional} as for {@link #upsertAll}): one
   * upsert per row, or on a guarded table ({@link Statements#guarded}) an update per row and an
   * insert of each row the update did not find. A clash on a unique index other than the key fails
   * with an error that says so.
   */
  private void upsertRows(
      Connection c,
      Statements sql,
      List<Map.Entry<K, V>> rows,
      Revisions revisions,
      boolean conditional)
      throws SQLException {
    TableMapping<K, V> m = table.mapping;
    try {
      if (!sql.guarded) {
        String upsert =
            revisions == null ? sql.upsert : conditional ? sql.upsertIfNewer : sql.upsertDirect;
        execute(
            c,
            upsert,
            rows,
            (ps, row) -> {
              m.bindKey(ps, 1, row.getKey());
              int next = m.bindColumns(ps, 2, row.getValue());
              if (revisions != null) {
                ps.setLong(next, revisions.of(row.getKey()));
              }
            });
        return;
      }
      guardedUpsert(c, sql, rows, revisions, conditional);
    } catch (SQLException e) {
      throw Failures.isUniqueViolation(e) ? Failures.uniqueClash(m.keyColumn(), e) : e;
    }
  }

  /**
   * The guarded upsert ({@link Statements#guarded}). A plain read finds the keys that are there;
   * those rows are updated, the others inserted with a plain INSERT (one multi-row statement with
   * {@code rewriteBatchedStatements}). Neither locks a gap: under REPEATABLE READ an UPDATE or a
   * locking read of a missing key would, and two chunks inserting new keys into one gap (both past
   * the highest id, say) would deadlock. Where that is not enough, rows go through UPDATE and then
   * {@code INSERT … WHERE NOT EXISTS}: a row the update did not count (deleted since the read,
   * refused as newer, or unchanged under {@code useAffectedRows=true}), and the rows of an insert
   * that hit a duplicate key (another writer inserted the key since the read, or the database
   * compares keys differently from Java: a case-insensitive collation). A duplicate key in that
   * last insert is a clash on another unique index.
   */
  private void guardedUpsert(
      Connection c,
      Statements sql,
      List<Map.Entry<K, V>> rows,
      Revisions revisions,
      boolean conditional)
      throws SQLException {
    TableMapping<K, V> m = table.mapping;
    Set<Object> present = new HashSet<>();
    List<Object> keys = new ArrayList<>(rows.size());
    rows.forEach(row -> keys.add(row.getKey()));
    int parameters = Statements.padded(keys.size(), Math.max(keys.size(), chunkSize));
    try (PreparedStatement ps = c.prepareStatement(sql.keysIn(parameters))) {
      table.bindKeys(ps, keys, parameters);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          present.add(JdbcTable.byContent(m.readKey(rs)));
        }
      }
    }
    List<Map.Entry<K, V>> existing = new ArrayList<>();
    List<Map.Entry<K, V>> absent = new ArrayList<>();
    for (Map.Entry<K, V> row : rows) {
      (present.contains(JdbcTable.byContent(row.getKey())) ? existing : absent).add(row);
    }
    String update =
        revisions == null ? sql.update : conditional ? sql.updateIfNotNewer : sql.updateDirect;
    Binder<Map.Entry<K, V>> updateBinder =
        (ps, row) -> {
          int next = m.bindColumns(ps, 1, row.getValue());
          long revision = revisions == null ? 0 : revisions.of(row.getKey());
          if (revisions != null) {
            ps.setLong(next++, revision);
          }
          m.bindKey(ps, next++, row.getKey());
          if (revisions != null && conditional) {
            ps.setLong(next, revision);
          }
        };
    List<Map.Entry<K, V>> again = new ArrayList<>();
    if (!existing.isEmpty()) {
      again.addAll(notCounted(existing, execute(c, update, existing, updateBinder)));
    }
    if (!absent.isEmpty()) {
      try {
        execute(
            c,
            sql.insert,
            absent,
            (ps, row) -> {
              m.bindKey(ps, 1, row.getKey());
              int next = m.bindColumns(ps, 2, row.getValue());
              if (revisions != null) {
                ps.setLong(next, revisions.of(row.getKey()));
              }
            });
      } catch (SQLException e) {
        if (!Failures.isUniqueViolation(e)) {
          throw e;
        }
        // MySQL undid the failed statement (some rows of an unrewritten batch may be in): the
        // update finds the keys that are there now, the insert below adds the rest or fails
        again.addAll(notCounted(absent, execute(c, update, absent, updateBinder)));
      }
    }
    if (!again.isEmpty()) {
      execute(
          c,
          sql.insertIfAbsent,
          again,
          (ps, row) -> {
            m.bindKey(ps, 1, row.getKey());
            int next = m.bindColumns(ps, 2, row.getValue());
            if (revisions != null) {
              ps.setLong(next++, revisions.of(row.getKey()));
            }
            m.bindKey(ps, next, row.getKey());
          });
    }
  }

  /**
   * The rows whose update count is not positive: not found, refused as newer, or (Connector/J's
   * {@code useAffectedRows=true}) found but unchanged; {@code SUCCESS_NO_INFO} tells nothing. The
   * {@code NOT EXISTS} insert they go on to is a no-op where the key is there.
   */
  private static <T> List<T> notCounted(List<T> rows, int[] counts) {
    List<T> result = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      if (i >= counts.length || counts[i] <= 0) {
        result.add(rows.get(i));
      }
    }
    return result;
  }

  private interface Binder<T> {
    void bind(PreparedStatement ps, T row) throws SQLException;
  }

  /** One row as a plain statement (no batch overhead for a single write), more as a batch. */
  private static <T> int[] execute(Connection c, String sql, List<T> rows, Binder<T> binder)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (rows.size() == 1) {
        binder.bind(ps, rows.get(0));
        return new int[] {ps.executeUpdate()};
      }
      for (T row : rows) {
        binder.bind(ps, row);
        ps.addBatch();
      }
      return ps.executeBatch();
    }
  }

  /**
   * Deletes the key's row whatever its revision: a direct call is ordered by its caller (a
   * write-through remove under the cache's lock of the key), and this JVM's clock says nothing
   * about which change came last.
   */
  @Override
  public void delete(Object key) {
    table.checkKey(key, "delete");
    single(
        "delete",
        key,
        (c, sql) -> {
          try (PreparedStatement ps = c.prepareStatement(sql.deleteOne)) {
            table.mapping.bindKey(ps, 1, key);
            ps.executeUpdate();
          }
        });
  }

  /** Deletes the keys' rows whatever their revisions, as {@link #delete} does. */
  @Override
  public void deleteAll(Collection<?> keys) {
    Set<Object> unique = uniqueKeys(keys);
    if (unique.isEmpty()) {
      return;
    }
    Set<Object> deleted = new HashSet<>();
    boolean complete = false;
    try {
      ChunkedTransactions.run(
          table,
          "deleteAll",
          new ArrayList<>(unique),
          chunkSize,
          k -> k,
          (c, sql, chunk) -> {
            int parameters = Statements.padded(chunk.size(), chunkSize);
            try (PreparedStatement ps = c.prepareStatement(sql.deleteIn(parameters))) {
              table.bindKeys(ps, chunk, parameters);
              ps.executeUpdate();
            }
          },
          deleted::addAll);
      complete = true;
    } finally {
      removeDone(keys, complete, deleted);
    }
  }

  /**
   * Deletes each key's row unless it holds a newer revision: a batch of single-row deletes, as each
   * key has its own revision. Without a revision column, the same as {@link
   * #deleteAll(Collection)}.
   */
  @Override
  public void deleteAll(Collection<?> keys, Revisions revisions) {
    if (!revisioned()) {
      deleteAll(keys);
      return;
    }
    Set<Object> unique = uniqueKeys(keys);
    if (unique.isEmpty()) {
      return;
    }
    Set<Object> deleted = new HashSet<>();
    boolean complete = false;
    try {
      ChunkedTransactions.run(
          table,
          "deleteAll",
          new ArrayList<>(unique),
          chunkSize,
          k -> k,
          (c, sql, chunk) -> {
            try (PreparedStatement ps = c.prepareStatement(sql.deleteIfNotNewer)) {
              for (Object key : chunk) {
                table.mapping.bindKey(ps, 1, key);
                ps.setLong(2, revisions.of(key));
                ps.addBatch();
              }
              ps.executeBatch();
            }
          },
          deleted::addAll);
      complete = true;
    } finally {
      removeDone(keys, complete, deleted);
    }
  }

  private Set<Object> uniqueKeys(Collection<?> keys) {
    if (keys == null) {
      throw new NullPointerException("deleteAll on table " + table.table() + ": keys is null");
    }
    Set<Object> unique = new LinkedHashSet<>();
    for (Object key : keys) {
      unique.add(table.checkKey(key, "deleteAll"));
    }
    return unique;
  }

  private static void removeDone(Collection<?> keys, boolean complete, Set<Object> deleted) {
    if (complete) {
      keys.clear();
    } else if (!deleted.isEmpty()) {
      keys.removeIf(deleted::contains);
    }
  }

  private boolean revisioned() {
    return table.mapping.sqlRevisionColumn() != null;
  }

  private static Revisions constant(long revision) {
    return key -> revision;
  }

  @Override
  public String toString() {
    return "JdbcCacheWriter[" + table.mapping + "]";
  }

  private interface SingleWork {
    void run(Connection c, Statements sql) throws SQLException;
  }

  /**
   * One statement on its own; committed here if the pool hands out connections in manual-commit
   * mode.
   */
  private void single(String operation, Object key, SingleWork work) {
    try (Connection c = table.dataSource.getConnection()) {
      Statements sql = table.writeStatements(c);
      boolean manual = !c.getAutoCommit();
      try {
        work.run(c, sql);
        if (manual) {
          c.commit();
        }
      } catch (Throwable e) {
        // an Error too: a pool need not roll back a connection it gets back
        if (manual) {
          rollbackQuietly(c, e);
        }
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      throw Failures.writer(
          Failures.onTable(operation, table.table()) + " failed for key " + Failures.key(key), e);
    }
  }

  private V checkValue(Object key, V value, String operation) {
    if (value == null) {
      throw new NullPointerException(
          operation
              + " to table "
              + table.table()
              + ": the value of key "
              + Failures.key(key)
              + " is null");
    }
    return value;
  }

  private static void rollbackQuietly(Connection c, Throwable cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }
}
