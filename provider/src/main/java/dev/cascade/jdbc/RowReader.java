package dev.cascade.jdbc;

import java.sql.SQLException;

/**
 * Builds a value from one row of the mapped table: the other half of a {@link TableMapping}'s
 * column getters.
 *
 * <pre>{@code
 * RowReader<Product> reader = row -> new Product(row.getString("name"), row.getBigDecimal("price"));
 * }</pre>
 *
 * <p>Returning {@code null} means "no value for this key", exactly as if the row were missing.
 * Called by any thread that loads, so it must be thread-safe (a lambda without captured mutable
 * state is).
 */
@FunctionalInterface
public interface RowReader<V> {

  /** The value of the current row; {@code row} is only valid during this call. */
  V read(Row row) throws SQLException;
}
