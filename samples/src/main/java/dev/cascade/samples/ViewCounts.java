package dev.cascade.samples;

import dev.cascade.CascadeCache;
import dev.cascade.jdbc.JdbcCacheLoader;
import dev.cascade.jdbc.JdbcCacheWriter;
import dev.cascade.jdbc.TableMapping;
import dev.cascade.writebehind.WriteBehind;
import dev.cascade.writebehind.WriteBehindMXBean;
import java.io.Serializable;
import java.time.Duration;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheWriter;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.MutableEntry;
import javax.sql.DataSource;

/**
 * Product view counts, written behind: a view costs one atomic step in Redis, and the database sees
 * the counts later, in batches, with many views of one product folded into one row write.
 *
 * <p>Why write-behind here: a view count is written far more often than it is read from the
 * database, and a count that reaches the table a second late harms nobody. Writing each view
 * through would make every page view wait for the database and send it one statement per view.
 *
 * <p>Why {@code invoke} and not {@code get} + {@code put}: two threads (or JVMs) that read 41 and
 * both write 42 lose a view. {@link #recordView(long)} runs the {@link Increment} processor through
 * {@code cache.invoke}; Cascade applies its result only if the entry did not change in between, and
 * runs it again otherwise, so no view is lost. The processor runs in this JVM; the change and its
 * write-behind queue record reach Redis in one atomic step.
 *
 * <p>Coalescing: the queue keeps one unread record per product, so 10,000 views of one product
 * between two flushes become one upsert of the final count. The writer stores the count itself (an
 * idempotent upsert), not "+1": delivery to the writer is at least once, and an upsert of a total
 * can be repeated safely where {@code views = views + 1} could not.
 *
 * <p>Read-through: a product whose count is not in Redis (a new Redis, an evicted entry) starts
 * from the count in the table, not from zero.
 *
 * <pre>{@code
 * ViewCounts views = new ViewCounts(cacheManager, dataSource, "product_views", Duration.ofMillis(200));
 * views.recordView(42);        // returns once Redis has the new count and its queue record
 * views.views(42);             // the latest count, from Redis
 * views.awaitFlushed(Duration.ofSeconds(10));   // the table has caught up
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class ViewCounts {

  /** Records per writer call: one multi-row upsert with Connector/J's rewriteBatchedStatements. */
  public static final int BATCH_SIZE = 500;

  private final Cache<Long, Long> cache;

  /**
   * @param table an existing table shaped as {@link #createTableSql(String)} makes it
   * @param maxDelay how long a view may wait in Redis before it is flushed: longer folds more views
   *     into one row write, shorter keeps the table closer to Redis
   */
  public ViewCounts(CacheManager manager, DataSource dataSource, String table, Duration maxDelay) {
    this(manager, table, dataSource, writerFactory(dataSource, table), maxDelay);
  }

  /**
   * With your own writer factory (e.g. one that counts what reaches the database), still over the
   * table's loader.
   */
  public ViewCounts(
      CacheManager manager,
      String table,
      DataSource dataSource,
      Factory<? extends CacheWriter<? super Long, ? super Long>> writerFactory,
      Duration maxDelay) {
    this.cache =
        manager.createCache(
            table,
            new MutableConfiguration<Long, Long>()
                .setTypes(Long.class, Long.class)
                .setReadThrough(true)
                .setCacheLoaderFactory(JdbcCacheLoader.factory(dataSource, mapping(table)))
                .setWriteThrough(true) // the writer is used...
                .setCacheWriterFactory(
                    WriteBehind.<Long, Long>of(writerFactory) // ...behind, in batches
                        .batchSize(BATCH_SIZE)
                        .maxDelay(maxDelay)
                        .build()));
  }

  /** The JDBC writer of the count table; wrap it to observe or change what reaches the database. */
  public static Factory<JdbcCacheWriter<Long, Long>> writerFactory(
      DataSource dataSource, String table) {
    return JdbcCacheWriter.factory(dataSource, mapping(table));
  }

  /** One row per product with its count; the primary key is what the writer's upsert needs. */
  public static String createTableSql(String table) {
    return "CREATE TABLE " + table + " (product_id BIGINT PRIMARY KEY, views BIGINT NOT NULL)";
  }

  public static TableMapping<Long, Long> mapping(String table) {
    return TableMapping.scalar(table, "product_id", Long.class, "views", Long.class);
  }

  /**
   * Counts one view, atomically.
   *
   * @return the count after this view
   */
  public long recordView(long productId) {
    return cache.invoke(productId, Increment.INSTANCE);
  }

  /** The latest count (Redis has every view, flushed or not); 0 for a product never viewed. */
  public long views(long productId) {
    Long count = cache.get(productId);
    return count == null ? 0 : count;
  }

  /**
   * Queue depth, records flushed and coalesced, retries, last error: the cache's write-behind
   * numbers.
   */
  public WriteBehindMXBean writeBehind() {
    return cache.unwrap(CascadeCache.class).writeBehind();
  }

  /**
   * Waits until every queued view has reached the table, polling the queue depth.
   *
   * @return true if the queue drained within {@code timeout}
   */
  public boolean awaitFlushed(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    WriteBehindMXBean wb = writeBehind();
    while (wb.getQueueDepth() > 0) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  public Cache<Long, Long> cache() {
    return cache;
  }

  /**
   * Adds one to the count, starting from the table's count (read-through) or from 0. Runs in the
   * caller's JVM on a snapshot of the entry; Cascade applies the result only if the entry is still
   * what the snapshot saw, and runs it again otherwise. Stateless, hence one instance.
   */
  public static final class Increment implements EntryProcessor<Long, Long, Long>, Serializable {
    private static final long serialVersionUID = 1L;
    static final Increment INSTANCE = new Increment();

    @Override
    public Long process(MutableEntry<Long, Long> entry, Object... arguments) {
      Long current = entry.getValue(); // loads from the table on a miss (read-through)
      long next = (current == null ? 0 : current) + 1;
      entry.setValue(next);
      return next;
    }
  }
}
