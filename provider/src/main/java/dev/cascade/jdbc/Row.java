package dev.cascade.jdbc;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * One row of the mapped table, as a {@link RowReader} sees it: the key column and the value columns
 * of the {@link TableMapping}, by the names the mapping gave them (bare names in any case; quoted
 * names with or without their quotes).
 *
 * <pre>{@code
 * row -> new Product(row.getLong("id"), row.getString("name"), row.getBigDecimal("price"))
 * }</pre>
 *
 * <p>Only the mapped columns can be read: asking for another one throws {@code
 * IllegalArgumentException} naming the columns there are, so a typo is found on the first load
 * instead of reading the wrong column. Getters of boxed types return {@code null} for SQL {@code
 * NULL} (unlike {@code ResultSet.getLong}, which returns 0).
 *
 * <p>Valid only during the {@link RowReader#read} call it is passed to; not thread-safe.
 */
public final class Row {

  private final ResultSet rs;
  private final Map<String, Integer> indexes;
  private final List<String> names;

  Row(ResultSet rs, Map<String, Integer> indexes, List<String> names) {
    this.rs = rs;
    this.indexes = indexes;
    this.names = names;
  }

  public String getString(String column) throws SQLException {
    return rs.getString(index(column));
  }

  public Long getLong(String column) throws SQLException {
    long v = rs.getLong(index(column));
    return rs.wasNull() ? null : v;
  }

  public Integer getInt(String column) throws SQLException {
    int v = rs.getInt(index(column));
    return rs.wasNull() ? null : v;
  }

  public Double getDouble(String column) throws SQLException {
    double v = rs.getDouble(index(column));
    return rs.wasNull() ? null : v;
  }

  public Boolean getBoolean(String column) throws SQLException {
    boolean v = rs.getBoolean(index(column));
    return rs.wasNull() ? null : v;
  }

  public BigDecimal getBigDecimal(String column) throws SQLException {
    return rs.getBigDecimal(index(column));
  }

  public byte[] getBytes(String column) throws SQLException {
    return rs.getBytes(index(column));
  }

  /** The driver's default Java object for the column. */
  public Object getObject(String column) throws SQLException {
    return rs.getObject(index(column));
  }

  /**
   * The column as {@code type}: the getters above for their types (the same answer on every
   * driver), else {@code ResultSet.getObject(column, type)} (JDBC 4.2: {@code LocalDate}, {@code
   * LocalDateTime}, {@code OffsetDateTime}, {@code UUID} on PostgreSQL, ...).
   */
  public <T> T getObject(String column, Class<T> type) throws SQLException {
    return read(rs, index(column), type);
  }

  /** The mapped columns, key first, as the mapping spelled them. */
  public List<String> columns() {
    return names;
  }

  private int index(String column) {
    Integer i = column == null ? null : indexes.get(SqlName.normalise(column));
    if (i == null) {
      throw new IllegalArgumentException(
          "column '" + column + "' is not in the mapping; the row has " + names);
    }
    return i;
  }

  /** Reads column {@code i} as {@code type} with one rule for every driver (also used for keys). */
  static <T> T read(ResultSet rs, int i, Class<T> type) throws SQLException {
    Object v;
    if (type == String.class) {
      v = rs.getString(i);
    } else if (type == Long.class) {
      long l = rs.getLong(i);
      v = rs.wasNull() ? null : l;
    } else if (type == Integer.class) {
      int n = rs.getInt(i);
      v = rs.wasNull() ? null : n;
    } else if (type == Double.class) {
      double d = rs.getDouble(i);
      v = rs.wasNull() ? null : d;
    } else if (type == Boolean.class) {
      boolean b = rs.getBoolean(i);
      v = rs.wasNull() ? null : b;
    } else if (type == BigDecimal.class) {
      v = rs.getBigDecimal(i);
    } else if (type == byte[].class) {
      v = rs.getBytes(i);
    } else {
      return rs.getObject(i, type);
    }
    return type.cast(v);
  }
}
