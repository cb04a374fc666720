package dev.cascade.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.sql.DataSource;

/**
 * A {@link CacheLoader} that reads values from one table through a {@link TableMapping}.
 *
 * <pre>{@code
 * TableMapping<Long, Product> products = TableMapping.builder("products")
 *     .key("id", Long.class)
 *     .column("name", Product::name)
 *     .column("price", Product::price)
 *     .reader(row -> new Product(row.getString("name"), row.getBigDecimal("price")))
 *     .build();
 *
 * cacheManager.createCache("products", new MutableConfiguration<Long, Product>()
 *     .setReadThrough(true)
 *     .setCacheLoaderFactory(JdbcCacheLoader.factory(dataSource, products)));
 * }</pre>
 *
 * <p>{@link #load} runs {@code SELECT key, columns FROM table WHERE key = ?}; {@link #loadAll} one
 * {@code SELECT … WHERE key IN (?, …)} per chunk of {@value #DEFAULT_CHUNK_SIZE} keys (drivers and
 * servers limit parameters per statement), all on one connection. A missing row, or a row the
 * reader turns into {@code null}, is a missing key: {@code load} returns {@code null} and {@code
 * loadAll} leaves it out. {@code loadAll} returns only keys that were asked for, compared with
 * {@code equals} on what the driver reads back as the mapping's key type (so on a case-insensitive
 * collation, a {@code String} key spelled differently from the row is missing from {@code loadAll}
 * even though {@code load} finds it).
 *
 * <p>Failures are {@link CacheLoaderException}s naming the table, the key and the SQL error.
 *
 * <p>Thread-safe and stateless between calls: one instance serves every thread of a cache. Each
 * call borrows a connection from the {@code DataSource} (use a pool) and returns it before it
 * returns. The dialect is detected on the first call unless given.
 */
public final class JdbcCacheLoader<K, V> implements CacheLoader<K, V> {

  /** Keys per {@code IN} list: well under every supported driver's parameter limit. */
  public static final int DEFAULT_CHUNK_SIZE = 1000;

  private final JdbcTable<K, V> table;
  private final int chunkSize;

  /** A loader that detects the dialect from the first connection it borrows. */
  public JdbcCacheLoader(DataSource dataSource, TableMapping<K, V> mapping) {
    this(new JdbcTable<>(dataSource, mapping, null), DEFAULT_CHUNK_SIZE);
  }

  public JdbcCacheLoader(DataSource dataSource, TableMapping<K, V> mapping, Dialect dialect) {
    this(new JdbcTable<>(dataSource, mapping, requireDialect(dialect)), DEFAULT_CHUNK_SIZE);
  }

  private JdbcCacheLoader(JdbcTable<K, V> table, int chunkSize) {
    this.table = table;
    this.chunkSize = chunkSize;
  }

  /** A serializable factory of a loader, for {@code MutableConfiguration.setCacheLoaderFactory}. */
  public static <K, V> Factory<JdbcCacheLoader<K, V>> factory(
      DataSource dataSource, TableMapping<K, V> mapping) {
    return new JdbcCacheLoader<>(dataSource, mapping).asFactory();
  }

  /**
   * A factory that hands out this loader. Serializable as JCache requires, but it only works in the
   * JVM that built it: the {@code DataSource} is not serialized with it.
   */
  public Factory<JdbcCacheLoader<K, V>> asFactory() {
    return new LocalFactory<>("JdbcCacheLoader of table " + table.table(), this);
  }

  /** The same loader with at most {@code keys} keys per {@code SELECT … IN} (at least 1). */
  public JdbcCacheLoader<K, V> withChunkSize(int keys) {
    if (keys < 1) {
      throw new IllegalArgumentException("chunk size must be at least 1, was " + keys);
    }
    return new JdbcCacheLoader<>(table, keys);
  }

  public TableMapping<K, V> mapping() {
    return table.mapping;
  }

  @Override
  public V load(K key) {
    table.checkKey(key, "load");
    try (Connection c = table.dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(table.statements(c).selectOne)) {
      table.mapping.bindKey(ps, 1, key);
      V value;
      try (ResultSet rs = ps.executeQuery()) {
        value = rs.next() ? table.mapping.readValue(rs) : null;
      }
      endRead(c);
      return value;
    } catch (SQLException | RuntimeException e) {
      throw Failures.loader(
          "load from table " + table.table() + " failed for key " + Failures.key(key), e);
    }
  }

  @Override
  public Map<K, V> loadAll(Iterable<? extends K> keys) {
    if (keys == null) {
      throw new NullPointerException("loadAll on table " + table.table() + ": keys is null");
    }
    // guard first: a null or mistyped key fails the call before any query runs
    Map<Object, K> wanted = new LinkedHashMap<>(); // by content: the key asked for
    for (K key : keys) {
      table.checkKey(key, "loadAll");
      wanted.putIfAbsent(JdbcTable.byContent(key), key);
    }
    Map<K, V> found = new HashMap<>();
    if (wanted.isEmpty()) {
      return found;
    }
    List<K> all = new ArrayList<>(wanted.values());
    int from = 0;
    try (Connection c = table.dataSource.getConnection()) {
      Statements sql = table.statements(c);
      for (; from < all.size(); from += chunkSize) {
        List<K> chunk = all.subList(from, Math.min(all.size(), from + chunkSize));
        int parameters = Statements.padded(chunk.size(), chunkSize);
        try (PreparedStatement ps = c.prepareStatement(sql.selectIn(parameters))) {
          table.bindKeys(ps, chunk, parameters);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              K asked = wanted.get(JdbcTable.byContent(table.mapping.readKey(rs)));
              V value = table.mapping.readValue(rs);
              if (value != null && asked != null) {
                found.put(asked, value);
              }
            }
          }
        }
      }
      endRead(c);
      return found;
    } catch (SQLException | RuntimeException e) {
      int at = Math.min(from, all.size() - 1);
      throw Failures.loader(
          "loadAll from table "
              + table.table()
              + " failed for "
              + all.size()
              + " keys, in the"
              + " query of keys "
              + (at + 1)
              + ".."
              + Math.min(all.size(), at + chunkSize)
              + " (first key "
              + Failures.key(all.get(at))
              + ")",
          e);
    }
  }

  /**
   * Ends the read's transaction on a connection that does not autocommit: a pool that hands the
   * connection on without a rollback (Hikari and DBCP2 roll back, others need not) would keep its
   * snapshot, and a later load on it under REPEATABLE READ would see the rows as they were.
   */
  private static void endRead(Connection c) throws SQLException {
    if (!c.getAutoCommit()) {
      c.rollback();
    }
  }

  @Override
  public String toString() {
    return "JdbcCacheLoader[" + table.mapping + "]";
  }

  static Dialect requireDialect(Dialect dialect) {
    if (dialect == null) {
      throw new NullPointerException(
          "dialect is null; use the constructor without a dialect to detect it");
    }
    return dialect;
  }
}
