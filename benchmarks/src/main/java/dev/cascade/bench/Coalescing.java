package dev.cascade.bench;

import dev.cascade.CascadeCache;
import dev.cascade.jdbc.JdbcCacheWriter;
import dev.cascade.testing.Zipf;
import dev.cascade.writebehind.WriteBehind;
import dev.cascade.writebehind.WriteBehindMXBean;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;

/**
 * Coalescing on a skewed stream (DESIGN: database rows written at most 10% of cache writes):
 * {@value #UPDATES} puts of keys drawn from a Zipf distribution over {@value Data#KEYS} keys, by
 * {@value #THREADS} threads as fast as they go, on a write-behind cache whose writer is {@link
 * JdbcCacheWriter} on a real table, wrapped to count the rows it writes. Ratio = rows written /
 * updates. Not a JMH benchmark: it counts, it does not time; the put rate is printed because
 * coalescing depends on how many writes of a key arrive within one flush window.
 *
 * <p>Runs in the harness's JVM against the harness's redis-server; each setting gets an empty
 * server ({@code FLUSHALL}), its own CacheManager and its own table, dropped afterwards.
 */
final class Coalescing {

  static final int UPDATES = 100_000;
  static final int THREADS = 4;
  static final double[] SKEWS = {1.2, 0.99};

  /** The write-behind settings compared, by the name the report shows. */
  static final Map<String, UnaryOperator<WriteBehind<String, String>>> SETTINGS =
      new LinkedHashMap<>();

  static {
    SETTINGS.put("defaults (batch 500, 200 ms)", wb -> wb);
    SETTINGS.put("maxDelay 5 s (batch 500)", wb -> wb.maxDelay(Duration.ofSeconds(5)));
    SETTINGS.put(
        "maxDelay 5 s, batch 10000", wb -> wb.maxDelay(Duration.ofSeconds(5)).batchSize(10_000));
  }

  private Coalescing() {}

  /**
   * Measures every skew with every setting; writes one {@code coalescing} record per run to {@code
   * details}.
   */
  static void measure(String redisUri, Path details, PrintStream progress) throws Exception {
    System.setProperty(Details.PROPERTY, details.toString());
    try (BenchDatabase db = BenchDatabase.open()) {
      for (double skew : SKEWS) {
        for (Map.Entry<String, UnaryOperator<WriteBehind<String, String>>> s :
            SETTINGS.entrySet()) {
          progress.printf(Locale.ROOT, "[wb] coalescing, Zipf s=%.2f, %-30s", skew, s.getKey());
          progress.flush();
          Map<String, Object> d = once(db, redisUri, skew, s.getKey(), s.getValue());
          progress.printf(
              Locale.ROOT, " %s rows written of %,d updates%n", d.get("rowsWritten"), UPDATES);
          Details.write("coalescing", d);
        }
      }
    }
  }

  private static Map<String, Object> once(
      BenchDatabase db,
      String redisUri,
      double skew,
      String settingsName,
      UnaryOperator<WriteBehind<String, String>> settings)
      throws Exception {
    BenchServer.flushAll(redisUri);
    String table = db.createTable("zipf");
    CacheManager manager =
        Caching.getCachingProvider(JCacheOperations.Provider.CASCADE.className)
            .getCacheManager(URI.create(redisUri), Coalescing.class.getClassLoader());
    try {
      InstrumentedWriter writer =
          new InstrumentedWriter(
              new JdbcCacheWriter<>(db.dataSource(), BenchDatabase.mapping(table)));
      Cache<String, String> cache =
          manager.createCache(
              "wbzipf",
              new MutableConfiguration<String, String>()
                  .setTypes(String.class, String.class)
                  .setWriteThrough(true)
                  .setCacheWriterFactory(settings.apply(WriteBehind.of(writer.factory())).build()));
      Zipf zipf = new Zipf(Data.KEYS, skew);
      Set<String> touched = ConcurrentHashMap.newKeySet();
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      long started = System.nanoTime();
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          done.add(
              pool.submit(
                  () -> {
                    for (int n = 0; n < UPDATES / THREADS; n++) {
                      String key = Data.key(zipf.next());
                      cache.put(key, "t" + thread + "-" + n);
                      touched.add(key);
                    }
                  }));
        }
        for (Future<?> f : done) {
          f.get(300, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      long putNanos = System.nanoTime() - started;
      WriteBehindMXBean wb = cache.unwrap(CascadeCache.class).writeBehind();
      FlushRate.awaitDrained(wb, 120_000);
      long drainNanos = System.nanoTime() - started - putNanos;
      long rowsInTable = db.rowCount(table);
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("skew", skew);
      d.put("settings", settingsName);
      d.put("threads", THREADS);
      d.put("updates", UPDATES);
      d.put("putSeconds", String.format(Locale.ROOT, "%.2f", putNanos / 1e9));
      d.put("drainMs", drainNanos / 1_000_000);
      d.put("keysTouched", touched.size());
      d.put("rowsInTable", rowsInTable);
      d.put("rowsWritten", writer.rowsWritten.sum());
      d.put("writerCalls", writer.calls.sum());
      d.put("coalesced", wb.getRecordsCoalesced());
      d.put("recordsFlushed", wb.getRecordsFlushed());
      d.put("lastError", wb.getLastError().replace('\t', ' ').replace('\n', ' '));
      return d;
    } finally {
      try {
        manager.close();
      } finally {
        db.dropTable(table);
      }
    }
  }

  /** Reads the records back (for the report). */
  static List<Map<String, String>> read(Path details) throws IOException {
    return Details.read(details, "coalescing");
  }
}
