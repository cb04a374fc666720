package dev.cascade.bench;

import dev.cascade.CascadeEntry;
import dev.cascade.jdbc.JdbcCacheWriter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * What a write-through {@code put} costs against what it cannot avoid, at 1 thread, in one run (JMH
 * {@code SampleTime}, percentiles are JMH's): the target is a put p50 at most the upsert's p50 plus
 * two Redis round trips.
 *
 * <ul>
 *   <li>{@code upsert}: the raw database write, {@code INSERT … ON DUPLICATE KEY UPDATE} of one
 *       row, autocommitted, on a connection borrowed from the same DBCP2 pool per call (as the
 *       writer does), into the same table shape ({@code k VARCHAR(64) PRIMARY KEY, v VARCHAR(255)})
 *       with every key already present;
 *   <li>{@code redis-get}: one Redis round trip, a raw Lettuce sync {@code GET} of a 100-byte value
 *       on one connection to the same private redis-server;
 *   <li>{@code writer}: the same {@link JdbcCacheWriter} called directly, without Cascade (what the
 *       writer adds to the raw upsert);
 *   <li>{@code write-through}: Cascade's {@code put} with {@link JdbcCacheWriter} as the cache's
 *       writer (the put of {@link WriteBehindLatencyBench}'s write-through mode).
 * </ul>
 *
 * Run: {@code java -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main
 * WriteThroughLatencyBench -f 1 -wi 2 -w 2s -i 3 -r 3s} (see docs/benchmarks.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
public class WriteThroughLatencyBench {

  static final String UPSERT = "upsert";
  static final String REDIS_GET = "redis-get";
  static final String WRITER = "writer";
  static final String WRITE_THROUGH = "write-through";

  @Param({UPSERT, REDIS_GET, WRITER, WRITE_THROUGH})
  public String mode;

  private BenchDatabase db;
  private String table;
  private String upsertSql;
  private CacheManager manager;
  private Cache<String, String> cache;
  private InstrumentedWriter writer;
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;
  private RedisCommands<String, String> redis;
  private Watchdog watchdog;

  @Setup(Level.Trial)
  public void open(BenchmarkParams params) {
    String uri = BenchServer.uri();
    BenchServer.flushAll(uri);
    db = BenchDatabase.open();
    table = db.createTable("wtlat");
    upsertSql =
        "INSERT INTO " + table + " (k, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = VALUES(v)";
    writer =
        new InstrumentedWriter(
            new JdbcCacheWriter<>(db.dataSource(), BenchDatabase.mapping(table)));
    MutableConfiguration<String, String> config =
        new MutableConfiguration<String, String>()
            .setTypes(String.class, String.class)
            .setWriteThrough(true)
            .setCacheWriterFactory(writer.factory());
    manager =
        Caching.getCachingProvider(JCacheOperations.Provider.CASCADE.className)
            .getCacheManager(URI.create(uri), getClass().getClassLoader());
    cache = manager.createCache("wtlatency", config);
    // every key in the cache and the table before timing: every mode measures updates
    for (Map<String, String> chunk : Data.allEntries(1_000)) {
      cache.putAll(chunk);
    }
    long rows = db.rowCount(table);
    if (rows != Data.KEYS) {
      throw new IllegalStateException("populating wrote " + rows + " rows, expected " + Data.KEYS);
    }
    client = RedisClient.create(uri);
    connection = client.connect();
    redis = connection.sync();
    redis.set("wtlatency-rtt", Data.randomValue());
    redis.configResetstat();
    writer.reset();
    watchdog = Watchdog.start(params);
  }

  /**
   * Per write-through put (up to {@link #SAMPLES}): the put's time minus the time its writer took,
   * which is Cascade's own cost, free of the database's noise.
   */
  private static final int SAMPLES = 1 << 20;

  private final long[] cascadeNanos = new long[SAMPLES];
  private int sampled;

  @Benchmark
  public Object op() throws SQLException {
    switch (mode) {
      case UPSERT:
        try (Connection c = db.dataSource().getConnection();
            PreparedStatement ps = c.prepareStatement(upsertSql)) {
          ps.setString(1, Data.randomKey());
          ps.setString(2, Data.randomValue());
          return ps.executeUpdate();
        }
      case REDIS_GET:
        return redis.get("wtlatency-rtt");
      case WRITER:
        writer.write(new CascadeEntry<>(Data.randomKey(), Data.randomValue()));
        return null;
      default:
        long inWriter = writer.nanosInWriter.sum();
        long start = System.nanoTime();
        cache.put(Data.randomKey(), Data.randomValue());
        long own = System.nanoTime() - start - (writer.nanosInWriter.sum() - inWriter);
        if (sampled < SAMPLES) {
          cascadeNanos[sampled++] = own;
        }
        return null;
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    try {
      if (WRITE_THROUGH.equals(mode)) {
        // where a put's time goes: the writer inside it, and Redis's own time per script call
        long calls = Math.max(1, writer.calls.sum());
        String scripts =
            redis
                .info("commandstats")
                .lines()
                .filter(l -> l.startsWith("cmdstat_evalsha:") || l.startsWith("cmdstat_hmget:"))
                .reduce("", (a, b) -> a + " " + b);
        long[] own = java.util.Arrays.copyOf(cascadeNanos, sampled);
        java.util.Arrays.sort(own);
        System.out.printf(
            java.util.Locale.ROOT,
            "%nwrite-through: %d puts, put minus its writer p50 %.0f us p90 %.0f us,"
                + " writer mean %.0f us inside the put; Redis:%s%n",
            calls,
            own.length == 0 ? 0 : own[own.length / 2] / 1e3,
            own.length == 0 ? 0 : own[(int) (own.length * 0.9)] / 1e3,
            writer.nanosInWriter.sum() / 1e3 / calls,
            scripts);
      }
      connection.close();
      client.shutdown();
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
