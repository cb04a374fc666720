package dev.cascade.jdbc;

import java.sql.JDBCType;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * How cache entries map to rows of one table: the table, the key column, the value columns with a
 * getter each (value to column value), and a {@link RowReader} (row to value).
 *
 * <pre>{@code
 * record Product(String name, BigDecimal price) implements Serializable {}
 *
 * TableMapping<Long, Product> products = TableMapping.builder("products")
 *     .key("id", Long.class)
 *     .column("name", Product::name)
 *     .column("price", Product::price)
 *     .reader(row -> new Product(row.getString("name"), row.getBigDecimal("price")))
 *     .build();
 *
 * // with lambdas instead of method references, name the value type first:
 * TableMapping.builder("products").key("id", Long.class).value(Product.class)
 *     .column("name", p -> p.name()) ...
 *
 * // one value column holding a scalar:
 * TableMapping<Long, Long> views = TableMapping.scalar("view_counts", "product_id", Long.class, "views", Long.class);
 * }</pre>
 *
 * <p>Names are checked as they are given, so a bad mapping fails while it is built, with a message
 * naming the table and the bad part: a name is a bare identifier (letters, digits, {@code _}, not a
 * word reserved in MySQL, MariaDB, H2 or PostgreSQL), written unquoted so it folds case like the
 * table's own DDL; or a name in double quotes ({@code "\"Order\""}), written quoted for the dialect
 * ({@code `Order`} on MySQL) and case-sensitive. A name can hold nothing else, so a mapping cannot
 * inject SQL. {@code schema.table} is allowed for the table. The key column must be the table's
 * primary key or carry a unique index (upserts need it). Other unique indexes are allowed: a write
 * that clashes on one fails (see {@link JdbcCacheWriter}).
 *
 * <p>Values are bound with {@code PreparedStatement.setObject}, keys too; give a {@link JDBCType}
 * where the driver needs to be told (e.g. {@code JDBCType.OTHER} for a PostgreSQL {@code jsonb}
 * column written from a {@code String}).
 *
 * <p>Immutable and thread-safe once built, provided the getters and the reader are (method
 * references and lambdas without mutable captured state are). The builder is not thread-safe.
 */
public final class TableMapping<K, V> {

  private final SqlName table;
  private final SqlName keyColumn;
  private final Class<K> keyType;
  private final JDBCType keySqlType;
  private final List<ValueColumn<V>> columns;
  private final RowReader<? extends V> reader;
  private final Map<String, Integer> indexes;
  private final List<String> names;
  private final SqlName revisionColumn;

  private TableMapping(Builder<K, V> b) {
    this.revisionColumn = b.revisionColumn;
    this.table = b.table;
    this.keyColumn = b.keyColumn;
    this.keyType = b.keyType;
    this.keySqlType = b.keySqlType;
    this.columns = List.copyOf(b.columns);
    this.reader = b.reader;
    // the SELECT lists the key first, then the value columns in order: fixed column positions
    Map<String, Integer> idx = new LinkedHashMap<>();
    List<String> n = new ArrayList<>();
    idx.put(keyColumn.lookupKey(), 1);
    n.add(keyColumn.toString());
    for (ValueColumn<V> c : columns) {
      idx.put(c.name.lookupKey(), idx.size() + 1);
      n.add(c.name.toString());
    }
    this.indexes = Collections.unmodifiableMap(idx);
    this.names = List.copyOf(n);
  }

  /**
   * Starts a mapping of {@code table} ({@code name}, {@code schema.name}, or quoted parts).
   *
   * @throws IllegalArgumentException if the name is not a valid identifier, saying why
   */
  public static KeyStep builder(String table) {
    return new KeyStep(SqlName.table(table));
  }

  /**
   * A table of one key column and one value column holding the whole value, read back with {@link
   * Row#getObject(String, Class)}.
   *
   * <pre>{@code
   * TableMapping<Long, Long> views = TableMapping.scalar("view_counts", "product_id", Long.class, "views", Long.class);
   * }</pre>
   */
  public static <K, V> TableMapping<K, V> scalar(
      String table, String keyColumn, Class<K> keyType, String valueColumn, Class<V> valueType) {
    Objects.requireNonNull(valueType, "valueType");
    return builder(table)
        .key(keyColumn, keyType)
        .value(valueType)
        .column(valueColumn, Function.identity())
        .reader(row -> row.getObject(valueColumn, valueType))
        .build();
  }

  /**
   * The same mapping with a revision column ({@code BIGINT NOT NULL}; in a nullable one, NULL
   * counts as 0): {@link JdbcCacheWriter} then writes each change's revision there and never lets a
   * revisioned (write-behind) change replace a row holding a newer one, so a stale write-behind
   * batch (a flusher frozen past its lease, a change delivered twice) cannot overwrite a newer row.
   * Direct (write-through) calls always take effect. See {@link
   * dev.cascade.writebehind.RevisionedCacheWriter}.
   *
   * @throws IllegalArgumentException if the name is not a valid identifier or is already mapped
   */
  public TableMapping<K, V> withRevisionColumn(String name) {
    Builder<K, V> b = new Builder<>(table, keyColumn, keyType, keySqlType);
    b.columns.addAll(columns);
    b.reader = reader;
    b.revisionColumn(name);
    return new TableMapping<>(b);
  }

  /** The revision column, or null when rows carry none. */
  public String revisionColumn() {
    return revisionColumn == null ? null : revisionColumn.toString();
  }

  SqlName sqlRevisionColumn() {
    return revisionColumn;
  }

  /** The table as the mapping spells it. */
  public String table() {
    return table.toString();
  }

  public String keyColumn() {
    return keyColumn.toString();
  }

  public Class<K> keyType() {
    return keyType;
  }

  /** The value columns in the order they were added. */
  public List<String> valueColumns() {
    return names.subList(1, names.size());
  }

  @Override
  public String toString() {
    return "TableMapping["
        + table
        + ": key "
        + keyColumn
        + " ("
        + keyType.getSimpleName()
        + "), values "
        + valueColumns()
        + (revisionColumn == null ? "" : ", revision " + revisionColumn)
        + "]";
  }

  SqlName sqlTable() {
    return table;
  }

  SqlName sqlKeyColumn() {
    return keyColumn;
  }

  List<SqlName> sqlValueColumns() {
    List<SqlName> result = new ArrayList<>(columns.size());
    for (ValueColumn<V> c : columns) {
      result.add(c.name);
    }
    return result;
  }

  /** Binds {@code key} to parameter {@code index}. */
  void bindKey(PreparedStatement ps, int index, Object key) throws SQLException {
    bind(ps, index, key, keySqlType);
  }

  /**
   * Binds the value's columns to the parameters from {@code firstIndex} on, in mapping order;
   * returns the index of the next parameter.
   *
   * @throws MappingException if a getter throws, naming its column
   */
  int bindColumns(PreparedStatement ps, int firstIndex, V value) throws SQLException {
    for (int i = 0; i < columns.size(); i++) {
      ValueColumn<V> c = columns.get(i);
      Object columnValue;
      try {
        columnValue = c.getter.apply(value);
      } catch (RuntimeException e) {
        throw new MappingException("the getter of column " + c.name + " threw " + e, e);
      }
      bind(ps, firstIndex + i, columnValue, c.sqlType);
    }
    return firstIndex + columns.size();
  }

  /** Reads the key of the current row (column 1, as the SELECT puts it). */
  K readKey(ResultSet rs) throws SQLException {
    return Row.read(rs, 1, keyType);
  }

  /**
   * The value of the current row, or {@code null} if the reader says there is none.
   *
   * @throws MappingException if the reader throws anything but an {@code SQLException}
   */
  V readValue(ResultSet rs) throws SQLException {
    try {
      return reader.read(new Row(rs, indexes, names));
    } catch (RuntimeException e) {
      throw new MappingException("the row reader threw " + e, e);
    }
  }

  private static void bind(PreparedStatement ps, int index, Object value, JDBCType type)
      throws SQLException {
    if (type == null) {
      ps.setObject(index, value);
    } else if (value == null) {
      ps.setNull(index, type.getVendorTypeNumber());
    } else {
      ps.setObject(index, value, type.getVendorTypeNumber());
    }
  }

  private static final class ValueColumn<V> {
    final SqlName name;
    final Function<? super V, ?> getter;
    final JDBCType sqlType;

    ValueColumn(SqlName name, Function<? super V, ?> getter, JDBCType sqlType) {
      this.name = name;
      this.getter = getter;
      this.sqlType = sqlType;
    }
  }

  /**
   * Thrown (unchecked) when user mapping code fails; the loader and writer say which key it was.
   */
  static final class MappingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MappingException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The first step: the key column. */
  public static final class KeyStep {
    private final SqlName table;

    private KeyStep(SqlName table) {
      this.table = table;
    }

    /** The key column, bound and read as {@code type}. */
    public <K> ValueStep<K> key(String column, Class<K> type) {
      return key(column, type, null);
    }

    /** The key column, bound with {@code setObject(i, key, sqlType)}. */
    public <K> ValueStep<K> key(String column, Class<K> type, JDBCType sqlType) {
      SqlName name = Builder.name(table, "key column", column);
      Objects.requireNonNull(type, () -> "mapping of table '" + table + "': key type is null");
      return new ValueStep<>(table, name, type, sqlType);
    }
  }

  /** The second step: the value type, or straight away the first value column. */
  public static final class ValueStep<K> {
    private final SqlName table;
    private final SqlName keyColumn;
    private final Class<K> keyType;
    private final JDBCType keySqlType;

    private ValueStep(SqlName table, SqlName keyColumn, Class<K> keyType, JDBCType keySqlType) {
      this.table = table;
      this.keyColumn = keyColumn;
      this.keyType = keyType;
      this.keySqlType = keySqlType;
    }

    /** Names the value type, so the getters that follow can be lambdas. */
    public <V> Builder<K, V> value(Class<V> type) {
      Objects.requireNonNull(type, () -> "mapping of table '" + table + "': value type is null");
      return new Builder<>(table, keyColumn, keyType, keySqlType);
    }

    /**
     * The first value column; a method reference ({@code Product::name}) also fixes the value type.
     */
    public <V> Builder<K, V> column(String name, Function<? super V, ?> getter) {
      return new Builder<K, V>(table, keyColumn, keyType, keySqlType).column(name, getter);
    }

    public <V> Builder<K, V> column(String name, Function<? super V, ?> getter, JDBCType sqlType) {
      return new Builder<K, V>(table, keyColumn, keyType, keySqlType).column(name, getter, sqlType);
    }
  }

  /** The last step: more value columns, the reader, {@link #build()}. */
  public static final class Builder<K, V> {
    private final SqlName table;
    private final SqlName keyColumn;
    private final Class<K> keyType;
    private final JDBCType keySqlType;
    private final List<ValueColumn<V>> columns = new ArrayList<>();
    private RowReader<? extends V> reader;
    private SqlName revisionColumn;

    private Builder(SqlName table, SqlName keyColumn, Class<K> keyType, JDBCType keySqlType) {
      this.table = table;
      this.keyColumn = keyColumn;
      this.keyType = keyType;
      this.keySqlType = keySqlType;
    }

    /**
     * A value column whose value {@code getter} takes from the cache value ({@code null} for SQL
     * NULL).
     */
    public Builder<K, V> column(String name, Function<? super V, ?> getter) {
      return column(name, getter, null);
    }

    /**
     * A value column bound with {@code setObject(i, value, sqlType)} (and {@code setNull(i,
     * sqlType)}).
     */
    public Builder<K, V> column(String name, Function<? super V, ?> getter, JDBCType sqlType) {
      SqlName column = name(table, "column", name);
      if (column.lookupKey().equals(keyColumn.lookupKey())) {
        throw fail(table, "column '" + name + "' is the key column; list only the value columns");
      }
      for (ValueColumn<V> c : columns) {
        if (c.name.lookupKey().equals(column.lookupKey())) {
          throw fail(
              table, "column '" + name + "' is mapped twice (names are compared ignoring case)");
        }
      }
      if (getter == null) {
        throw fail(table, "the getter of column '" + name + "' is null");
      }
      columns.add(new ValueColumn<>(column, getter, sqlType));
      return this;
    }

    /** A revision column: see {@link TableMapping#withRevisionColumn(String)}. */
    public Builder<K, V> revisionColumn(String name) {
      SqlName column = name(table, "revision column", name);
      boolean taken = column.lookupKey().equals(keyColumn.lookupKey());
      for (ValueColumn<V> c : columns) {
        taken |= c.name.lookupKey().equals(column.lookupKey());
      }
      if (taken) {
        throw fail(
            table, "revision column '" + name + "' is already mapped as the key or a value column");
      }
      this.revisionColumn = column;
      return this;
    }

    /** How a row becomes a value again. */
    public Builder<K, V> reader(RowReader<? extends V> reader) {
      if (reader == null) {
        throw fail(table, "the reader is null");
      }
      this.reader = reader;
      return this;
    }

    /**
     * The immutable mapping.
     *
     * @throws IllegalStateException if no value column or no reader was given
     */
    public TableMapping<K, V> build() {
      if (columns.isEmpty()) {
        throw new IllegalStateException(
            "mapping of table '" + table + "': no value column; add one with column(..)");
      }
      if (reader == null) {
        throw new IllegalStateException(
            "mapping of table '" + table + "': no reader; add one with reader(row -> ...)");
      }
      return new TableMapping<>(this);
    }

    static SqlName name(SqlName table, String what, String name) {
      try {
        return SqlName.column(what, name);
      } catch (IllegalArgumentException | NullPointerException e) {
        throw fail(table, e.getMessage());
      }
    }

    private static IllegalArgumentException fail(SqlName table, String problem) {
      return new IllegalArgumentException("mapping of table '" + table + "': " + problem);
    }
  }
}
