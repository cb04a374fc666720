package dev.cascade.bench;

import dev.cascade.CascadeCache;
import dev.cascade.jdbc.JdbcCacheWriter;
import dev.cascade.writebehind.WriteBehind;
import dev.cascade.writebehind.WriteBehindMXBean;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Latency of a {@code put} against MariaDB (DESIGN: write-behind p50 at most a quarter of
 * write-through p50): JMH {@code SampleTime}, so the percentiles are JMH's own over the sampled
 * calls.
 *
 * <p>Both modes use the same writer, {@link JdbcCacheWriter} over a real table ({@code k
 * VARCHAR(64) PRIMARY KEY, v VARCHAR(255)}), wrapped only to count what it writes:
 *
 * <ul>
 *   <li>{@code write-through}: the writer is the cache's writer; every put is one upsert,
 *       autocommitted, inside the call (and under Cascade's per-key write lock);
 *   <li>{@code write-behind}: the same writer wrapped by {@code WriteBehind.of(...)} with the
 *       defaults (batchSize 500, maxDelay 200 ms, 2 flush threads): a put returns once the entry
 *       and its queue record are in Redis; this JVM's flushers write the batches meanwhile, so
 *       their cost is in the numbers too.
 * </ul>
 *
 * Data as in the other benchmarks: 10,000 keys, all present in cache and table before timing,
 * 100-byte values, a random key per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public abstract class WriteBehindLatencyBench {

  static final String WRITE_THROUGH = "write-through";
  static final String WRITE_BEHIND = "write-behind";

  @Param({WRITE_THROUGH, WRITE_BEHIND})
  public String mode;

  private BenchDatabase db;
  private String table;
  private CacheManager manager;
  private Cache<String, String> cache;
  private InstrumentedWriter writer;
  private Watchdog watchdog;
  private final LongAdder puts = new LongAdder();
  private long startedNanos;

  @Setup(Level.Trial)
  public void open(BenchmarkParams params) {
    String uri = BenchServer.uri();
    BenchServer.flushAll(uri);
    db = BenchDatabase.open();
    table = db.createTable("lat");
    writer =
        new InstrumentedWriter(
            new JdbcCacheWriter<>(db.dataSource(), BenchDatabase.mapping(table)));
    MutableConfiguration<String, String> config =
        new MutableConfiguration<String, String>()
            .setTypes(String.class, String.class)
            .setWriteThrough(true)
            .setCacheWriterFactory(
                WRITE_BEHIND.equals(mode)
                    ? WriteBehind.of(writer.factory()).build()
                    : writer.factory());
    manager =
        Caching.getCachingProvider(JCacheOperations.Provider.CASCADE.className)
            .getCacheManager(URI.create(uri), getClass().getClassLoader());
    cache = manager.createCache("wblatency", config);
    // every key in the cache and the table before timing: puts are updates, as in the other
    // benchmarks
    for (Map<String, String> chunk : Data.allEntries(1_000)) {
      cache.putAll(chunk);
    }
    if (WRITE_BEHIND.equals(mode)) {
      FlushRate.awaitDrained(wb(), 120_000);
    }
    long rows = db.rowCount(table);
    if (rows != Data.KEYS) {
      throw new IllegalStateException("populating wrote " + rows + " rows, expected " + Data.KEYS);
    }
    writer.reset();
    startedNanos = System.nanoTime();
    watchdog = Watchdog.start(params);
  }

  private WriteBehindMXBean wb() {
    return cache.unwrap(CascadeCache.class).writeBehind();
  }

  @Benchmark
  public Object put() {
    cache.put(Data.randomKey(), Data.randomValue());
    puts.increment();
    return null;
  }

  @TearDown(Level.Trial)
  public void close(BenchmarkParams params) {
    try {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("mode", mode);
      d.put("threads", params.getThreads());
      d.put(
          "seconds",
          String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - startedNanos) / 1e9));
      d.put("puts", puts.sum());
      if (WRITE_BEHIND.equals(mode)) {
        WriteBehindMXBean wb = wb();
        d.put("depthAtEnd", wb.getQueueDepth());
        d.put("oldestPendingMsAtEnd", wb.getOldestPendingAgeMillis());
        FlushRate.awaitDrained(wb, 60_000);
        d.put("recordsFlushed", wb.getRecordsFlushed());
        d.put("coalesced", wb.getRecordsCoalesced());
        d.put("lastError", wb.getLastError().replace('\t', ' ').replace('\n', ' '));
      }
      d.put("rowsWritten", writer.rowsWritten.sum());
      d.put("writerCalls", writer.calls.sum());
      d.put("writerMillis", writer.nanosInWriter.sum() / 1_000_000);
      Details.write("latency", d);
    } finally {
      try {
        manager.close();
      } finally {
        db.dropTable(table);
        db.close();
        if (watchdog != null) {
          watchdog.stop();
        }
      }
    }
  }

  /** One benchmark thread. */
  @Threads(1)
  public static class T1 extends WriteBehindLatencyBench {}

  /** Sixteen benchmark threads, as in the other benchmarks. */
  @Threads(16)
  public static class T16 extends WriteBehindLatencyBench {}
}
