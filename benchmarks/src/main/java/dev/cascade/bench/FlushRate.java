package dev.cascade.bench;

import dev.cascade.CascadeCache;
import dev.cascade.jdbc.JdbcCacheWriter;
import dev.cascade.writebehind.WriteBehind;
import dev.cascade.writebehind.WriteBehindMXBean;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;

/**
 * Flush rate (DESIGN: at least 0.6x a raw JDBC batched upsert of the same rows; issue 14: 0.8x):
 * how long it takes to move {@value #ROWS} distinct rows into an empty table, for each system
 * below; rows/s = {@value #ROWS} / time. A fresh table for every drain (and for Cascade a fresh
 * CacheManager and cache).
 *
 * <ul>
 *   <li>{@code jdbc-1000} / {@code jdbc-500}: one thread, one connection, {@code INSERT … ON
 *       DUPLICATE KEY UPDATE v = VALUES(v)} with {@code addBatch} / {@code executeBatch} of 1,000
 *       (500) rows, a commit per batch, Connector/J rewriting each batch into one multi-row
 *       statement. Rows in a shuffled order, each batch sorted by key (as {@link JdbcCacheWriter}
 *       sorts its chunks).
 *   <li>{@code cascade-<batch>x<threads>}: a write-behind cache with {@code
 *       WriteBehind.of(writer).batchSize(batch).flushThreads(threads)} (the defaults are 500 and
 *       4), the writer a {@link JdbcCacheWriter} with chunks of 1,000 rows (so one writer call is
 *       one transaction, as one raw batch is). The {@value #ROWS} puts are queued before timing
 *       while the writer is held at a gate (the flushers' first calls wait there); timing starts
 *       when the gate opens and ends when the queue is empty ({@code getQueueDepth() == 0}: every
 *       record written and acknowledged), polled every {@value #POLL_MILLIS} ms once the writer has
 *       written every row (until then the wait asks Redis nothing, see {@link #awaitWritten}).
 *   <li>{@code cascade-<batch>x<threads>-rev}: the same into a table with a {@code revision} column
 *       that the writer keeps ({@link #revisioned}).
 * </ul>
 *
 * Same table shape, database, rows and values (100 bytes) for all.
 *
 * <p>Not JMH: a timed loop in the harness's JVM, in <b>rounds</b>: each round runs every system
 * once, starting with a different one each round, so every system sees the same stretches of a
 * noisy machine and the report can pair each Cascade drain with the JDBC upsert of its own round.
 * The first round(s) only warm up. For each Cascade drain the loop also records where the time
 * went: when each writer call ran and how many rows it wrote, and what Redis executed meanwhile
 * ({@code INFO commandstats}).
 */
final class FlushRate {

  static final int ROWS = 50_000;
  static final long POLL_MILLIS = 1;

  /** Rows per raw batch / writer chunk. */
  static final int CHUNK = 1_000;

  /**
   * The systems compared; {@code -Dcascade.bench.flush.systems=jdbc-1000,cascade-2000x4} picks
   * others.
   */
  static final List<String> SYSTEMS =
      List.of(
          System.getProperty(
                  "cascade.bench.flush.systems",
                  "jdbc-1000,cascade-500x4,cascade-500x4-rev,cascade-1000x4,cascade-1000x2,cascade-1000x1,"
                      + "jdbc-500")
              .split(","));

  private final String redisUri;
  private final BenchDatabase db;
  private final List<String[]> rows = new ArrayList<>(ROWS);

  private FlushRate(String redisUri, BenchDatabase db) {
    this.redisUri = redisUri;
    this.db = db;
    for (int i = 0; i < ROWS; i++) {
      rows.add(new String[] {String.format(Locale.ROOT, "row:%06d", i), Data.value(i)});
    }
    Collections.shuffle(rows, new Random(107));
  }

  /** The suffix of a Cascade system whose table has a revision column that its writer keeps. */
  static final String REVISION = "-rev";

  static int batchOf(String system) {
    return Integer.parseInt(shapeOf(system)[0]);
  }

  static int threadsOf(String system) {
    String[] shape = shapeOf(system);
    return shape.length > 1 ? Integer.parseInt(shape[1]) : 1;
  }

  /**
   * {@code cascade-1000x4-rev}: like {@code cascade-1000x4}, into a table with a {@code revision}
   * column, the writer mapped {@code withRevisionColumn}, so each upsert leaves newer rows alone
   * (the per-key revision of write-behind; docs/design.md).
   */
  static boolean revisioned(String system) {
    return system.endsWith(REVISION);
  }

  /** The system without its revision suffix: what a revisioned system is compared with. */
  static String withoutRevision(String system) {
    return revisioned(system) ? system.substring(0, system.length() - REVISION.length()) : system;
  }

  private static String[] shapeOf(String system) {
    String plain = withoutRevision(system);
    return plain.substring(plain.indexOf('-') + 1).split("x");
  }

  static boolean isCascade(String system) {
    return system.startsWith("cascade");
  }

  /**
   * Warm-up rounds enough for the JIT: at least 6 Cascade drains, and 2 rounds. With one round (as
   * until 6 Dec 2026) HotSpot's C2 compiler took 0.5-1 s of CPU during each measured drain of about
   * 1 s, on the cores the drain shares with Redis and the database; from the seventh Cascade drain
   * on, next to nothing (the report's "of: JIT" column).
   */
  static int warmupsFor(List<String> systems) {
    long cascades = systems.stream().filter(FlushRate::isCascade).count();
    return (int) Math.max(2, cascades == 0 ? 2 : (6 + cascades - 1) / cascades);
  }

  /**
   * Runs {@code warmups + rounds} rounds ({@code warmups} 0: {@link #warmupsFor} the systems); one
   * {@code flush} record per drain to the details file.
   */
  static void measure(String redisUri, Path details, int warmups, int rounds, PrintStream progress)
      throws Exception {
    System.setProperty(Details.PROPERTY, details.toString());
    if (warmups <= 0) {
      warmups = warmupsFor(SYSTEMS);
    }
    try (BenchDatabase db = BenchDatabase.open()) {
      FlushRate f = new FlushRate(redisUri, db);
      for (int round = 0; round < warmups + rounds; round++) {
        boolean warmup = round < warmups;
        progress.printf(
            Locale.ROOT,
            "[wb] flush %s %d:",
            warmup ? "warm-up" : "round",
            warmup ? round + 1 : round - warmups + 1);
        for (int i = 0; i < SYSTEMS.size(); i++) {
          String system = SYSTEMS.get((round + i) % SYSTEMS.size());
          Map<String, Object> d = new LinkedHashMap<>();
          d.put("system", system);
          d.put("phase", warmup ? "warmup" : "measurement");
          d.put("round", round);
          d.put("rows", ROWS);
          double ms = isCascade(system) ? f.cascade(system, d) : f.jdbc(system, d);
          Details.write("flush", d);
          progress.printf(Locale.ROOT, " %s %,.0f", system, ROWS / ms * 1000);
          progress.flush();
        }
        progress.println(" rows/s");
      }
    }
  }

  /** The baseline: what one thread with plain JDBC batching does with the same rows. */
  private double jdbc(String system, Map<String, Object> d) throws SQLException {
    if (revisioned(system)) {
      throw new IllegalArgumentException(
          system + ": only Cascade systems have a revisioned form (cascade-<batch>x<threads>-rev)");
    }
    int batchSize = batchOf(system);
    List<List<String[]>> batches = new ArrayList<>();
    for (int from = 0; from < ROWS; from += batchSize) {
      List<String[]> batch = new ArrayList<>(rows.subList(from, Math.min(ROWS, from + batchSize)));
      batch.sort(Comparator.comparing(r -> r[0]));
      batches.add(batch);
    }
    String table = db.createTable("flush");
    try {
      String sql =
          "INSERT INTO `"
              + table
              + "` (`k`, `v`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `v` = VALUES(`v`)";
      long started;
      long ended;
      Cpu cpu;
      try (Connection c = db.dataSource().getConnection()) {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          cpu = Cpu.now();
          started = System.nanoTime();
          for (List<String[]> batch : batches) {
            for (String[] row : batch) {
              ps.setString(1, row[0]);
              ps.setString(2, row[1]);
              ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
          }
          ended = System.nanoTime();
          cpu.since(d);
        } finally {
          c.setAutoCommit(true);
        }
      }
      checkRows(system, table);
      d.put("wallMs", ms(ended - started));
      return (ended - started) / 1e6;
    } finally {
      db.dropTable(table);
    }
  }

  private double cascade(String system, Map<String, Object> d) throws Exception {
    BenchServer.flushAll(redisUri);
    boolean revisioned = revisioned(system);
    String table = revisioned ? db.createRevisionedTable("flush") : db.createTable("flush");
    CacheManager manager =
        Caching.getCachingProvider(JCacheOperations.Provider.CASCADE.className)
            .getCacheManager(URI.create(redisUri), FlushRate.class.getClassLoader());
    InstrumentedWriter writer =
        new InstrumentedWriter(
            new JdbcCacheWriter<>(
                    db.dataSource(),
                    revisioned
                        ? BenchDatabase.mapping(table).withRevisionColumn("revision")
                        : BenchDatabase.mapping(table))
                .withChunkSize(CHUNK));
    try {
      writer.recordCalls = true;
      writer.hold();
      Cache<String, String> cache =
          manager.createCache(
              "wbflush",
              new MutableConfiguration<String, String>()
                  .setTypes(String.class, String.class)
                  .setWriteThrough(true)
                  .setCacheWriterFactory(
                      WriteBehind.of(writer.factory())
                          .batchSize(batchOf(system))
                          .flushThreads(threadsOf(system))
                          // the first calls wait at the gate while the backlog is queued: not a
                          // timeout (and one
                          // flusher alone, so nobody claims its records meanwhile: claimIdle must
                          // exceed it)
                          .writerTimeout(Duration.ofMinutes(10))
                          .claimIdle(Duration.ofMinutes(11))
                          .build()));
      Map<String, String> chunk = new LinkedHashMap<>();
      for (String[] row : rows) {
        chunk.put(row[0], row[1]);
        if (chunk.size() == 1_000) {
          cache.putAll(chunk);
          chunk.clear();
        }
      }
      if (!chunk.isEmpty()) {
        cache.putAll(chunk);
      }
      WriteBehindMXBean wb = cache.unwrap(CascadeCache.class).writeBehind();
      long depth = wb.getQueueDepth();
      if (depth != ROWS) {
        throw new IllegalStateException("queued " + depth + " records, expected " + ROWS);
      }
      Map<String, long[]> statsBefore = commandStats(redisUri);
      Cpu cpu = Cpu.now();
      long released = System.nanoTime();
      writer.release();
      awaitWritten(writer, wb, ROWS);
      awaitDrained(wb, POLL_MILLIS, 300_000);
      long drained = System.nanoTime();
      cpu.since(d);
      checkRows(system, table);
      describeDrain(d, writer, wb, released, drained, statsBefore, commandStats(redisUri));
      return (drained - released) / 1e6;
    } finally {
      writer.release();
      try {
        manager.close();
      } finally {
        db.dropTable(table);
      }
    }
  }

  /**
   * The CPU time of this JVM, of its JIT compilers and of the database at one moment, to tell what
   * a drain cost each (Redis's comes from {@code INFO cpu}). The JVM's includes the loop that waits
   * for the drain (a wake-up a millisecond, Redis asked only at the end).
   */
  private record Cpu(
      long jvm,
      long compilers,
      long database,
      long flushers,
      long writers,
      long lettuce,
      long gc,
      long harness) {
    static Cpu now() {
      return new Cpu(
          ProcessCpu.jvmMicros(),
          ProcessCpu.compilerMicros(),
          ProcessCpu.databaseMicros(),
          ProcessCpu.threadsMicros("cascade-flusher"),
          ProcessCpu.threadsMicros("cascade-writer"),
          ProcessCpu.threadsMicros("lettuce-nioEven"),
          ProcessCpu.threadsMicros("GC Thread", "G1 "),
          // the JVM's first thread keeps the launcher's name: this loop, waiting for the drain
          ProcessCpu.threadsMicros("java"));
    }

    void since(Map<String, Object> d) {
      Cpu end = now();
      put(d, "jvm.cpu.usec", jvm, end.jvm);
      // the cache's flusher and writer threads live from createCache to close, around the drain
      put(d, "flushers.cpu.usec", flushers, end.flushers);
      put(d, "writers.cpu.usec", writers, end.writers);
      put(d, "lettuce.cpu.usec", lettuce, end.lettuce);
      put(d, "gc.cpu.usec", gc, end.gc);
      put(d, "harness.cpu.usec", harness, end.harness);
      // a retired compiler thread takes its time with it: a lower bound, never below 0
      if (compilers >= 0 && end.compilers >= 0) {
        d.put("jit.cpu.usec", Math.max(0, end.compilers - compilers));
      }
      put(d, "db.cpu.usec", database, end.database);
    }

    private static void put(Map<String, Object> d, String field, long before, long after) {
      if (before >= 0 && after >= 0) {
        d.put(field, after - before);
      }
    }
  }

  private void checkRows(String system, String table) {
    long written = db.rowCount(table);
    if (written != ROWS) {
      throw new IllegalStateException(
          system + " left " + written + " rows in the table, expected " + ROWS);
    }
  }

  /** Where the drain's time went, from the writer's side and from Redis's. */
  private static void describeDrain(
      Map<String, Object> d,
      InstrumentedWriter writer,
      WriteBehindMXBean wb,
      long released,
      long drained,
      Map<String, long[]> before,
      Map<String, long[]> after) {
    List<long[]> calls = new ArrayList<>(writer.callTimes);
    calls.sort(Comparator.comparingLong(c -> c[0]));
    // time with at least one writer call in flight (the database busy on our behalf), and the gaps
    long busy = 0;
    long coveredTo = released;
    long longestGap = 0;
    long longGaps = 0;
    for (long[] c : calls) {
      long start = Math.max(c[0], coveredTo);
      if (c[0] > coveredTo) {
        longestGap = Math.max(longestGap, c[0] - coveredTo);
        if (c[0] - coveredTo >= 50_000_000L) {
          longGaps += c[0] - coveredTo;
        }
      }
      if (c[1] > start) {
        busy += c[1] - start;
        coveredTo = c[1];
      }
    }
    d.put("flushThreads", threadsOf((String) d.get("system")));
    d.put("wallMs", ms(drained - released));
    d.put("rowsWritten", writer.rowsWritten.sum());
    d.put("writerCalls", writer.calls.sum());
    d.put("inWriterMs", ms(writer.nanosInWriter.sum()));
    d.put("writerBusyMs", ms(busy));
    d.put("firstCallMs", ms(calls.isEmpty() ? 0 : calls.get(0)[0] - released));
    d.put("longestGapMs", ms(longestGap));
    d.put("gapsOver50MsMs", ms(longGaps));
    d.put("afterLastCallMs", ms(drained - writer.lastReturnNanos));
    d.put("coalesced", wb.getRecordsCoalesced());
    // every command Redis ran during the drain, most server time first (commands inside scripts
    // are counted on their own too, and their time is part of the script's)
    Map<String, long[]> delta = new HashMap<>();
    after.forEach(
        (cmd, a) -> {
          long[] b = before.getOrDefault(cmd, new long[2]);
          if (!cmd.equals(CPU) && a[0] > b[0]) {
            delta.put(cmd, new long[] {a[0] - b[0], a[1] - b[1]});
          }
        });
    long[] evalsha = delta.getOrDefault("evalsha", new long[2]);
    d.put("redis.evalsha.calls", evalsha[0]);
    d.put("redis.evalsha.usec", evalsha[1]);
    // the process's CPU time (INFO cpu): every command, script, transaction and the network I/O
    // around them, and unlike commandstats' wall-clock durations not inflated when the server
    // thread is preempted on a loaded machine
    d.put("redis.cpu.usec", after.get(CPU)[1] - before.get(CPU)[1]);
    List<String> byTime = new ArrayList<>();
    delta.entrySet().stream()
        .sorted((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]))
        .forEach(e -> byTime.add(e.getKey() + ":" + e.getValue()[0] + "/" + e.getValue()[1]));
    d.put("redis", String.join(",", byTime));
    // every writer call of the drain: ms from the gate's opening to its start and end, and its rows
    StringBuilder timeline = new StringBuilder();
    for (long[] c : calls) {
      timeline.append(
          String.format(
              Locale.ROOT,
              "%s%.0f-%.0f:%d",
              timeline.length() == 0 ? "" : " ",
              (c[0] - released) / 1e6,
              (c[1] - released) / 1e6,
              c[2]));
    }
    d.put("timeline", timeline);
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
  }

  /** The entry of {@link #commandStats} that holds the server's CPU time, {0, usec}. */
  static final String CPU = "(cpu)";

  /**
   * {@code INFO commandstats}: command → {calls, usec}; and under {@link #CPU} the process's CPU
   * time ({@code used_cpu_sys + used_cpu_user} of {@code INFO cpu}).
   */
  static Map<String, long[]> commandStats(String uri) {
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      Map<String, long[]> stats = new HashMap<>();
      double cpuSeconds = 0;
      for (String line : c.sync().info("cpu").split("\r?\n")) {
        if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
          cpuSeconds += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
        }
      }
      stats.put(CPU, new long[] {0, Math.round(cpuSeconds * 1e6)});
      for (String line : c.sync().info("commandstats").split("\r?\n")) {
        if (!line.startsWith("cmdstat_")) {
          continue;
        }
        String name = line.substring("cmdstat_".length(), line.indexOf(':'));
        long[] v = new long[2];
        for (String part : line.substring(line.indexOf(':') + 1).split(",")) {
          String[] kv = part.split("=");
          if (kv[0].equals("calls")) {
            v[0] = Long.parseLong(kv[1]);
          } else if (kv[0].equals("usec")) {
            v[1] = Long.parseLong(kv[1]);
          }
        }
        stats.put(name, v);
      }
      return stats;
    } finally {
      client.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  /**
   * Waits, without asking Redis, until the writer has written {@code rows} rows (or the queue is
   * found empty on one of the rare checks, should coalescing have left fewer): polling the queue
   * depth all through a drain sent Redis 16 {@code XLEN}s every few ms, work of the benchmark's
   * that the drain's CPU figures would count as the flush's. The last acknowledgement follows the
   * last writer call, so {@link #awaitDrained} then polls only for that.
   */
  private static void awaitWritten(InstrumentedWriter writer, WriteBehindMXBean wb, long rows)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + 300_000;
    for (int i = 1; writer.rowsWritten.sum() < rows; i++) {
      if (i % 100 == 0 && (wb.getQueueDepth() == 0 || System.currentTimeMillis() > deadline)) {
        return; // awaitDrained decides, and says why if it does not drain
      }
      Thread.sleep(1);
    }
  }

  /** Waits until the write-behind queue is empty: every record written and acknowledged. */
  static void awaitDrained(WriteBehindMXBean wb, long pollMillis, long timeoutMillis) {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (wb.getQueueDepth() > 0) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException(
            "the write-behind queue did not drain within "
                + timeoutMillis
                + " ms: depth "
                + wb.getQueueDepth()
                + ", last error: "
                + wb.getLastError());
      }
      try {
        Thread.sleep(pollMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the queue to drain", e);
      }
    }
  }

  static void awaitDrained(WriteBehindMXBean wb, long timeoutMillis) {
    awaitDrained(wb, 20, timeoutMillis);
  }
}
