package dev.cascade.samples.demo;

import dev.cascade.jdbc.JdbcCacheWriter;
import java.util.Collection;
import java.util.concurrent.atomic.LongAdder;
import javax.cache.Cache;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;

/**
 * Wraps a {@link JdbcCacheWriter} and counts what reaches the database: writer calls, rows, and SQL
 * statements as the JDBC writer sends them (one per {@code write}/{@code delete}; one batched
 * statement per chunk of at most {@code chunkSize} rows for {@code writeAll}/{@code deleteAll},
 * which Connector/J's {@code rewriteBatchedStatements} turns into one multi-row statement).
 *
 * <p>Counting here rather than with the database's own counters ({@code SHOW GLOBAL STATUS}) keeps
 * the numbers this program's own on a database other programs use at the same time.
 *
 * <p>Thread-safe: counters are {@link LongAdder}s, the wrapped writer is thread-safe.
 */
public final class CountingWriter<K, V> implements CacheWriter<K, V> {

  /** What reached the database through one or more writers. */
  public static final class Counts {
    public final LongAdder calls = new LongAdder();
    public final LongAdder rows = new LongAdder();
    public final LongAdder statements = new LongAdder();
  }

  private final CacheWriter<K, V> inner;
  private final Counts counts;
  private final int chunkSize;

  public CountingWriter(CacheWriter<K, V> inner, Counts counts, int chunkSize) {
    this.inner = inner;
    this.counts = counts;
    this.chunkSize = chunkSize;
  }

  /**
   * A factory for a cache configuration. Like the JDBC writer's own factory it only works in the
   * JVM that built it (it holds the counters and, through the writer, a DataSource).
   */
  public static <K, V> Factory<CacheWriter<K, V>> factory(
      Factory<? extends CacheWriter<K, V>> inner, Counts counts) {
    return new LocalFactory<>(
        new CountingWriter<>(inner.create(), counts, JdbcCacheWriter.DEFAULT_CHUNK_SIZE));
  }

  @Override
  public void write(Cache.Entry<? extends K, ? extends V> entry) {
    inner.write(entry);
    counts.calls.increment();
    counts.rows.increment();
    counts.statements.increment();
  }

  @Override
  public void writeAll(Collection<Cache.Entry<? extends K, ? extends V>> entries) {
    int before = entries.size();
    try {
      inner.writeAll(entries);
    } finally {
      // the JDBC writer removes what it committed, also when a later chunk fails
      count(before - entries.size());
    }
  }

  @Override
  public void delete(Object key) {
    inner.delete(key);
    counts.calls.increment();
    counts.rows.increment();
    counts.statements.increment();
  }

  @Override
  public void deleteAll(Collection<?> keys) {
    int before = keys.size();
    try {
      inner.deleteAll(keys);
    } finally {
      count(before - keys.size());
    }
  }

  private void count(int rows) {
    counts.calls.increment();
    if (rows > 0) {
      counts.rows.add(rows);
      counts.statements.add((rows + chunkSize - 1) / chunkSize);
    }
  }

  /** Hands out one ready writer; serializable as JCache wants, usable only where it was built. */
  private static final class LocalFactory<T> implements Factory<T> {
    private static final long serialVersionUID = 1L;
    private final transient T instance;

    LocalFactory(T instance) {
      this.instance = instance;
    }

    @Override
    public T create() {
      if (instance == null) {
        throw new IllegalStateException(
            "a CountingWriter factory only works in the JVM that built it");
      }
      return instance;
    }
  }
}
