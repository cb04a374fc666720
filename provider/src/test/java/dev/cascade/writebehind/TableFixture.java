package dev.cascade.writebehind;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.jdbc.JdbcCacheWriter;
import dev.cascade.jdbc.TableMapping;
import dev.cascade.testing.TestDatabase;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;

/**
 * A real table (k VARCHAR PRIMARY KEY, v VARCHAR) in the test database, a writer for it through
 * {@link JdbcCacheWriter} that counts what reaches the database, and the checks write-behind tests
 * share: wait until the queue drains, compare the table with the cache.
 */
final class TableFixture implements AutoCloseable {

  /** Counters per table, so writers made by (serializable) factories in any thread can report. */
  static final Map<String, AtomicLong> ROWS_WRITTEN = new ConcurrentHashMap<>();

  static final Map<String, AtomicLong> CALLS = new ConcurrentHashMap<>();

  final String table;

  TableFixture(String prefix) {
    this(prefix, "");
  }

  /**
   * @param constraints extra column constraints, e.g. {@code , CHECK (v <> 'poison')}
   */
  TableFixture(String prefix, String constraints) {
    table = TestDatabase.uniqueTableName(prefix);
    TestDatabase.execute(
        "CREATE TABLE "
            + table
            + " (k VARCHAR(64) PRIMARY KEY, v VARCHAR(255) NOT NULL"
            + constraints
            + ")");
    ROWS_WRITTEN.put(table, new AtomicLong());
    CALLS.put(table, new AtomicLong());
  }

  Factory<CacheWriter<String, String>> writerFactory() {
    return new CountingWriterFactory(table);
  }

  long rowsWritten() {
    return ROWS_WRITTEN.get(table).get();
  }

  Map<String, String> rows() {
    return TestDatabase.queryMap(
        "SELECT k, v FROM " + table + " ORDER BY k", String.class, String.class);
  }

  /** Waits until every queued record of the cache is flushed (bounded), then returns the table. */
  Map<String, String> drained(Cache<String, String> cache, Duration timeout) {
    WriteBehindMXBean wb = cache.unwrap(CascadeCache.class).writeBehind();
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    while (wb.getQueueDepth() > 0) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(
            "the write-behind queue did not drain within "
                + timeout
                + ": depth "
                + wb.getQueueDepth()
                + ", partitions held "
                + wb.getPartitionsHeld()
                + ", records flushed "
                + wb.getRecordsFlushed()
                + ", retries "
                + wb.getRetries()
                + ", last error: "
                + wb.getLastError());
      }
      sleep(50);
    }
    return rows();
  }

  /**
   * A write-behind of this table's writer for fault tests: batches of 20, flushed 10 ms after the
   * first record, and brief backoffs (10 to 200 ms), so a recovery shows within a test's time.
   */
  WriteBehind<String, String> eagerWriteBehind(int partitions) {
    return WriteBehind.<String, String>of(writerFactory())
        .partitions(partitions)
        .batchSize(20)
        .maxDelay(Duration.ofMillis(10))
        .backoff(Duration.ofMillis(10), Duration.ofMillis(200));
  }

  /** A CacheManager of its own on {@code uri}, with the given command timeout. */
  static CacheManager manager(String uri, Duration commandTimeout) {
    return new CascadeCachingProvider()
        .getCacheManager(
            URI.create(uri + "?timeout=" + commandTimeout.toMillis() + "ms"),
            TableFixture.class.getClassLoader());
  }

  static Map<String, String> contents(Cache<String, String> cache, Iterable<String> keys) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : keys) {
      String v = cache.get(k);
      if (v != null) {
        out.put(k, v);
      }
    }
    return out;
  }

  @Override
  public void close() {
    TestDatabase.dropTable(table);
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Makes a {@link CountingWriter} for one table. */
  static final class CountingWriterFactory implements Factory<CacheWriter<String, String>> {
    private static final long serialVersionUID = 1L;
    private final String table;

    CountingWriterFactory(String table) {
      this.table = table;
    }

    @Override
    public CacheWriter<String, String> create() {
      return new CountingWriter(table);
    }
  }

  /** The JDBC writer, counting the rows that reach the database. */
  static final class CountingWriter implements CacheWriter<String, String>, Serializable {
    private final String table;
    private final transient JdbcCacheWriter<String, String> jdbc;

    CountingWriter(String table) {
      this.table = table;
      this.jdbc =
          new JdbcCacheWriter<>(
              TestDatabase.dataSource(),
              TableMapping.scalar(table, "k", String.class, "v", String.class));
    }

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      CALLS.get(table).incrementAndGet();
      jdbc.write(entry);
      ROWS_WRITTEN.get(table).incrementAndGet();
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      CALLS.get(table).incrementAndGet();
      int before = entries.size();
      try {
        jdbc.writeAll(entries);
      } finally {
        ROWS_WRITTEN.get(table).addAndGet(before - entries.size());
      }
    }

    @Override
    public void delete(Object key) {
      CALLS.get(table).incrementAndGet();
      jdbc.delete(key);
      ROWS_WRITTEN.get(table).incrementAndGet();
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      CALLS.get(table).incrementAndGet();
      int before = keys.size();
      try {
        jdbc.deleteAll(keys);
      } finally {
        ROWS_WRITTEN.get(table).addAndGet(before - keys.size());
      }
    }
  }
}
