package dev.cascade.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.cache.integration.CacheWriterException;

/**
 * Runs a batch operation as a sequence of chunks, each chunk one transaction on one borrowed
 * connection: the mechanism behind the writer's partial-success contract.
 *
 * <p>A committed chunk is reported to {@code committed} at once; the first failing chunk is rolled
 * back and ends the run with a {@link CacheWriterException} saying which chunk failed, what was
 * committed before it and what was not written. So after a failure the database holds exactly the
 * chunks reported, never part of one. An {@code Error} thrown in a chunk rolls it back too and is
 * rethrown as it is.
 *
 * <p>A commit that itself fails counts as a failed chunk even though the server may have applied it
 * (the connection died in between): the chunk stays "not written" and is written again by a retry.
 * Upserts and deletes are idempotent, so at-least-once is safe; claiming a write that did not
 * happen would not be.
 */
final class ChunkedTransactions {

  /** The statements of one chunk, on a connection with autocommit off. */
  interface ChunkWork<T> {
    void run(Connection connection, Statements sql, List<T> chunk) throws SQLException;
  }

  private ChunkedTransactions() {}

  static <T> void run(
      JdbcTable<?, ?> table,
      String operation,
      List<T> items,
      int chunkSize,
      Function<T, Object> keyOf,
      ChunkWork<T> work,
      Consumer<List<T>> committed) {
    int from = 0;
    Connection c = null;
    boolean restoreAutoCommit = false;
    try {
      c = table.dataSource.getConnection();
      Statements sql = table.writeStatements(c);
      restoreAutoCommit = c.getAutoCommit();
      if (restoreAutoCommit) {
        c.setAutoCommit(false);
      }
      for (; from < items.size(); from += chunkSize) {
        List<T> chunk = items.subList(from, Math.min(items.size(), from + chunkSize));
        try {
          work.run(c, sql, inKeyOrder(chunk, keyOf));
          c.commit();
        } catch (Throwable e) {
          // an Error too (StackOverflowError in a getter, OutOfMemoryError): without the rollback,
          // restoring autocommit in close() would commit the part of the chunk already sent
          rollback(c, e);
          throw e;
        }
        committed.accept(chunk);
      }
    } catch (SQLException | RuntimeException e) {
      throw failure(table, operation, items, chunkSize, from, keyOf, e);
    } finally {
      close(c, restoreAutoCommit);
    }
  }

  private static <T> CacheWriterException failure(
      JdbcTable<?, ?> table,
      String operation,
      List<T> items,
      int chunkSize,
      int from,
      Function<T, Object> keyOf,
      Exception e) {
    int at = Math.min(from, items.size() - 1);
    int to = Math.min(items.size(), at + chunkSize);
    String done =
        at == 0
            ? "nothing was written"
            : "rows 1.." + at + " were committed, the rest was not written";
    return Failures.writer(
        Failures.onTable(operation, table.table())
            + " failed in the chunk of rows "
            + (at + 1)
            + ".."
            + to
            + " of "
            + items.size()
            + " (first key "
            + Failures.key(keyOf.apply(items.get(at)))
            + "); "
            + done,
        e);
  }

  /**
   * The chunk in key order when its keys are mutually comparable: two transactions that lock rows
   * in the same order cannot deadlock each other (InnoDB and PostgreSQL lock per row).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static <T> List<T> inKeyOrder(List<T> chunk, Function<T, Object> keyOf) {
    if (chunk.size() < 2 || !(keyOf.apply(chunk.get(0)) instanceof Comparable)) {
      return chunk;
    }
    List<T> sorted = new ArrayList<>(chunk);
    try {
      sorted.sort((a, b) -> ((Comparable) keyOf.apply(a)).compareTo(keyOf.apply(b)));
      return sorted;
    } catch (ClassCastException mixedTypes) {
      return chunk;
    }
  }

  private static void rollback(Connection c, Throwable cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  /**
   * Restores autocommit and returns the connection. Failures here are swallowed: every chunk has
   * already been committed or rolled back, and a pool resets (or discards) a connection it gets
   * back; throwing would report a write that happened as failed.
   */
  private static void close(Connection c, boolean restoreAutoCommit) {
    if (c == null) {
      return;
    }
    try {
      if (restoreAutoCommit) {
        c.setAutoCommit(true);
      }
    } catch (SQLException ignored) {
      // see above
    }
    try {
      c.close();
    } catch (SQLException ignored) {
      // see above
    }
  }
}
