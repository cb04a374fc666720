package dev.cascade.bench;

import dev.cascade.CascadeCache;
import dev.cascade.jdbc.JdbcCacheWriter;
import dev.cascade.testing.RedisServer;
import dev.cascade.writebehind.WriteBehind;
import dev.cascade.writebehind.WriteBehindMXBean;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;

/**
 * How cost grows with the work, against one private redis-server (never the system Redis on 6379):
 * {@code getAll}/{@code putAll} at growing key counts (Cascade, raw Lettuce, Redisson's JCache,
 * same run); {@code clear()}, {@code removeAll()} and iteration over a million entries (time,
 * client heap, Redis memory, and the slowest Redis command of each phase from {@code SLOWLOG} and
 * {@code LATENCY}); a write-behind backlog draining into the database.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar scale [--parts bulk,entries,drain] [--repeats 3]
 *     [--sizes 10,100,1000,10000] [--entries 1000000] [--backlogs 100000,300000,1000000]
 *     [--batch 500] [--entry-systems cascade,redisson]
 * </pre>
 *
 * Every point is measured {@code --repeats} times; the report gives the median and the spread
 * (min..max), and a least-squares slope (cost per key or per record) over the sizes.
 */
final class ScaleBench {

  private static final int VALUE_BYTES = 100;

  /** What the server counts as slow: 2 ms in the slow log, 5 ms for the latency monitor. */
  private static final int SLOWLOG_MICROS = 2_000;

  private static final int LATENCY_MILLIS = 5;

  /** Keys moved per bulk point (each size gets at least {@link #MIN_CALLS} calls). */
  private static final int KEYS_PER_POINT = 30_000;

  private static final int MIN_CALLS = 3;

  private final String uri;
  private final RedisCommands<String, String> admin;
  private final RedisCommands<String, String> sampler;
  private final int repeats;
  private final long redisPid;

  private ScaleBench(
      String uri,
      RedisCommands<String, String> admin,
      RedisCommands<String, String> sampler,
      int repeats,
      long redisPid) {
    this.redisPid = redisPid;
    this.uri = uri;
    this.admin = admin;
    this.sampler = sampler;
    this.repeats = repeats;
  }

  static void main(String[] args) throws Exception {
    List<String> parts = List.of("bulk", "entries", "drain");
    int repeats = 3;
    List<Integer> sizes = List.of(10, 100, 1_000, 10_000);
    int entries = 1_000_000;
    List<Integer> backlogs = List.of(100_000, 300_000, 1_000_000);
    int batch = 500;
    List<String> entrySystems = List.of("cascade");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--parts" -> parts = List.of(args[++i].split(","));
        case "--repeats" -> repeats = Integer.parseInt(args[++i]);
        case "--sizes" -> sizes = ints(args[++i]);
        case "--entries" -> entries = Integer.parseInt(args[++i]);
        case "--backlogs" -> backlogs = ints(args[++i]);
        case "--batch" -> batch = Integer.parseInt(args[++i]);
        case "--entry-systems" -> entrySystems = List.of(args[++i].split(","));
        default -> {
          System.err.println(
              "usage: scale [--parts bulk,entries,drain] [--repeats 3] [--sizes 10,100,1000,10000]"
                  + " [--entries 1000000] [--entry-systems cascade,redisson]"
                  + " [--backlogs 100000,300000,1000000] [--batch 500]");
          System.exit(2);
        }
      }
    }
    try (RedisServer server =
        RedisServer.builder()
            .config("slowlog-log-slower-than", Integer.toString(SLOWLOG_MICROS))
            .config("slowlog-max-len", "10000")
            .config("latency-monitor-threshold", Integer.toString(LATENCY_MILLIS))
            // Redis' own default, as the documented run had it (test-support's default is 1024)
            .config("hash-max-ziplist-value", "64")
            .start()) {
      RedisClient client = RedisClient.create(server.uri());
      try (StatefulRedisConnection<String, String> a = client.connect();
          StatefulRedisConnection<String, String> s = client.connect()) {
        Machine.describe(server).forEach(System.out::println);
        System.out.println(
            "Redis "
                + server.info("server").get("redis_version")
                + ", private, "
                + server.uri()
                + "; slowlog-log-slower-than "
                + SLOWLOG_MICROS
                + " us, latency-monitor-threshold "
                + LATENCY_MILLIS
                + " ms; JVM max heap "
                + Runtime.getRuntime().maxMemory() / (1 << 20)
                + " MiB; "
                + repeats
                + " repeats per point");
        ScaleBench bench = new ScaleBench(server.uri(), a.sync(), s.sync(), repeats, server.pid());
        if (parts.contains("bulk")) {
          bench.bulk(sizes);
        }
        if (parts.contains("entries")) {
          bench.entries(entries, entrySystems);
        }
        if (parts.contains("drain")) {
          bench.drain(backlogs, batch);
        }
      } finally {
        client.shutdown();
      }
    }
  }

  private static List<Integer> ints(String list) {
    return Arrays.stream(list.split(",")).map(String::trim).map(Integer::parseInt).toList();
  }

  // ------------------------------------------------------------------ part 1: getAll / putAll

  /** One system's bulk calls. */
  interface Bulk extends AutoCloseable {
    String name();

    void putAll(Map<String, String> entries);

    void getAll(Set<String> keys);

    @Override
    default void close() {}
  }

  private void bulk(List<Integer> sizes) throws Exception {
    System.out.println();
    System.out.println(
        "1. getAll / putAll, "
            + VALUE_BYTES
            + "-byte values; per point about "
            + KEYS_PER_POINT
            + " keys (at least "
            + MIN_CALLS
            + " calls), time per call; median of "
            + repeats
            + " repeats (min..max)");
    List<String> names = new ArrayList<>();
    // op -> system -> size -> per-repeat microseconds per call
    Map<String, Map<String, Map<Integer, double[]>>> results = new LinkedHashMap<>();
    for (int r = 0; r < repeats; r++) {
      for (Bulk system : bulkSystems()) {
        try (system) {
          if (!names.contains(system.name())) {
            names.add(system.name());
          }
          for (int size : sizes) {
            Map<String, String> data = data("k" + size + ":", size);
            Set<String> keys = data.keySet();
            int calls = Math.max(MIN_CALLS, KEYS_PER_POINT / size);
            // warm-up: a few calls, not timed (JIT, connections, script load)
            for (int w = 0; w < Math.max(1, calls / 10); w++) {
              system.putAll(data);
              system.getAll(keys);
            }
            admin.slowlogReset();
            long t0 = System.nanoTime();
            for (int c = 0; c < calls; c++) {
              system.putAll(data);
            }
            long t1 = System.nanoTime();
            for (int c = 0; c < calls; c++) {
              system.getAll(keys);
            }
            long t2 = System.nanoTime();
            record(results, "putAll", system.name(), size, r, (t1 - t0) / 1e3 / calls);
            record(results, "getAll", system.name(), size, r, (t2 - t1) / 1e3 / calls);
            Slow worst = worstSlowlog();
            System.out.printf(
                Locale.ROOT,
                "  round %d %-28s %6d keys: putAll %10.1f us  getAll %10.1f us  slow log: %s%n",
                r + 1,
                system.name(),
                size,
                (t1 - t0) / 1e3 / calls,
                (t2 - t1) / 1e3 / calls,
                worst == null ? "none" : worst + " | " + worst.summary());
          }
        }
      }
      admin.flushall();
    }
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "%-7s %-28s %8s %24s %12s   %s%n",
        "op",
        "system",
        "keys",
        "us/call median (min..max)",
        "us/key",
        "");
    System.out.println("-".repeat(100));
    for (var op : results.entrySet()) {
      for (String name : names) {
        Map<Integer, double[]> bySize = op.getValue().get(name);
        if (bySize == null) {
          continue;
        }
        double[] xs = new double[sizes.size()];
        double[] ys = new double[sizes.size()];
        int i = 0;
        for (int size : sizes) {
          double[] v = bySize.get(size);
          double med = median(v);
          xs[i] = size;
          ys[i++] = med;
          System.out.printf(
              Locale.ROOT,
              "%-7s %-28s %8d %24s %12.2f%n",
              op.getKey(),
              name,
              size,
              String.format(Locale.ROOT, "%.1f (%.1f..%.1f)", med, min(v), max(v)),
              med / size);
        }
        double[] fit = fit(xs, ys);
        System.out.printf(
            Locale.ROOT,
            "%-7s %-28s   slope %.2f us/key, intercept %.1f us (least squares over %s keys)%n",
            op.getKey(),
            name,
            fit[0],
            fit[1],
            sizes);
      }
    }
  }

  private static void record(
      Map<String, Map<String, Map<Integer, double[]>>> results,
      String op,
      String system,
      int size,
      int repeat,
      double value) {
    results
        .computeIfAbsent(op, o -> new LinkedHashMap<>())
        .computeIfAbsent(system, s -> new LinkedHashMap<>())
        .computeIfAbsent(size, s -> new double[0]);
    double[] old = results.get(op).get(system).get(size);
    double[] grown = Arrays.copyOf(old, Math.max(old.length, repeat + 1));
    grown[repeat] = value;
    results.get(op).get(system).put(size, grown);
  }

  private List<Bulk> bulkSystems() {
    return List.of(cascadeBulk(), lettuceHashBulk(), lettuceStringBulk(), redissonBulk());
  }

  private Bulk cascadeBulk() {
    return jcacheBulk("Cascade", JCacheOperations.Provider.CASCADE, "scale-c");
  }

  private Bulk redissonBulk() {
    return jcacheBulk("Redisson JCache", JCacheOperations.Provider.REDISSON, "scale-r");
  }

  private Bulk jcacheBulk(String name, JCacheOperations.Provider provider, String cacheName) {
    ClassLoader loader = ScaleBench.class.getClassLoader();
    Path yaml = null;
    CacheManager manager;
    if (provider == JCacheOperations.Provider.CASCADE) {
      manager =
          Caching.getCachingProvider(provider.className).getCacheManager(URI.create(uri), loader);
    } else {
      yaml = JCacheOperations.redissonConfig(uri);
      manager =
          Caching.getCachingProvider(provider.className).getCacheManager(yaml.toUri(), loader);
    }
    Cache<String, String> cache =
        manager.createCache(
            cacheName,
            new MutableConfiguration<String, String>().setTypes(String.class, String.class));
    return new Bulk() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void putAll(Map<String, String> entries) {
        cache.putAll(entries);
      }

      @Override
      public void getAll(Set<String> keys) {
        Map<String, String> got = cache.getAll(keys);
        if (got.size() != keys.size()) {
          throw new IllegalStateException(
              name + " getAll found " + got.size() + " of " + keys.size());
        }
      }

      @Override
      public void close() {
        manager.destroyCache(cacheName);
        manager.close();
      }
    };
  }

  /** Raw Lettuce on Cascade's layout (a hash per key, field v): pipelined HSET / HGET. */
  private Bulk lettuceHashBulk() {
    RedisClient client = RedisClient.create(uri);
    StatefulRedisConnection<String, String> connection = client.connect();
    RedisAsyncCommands<String, String> async = connection.async();
    return new Bulk() {
      @Override
      public String name() {
        return "Lettuce HSET/HGET pipelined";
      }

      @Override
      public void putAll(Map<String, String> entries) {
        List<RedisFuture<Boolean>> replies = new ArrayList<>(entries.size());
        entries.forEach((k, v) -> replies.add(async.hset("h" + k, "v", v)));
        for (RedisFuture<Boolean> f : replies) {
          await(f);
        }
      }

      @Override
      public void getAll(Set<String> keys) {
        List<RedisFuture<String>> replies = new ArrayList<>(keys.size());
        for (String k : keys) {
          replies.add(async.hget("h" + k, "v"));
        }
        for (RedisFuture<String> f : replies) {
          if (await(f) == null) {
            throw new IllegalStateException("HGET missed");
          }
        }
      }

      @Override
      public void close() {
        connection.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
      }
    };
  }

  /** Raw Lettuce on plain strings: one MSET / MGET per call. */
  private Bulk lettuceStringBulk() {
    RedisClient client = RedisClient.create(uri);
    StatefulRedisConnection<String, String> connection = client.connect();
    RedisCommands<String, String> sync = connection.sync();
    return new Bulk() {
      @Override
      public String name() {
        return "Lettuce MSET/MGET";
      }

      @Override
      public void putAll(Map<String, String> entries) {
        Map<String, String> prefixed = new LinkedHashMap<>(entries.size() * 2);
        entries.forEach((k, v) -> prefixed.put("s" + k, v));
        sync.mset(prefixed);
      }

      @Override
      public void getAll(Set<String> keys) {
        String[] prefixed = keys.stream().map(k -> "s" + k).toArray(String[]::new);
        for (KeyValue<String, String> kv : sync.mget(prefixed)) {
          if (!kv.hasValue()) {
            throw new IllegalStateException("MGET missed " + kv.getKey());
          }
        }
      }

      @Override
      public void close() {
        connection.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
      }
    };
  }

  private static <T> T await(RedisFuture<T> f) {
    try {
      return f.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ part 2: a million entries

  private void entries(int n, List<String> systems) throws Exception {
    System.out.println();
    System.out.println(
        "2. "
            + n
            + " entries ("
            + VALUE_BYTES
            + "-byte values) in one cache of "
            + systems
            + ": populate (putAll of 1,000), iterate, removeAll(), populate, clear(); "
            + repeats
            + " repeats");
    Map<String, List<Phase>> phases = new LinkedHashMap<>();
    for (String system : systems) {
      boolean cascade = system.equalsIgnoreCase("cascade");
      if (!cascade && !system.equalsIgnoreCase("redisson")) {
        throw new IllegalArgumentException(
            "--entry-systems takes cascade and/or redisson, not " + system);
      }
      String prefix = cascade ? "" : "Redisson ";
      CacheManager manager =
          cascade
              ? Caching.getCachingProvider(JCacheOperations.Provider.CASCADE.className)
                  .getCacheManager(URI.create(uri), ScaleBench.class.getClassLoader())
              : Caching.getCachingProvider(JCacheOperations.Provider.REDISSON.className)
                  .getCacheManager(
                      JCacheOperations.redissonConfig(uri).toUri(),
                      ScaleBench.class.getClassLoader());
      try {
        Cache<String, String> cache =
            manager.createCache(
                cascade ? "scale-1m" : "scale-1m-r",
                new MutableConfiguration<String, String>().setTypes(String.class, String.class));
        for (int r = 0; r < repeats; r++) {
          add(phases, measure(prefix + "populate (putAll x1000)", n, () -> populate(cache, n)));
          add(
              phases,
              measure(
                  prefix + "iterate",
                  n,
                  () -> {
                    long count = 0;
                    Iterator<Cache.Entry<String, String>> it = cache.iterator();
                    while (it.hasNext()) {
                      if (it.next().getValue() != null) {
                        count++;
                      }
                    }
                    if (count != n) {
                      throw new IllegalStateException("iterated " + count + " of " + n);
                    }
                  }));
          add(phases, measure(prefix + "removeAll()", n, cache::removeAll));
          checkEmpty();
          populate(cache, n);
          add(phases, measure(prefix + "clear()", n, cache::clear));
          checkEmpty();
        }
      } finally {
        manager.close();
        admin.flushall();
      }
    }
    printPhases(phases, "entry");
  }

  private void checkEmpty() {
    long keys = admin.dbsize();
    // the registry entry and the partitions' flags may remain; the entries must not
    if (keys > 100) {
      throw new IllegalStateException(keys + " keys left after removing every entry");
    }
  }

  private static void populate(Cache<String, String> cache, int n) {
    Map<String, String> chunk = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      chunk.put("user:" + i, value(i));
      if (chunk.size() == 1_000) {
        cache.putAll(chunk);
        chunk.clear();
      }
    }
    if (!chunk.isEmpty()) {
      cache.putAll(chunk);
    }
  }

  private static void add(Map<String, List<Phase>> phases, Phase p) {
    phases.computeIfAbsent(p.name, k -> new ArrayList<>()).add(p);
    System.out.println("  " + p);
  }

  /** What one phase cost. */
  record Phase(
      String name,
      int work,
      double ms,
      long heapBeforeMiB,
      long heapPeakMiB,
      long redisBeforeMiB,
      long redisPeakMiB,
      long redisAfterMiB,
      Slow slowest,
      String latency,
      String perCall,
      long redisCpuMs,
      long redisWaitMs) {

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%-34s %9d: %9.0f ms (%.2f us each), client used heap %d -> peak %d MiB, Redis used_memory"
              + " %d -> peak %d -> %d MiB, slowest command: %s; slow log by command: %s;"
              + " LATENCY LATEST: %s; commandstats, mean per call: %s; redis-server main thread:"
              + " %d ms on a CPU, %d ms runnable but waiting for one",
          name,
          work,
          ms,
          ms * 1e3 / work,
          heapBeforeMiB,
          heapPeakMiB,
          redisBeforeMiB,
          redisPeakMiB,
          redisAfterMiB,
          slowest,
          slowest == null ? "-" : slowest.summary(),
          latency,
          perCall,
          redisCpuMs,
          redisWaitMs);
    }
  }

  interface Work {
    void run() throws Exception;
  }

  /**
   * Runs {@code work} while a sampler thread reads the client's used heap and Redis used_memory
   * every 50 ms; resets the slow log and the latency monitor before, reads them after.
   */
  private Phase measure(String name, int n, Work work) throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    admin.slowlogReset();
    admin.dispatch(
        LATENCY,
        new io.lettuce.core.output.IntegerOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
        new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
            .add("RESET"));
    admin.configResetstat();
    long before = usedMemory(sampler);
    long heapBefore = memory.getHeapMemoryUsage().getUsed();
    AtomicLong heapPeak = new AtomicLong(memory.getHeapMemoryUsage().getUsed());
    AtomicLong redisPeak = new AtomicLong(before);
    long[] schedBefore = schedstat();
    AtomicBoolean stop = new AtomicBoolean();
    Thread t =
        new Thread(
            () -> {
              while (!stop.get()) {
                heapPeak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                  redisPeak.accumulateAndGet(usedMemory(sampler), Math::max);
                  Thread.sleep(50);
                } catch (Exception e) {
                  return;
                }
              }
            },
            "scale-sampler");
    t.setDaemon(true);
    t.start();
    long t0 = System.nanoTime();
    try {
      work.run();
    } finally {
      stop.set(true);
      t.join();
    }
    long t1 = System.nanoTime();
    long[] schedAfter = schedstat();
    long after = usedMemory(sampler);
    redisPeak.accumulateAndGet(after, Math::max);
    heapPeak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
    return new Phase(
        name,
        n,
        (t1 - t0) / 1e6,
        heapBefore >> 20,
        heapPeak.get() >> 20,
        before >> 20,
        redisPeak.get() >> 20,
        after >> 20,
        worstSlowlog(),
        latencyLatest(),
        commandStats(),
        (schedAfter[0] - schedBefore[0]) / 1_000_000,
        (schedAfter[1] - schedBefore[1]) / 1_000_000);
  }

  private static void printPhases(Map<String, List<Phase>> phases, String unit) {
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "%-34s %9s %26s %12s %16s %20s   %s%n",
        "phase",
        unit + "s",
        "ms median (min..max)",
        "us/" + unit,
        "heap MiB bef/pk",
        "Redis MiB bef/pk/aft",
        "slowest command over the repeats");
    System.out.println("-".repeat(140));
    for (var e : phases.entrySet()) {
      List<Phase> ps = e.getValue();
      double[] ms = ps.stream().mapToDouble(Phase::ms).toArray();
      Phase any = ps.get(ps.size() - 1);
      Slow worst = null;
      for (Phase p : ps) {
        if (p.slowest() != null && (worst == null || p.slowest().micros() > worst.micros())) {
          worst = p.slowest();
        }
      }
      long heap = ps.stream().mapToLong(Phase::heapPeakMiB).max().orElse(0);
      long heapBefore = ps.stream().mapToLong(Phase::heapBeforeMiB).max().orElse(0);
      System.out.printf(
          Locale.ROOT,
          "%-34s %9d %26s %12.2f %16s %20s   %s%n",
          e.getKey(),
          any.work(),
          String.format(Locale.ROOT, "%.0f (%.0f..%.0f)", median(ms), min(ms), max(ms)),
          median(ms) * 1e3 / any.work(),
          heapBefore + "/" + heap,
          any.redisBeforeMiB() + "/" + any.redisPeakMiB() + "/" + any.redisAfterMiB(),
          worst == null ? "none >= " + SLOWLOG_MICROS + " us" : worst);
    }
  }

  // ------------------------------------------------------------------ part 3: write-behind drain

  private void drain(List<Integer> backlogs, int batch) throws Exception {
    System.out.println();
    System.out.println(
        "3. write-behind backlog draining into the database (JdbcCacheWriter, batch "
            + batch
            + ", 4 flush threads); the writer held while the backlog is queued, time from release to"
            + " queue depth 0; "
            + repeats
            + " repeats");
    Map<String, List<Phase>> phases = new LinkedHashMap<>();
    try (BenchDatabase db = BenchDatabase.open()) {
      System.out.println("database: " + db.describe());
      for (int r = 0; r < repeats; r++) {
        for (int n : backlogs) {
          admin.flushall();
          String table = db.createTable("scale");
          CacheManager manager =
              Caching.getCachingProvider(JCacheOperations.Provider.CASCADE.className)
                  .getCacheManager(URI.create(uri), ScaleBench.class.getClassLoader());
          InstrumentedWriter writer =
              new InstrumentedWriter(
                  new JdbcCacheWriter<>(db.dataSource(), BenchDatabase.mapping(table)));
          try {
            writer.hold();
            Cache<String, String> cache =
                manager.createCache(
                    "scale-wb",
                    new MutableConfiguration<String, String>()
                        .setTypes(String.class, String.class)
                        .setWriteThrough(true)
                        .setCacheWriterFactory(
                            WriteBehind.of(writer.factory())
                                .batchSize(batch)
                                // the default bound (1,000,000 split over 16 partitions) refuses
                                // a million-record backlog in the fullest partition
                                .maxQueueLength(0)
                                // the first calls wait at the gate while the backlog is queued
                                .writerTimeout(Duration.ofMinutes(30))
                                .claimIdle(Duration.ofMinutes(31))
                                .build()));
            WriteBehindMXBean wb = cache.unwrap(CascadeCache.class).writeBehind();
            add(phases, measure("queue " + n, n, () -> populate(cache, n)));
            long depth = wb.getQueueDepth();
            if (depth != n) {
              throw new IllegalStateException("queued " + depth + " records, expected " + n);
            }
            add(
                phases,
                measure(
                    "drain " + n,
                    n,
                    () -> {
                      writer.release();
                      FlushRate.awaitDrained(wb, 20, 3_600_000);
                    }));
            long rows = db.rowCount(table);
            if (rows != n) {
              throw new IllegalStateException("the table holds " + rows + " rows, expected " + n);
            }
          } finally {
            writer.release();
            try {
              manager.close();
            } finally {
              db.dropTable(table);
            }
          }
        }
      }
    } finally {
      admin.flushall();
    }
    printPhases(phases, "record");
    double[] xs = backlogs.stream().mapToDouble(Integer::doubleValue).toArray();
    double[] ys = new double[xs.length];
    for (int i = 0; i < xs.length; i++) {
      ys[i] =
          median(phases.get("drain " + backlogs.get(i)).stream().mapToDouble(Phase::ms).toArray());
    }
    if (xs.length > 1) {
      double[] fit = fit(xs, ys);
      System.out.printf(
          Locale.ROOT,
          "drain slope: %.2f us/record (%.0f records/s), intercept %.0f ms%n",
          fit[0] * 1e3,
          1e3 / fit[0],
          fit[1]);
    }
  }

  // ------------------------------------------------------------------ Redis observations

  /**
   * The slowest entry of the slow log (the harness's own commands left out) and, per command (a
   * script by its file name), how many entries were logged and the longest: a command that blocks
   * because of what it does shows up every time, one that a busy machine descheduled does not.
   */
  record Slow(long micros, String command, String summary) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.2f ms %s", micros / 1e3, command);
    }
  }

  private static final Map<String, String> SCRIPTS = scripts();

  private static Map<String, String> scripts() {
    Map<String, String> names = new LinkedHashMap<>();
    for (dev.cascade.internal.store.Script script :
        List.of(
            dev.cascade.internal.store.Script.ACK,
            dev.cascade.internal.store.Script.CHANGES,
            dev.cascade.internal.store.Script.LEASE,
            dev.cascade.internal.store.Script.LOCK,
            dev.cascade.internal.store.Script.MUTATE,
            dev.cascade.internal.store.Script.PLAIN,
            dev.cascade.internal.store.Script.READ,
            dev.cascade.internal.store.Script.REGISTER,
            dev.cascade.internal.store.Script.UNLOCK)) {
      // the constants, not load(name): some scripts carry a shared prelude (oplog.lua)
      names.put(script.sha(), script.toString());
      names.put(script.allowingOom().sha(), script.toString());
    }
    return names;
  }

  private Slow worstSlowlog() {
    List<Object> log = admin.slowlogGet(10_000);
    Slow worst = null;
    Map<String, long[]> byCommand = new LinkedHashMap<>();
    for (Object o : log) {
      List<?> entry = (List<?>) o;
      long micros = ((Number) entry.get(2)).longValue();
      List<?> argv = (List<?>) entry.get(3);
      String cmd = String.valueOf(argv.get(0)).toLowerCase(Locale.ROOT);
      if (cmd.equals("info")
          || cmd.equals("slowlog")
          || cmd.equals("latency")
          || cmd.equals("flushall")) {
        continue;
      }
      String label = cmd;
      if (cmd.startsWith("evalsha") && argv.size() > 1) {
        label = cmd + " " + SCRIPTS.getOrDefault(String.valueOf(argv.get(1)), "?");
      }
      long[] stat = byCommand.computeIfAbsent(label, k -> new long[2]);
      stat[0]++;
      stat[1] = Math.max(stat[1], micros);
      if (worst == null || micros > worst.micros()) {
        StringBuilder s = new StringBuilder(label);
        for (int i = cmd.startsWith("evalsha") ? 2 : 1; i < Math.min(argv.size(), 4); i++) {
          String a = String.valueOf(argv.get(i));
          s.append(' ').append(a.length() > 60 ? a.substring(0, 60) + "..." : a);
        }
        String last = String.valueOf(argv.get(argv.size() - 1));
        java.util.regex.Matcher more =
            java.util.regex.Pattern.compile("\\.\\.\\. \\((\\d+) more arguments\\)").matcher(last);
        long args = more.matches() ? argv.size() - 1 + Long.parseLong(more.group(1)) : argv.size();
        s.append(" ... (").append(args).append(" arguments)");
        worst = new Slow(micros, s.toString(), "");
      }
    }
    admin.slowlogReset();
    if (worst == null) {
      return null;
    }
    StringBuilder summary = new StringBuilder();
    byCommand.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
        .forEach(
            e ->
                summary
                    .append(summary.length() == 0 ? "" : "; ")
                    .append(e.getKey())
                    .append(
                        String.format(
                            Locale.ROOT,
                            " x%d max %.1f ms",
                            e.getValue()[0],
                            e.getValue()[1] / 1e3)));
    return new Slow(worst.micros(), worst.command(), summary.toString());
  }

  /**
   * The redis-server main thread's time on a CPU and time runnable but waiting for one (Linux
   * {@code /proc/PID/task/PID/schedstat}, nanoseconds): on a shared machine, how much of a slow
   * command's duration was the server not being scheduled. Zeros where there is no such file.
   */
  private long[] schedstat() {
    try {
      String[] f =
          java.nio.file.Files.readString(
                  Path.of("/proc/" + redisPid + "/task/" + redisPid + "/schedstat"))
              .trim()
              .split("\\s+");
      return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
    } catch (Exception e) {
      return new long[] {0, 0};
    }
  }

  /**
   * The commands of the phase with the highest mean server time per call ({@code INFO commandstats}
   * since the phase's {@code CONFIG RESETSTAT}): what a command costs Redis when the machine's
   * noise is averaged out, where the slow log's maximum shows the worst single case.
   */
  private String commandStats() {
    record Stat(String name, long calls, double usecPerCall) {}
    List<Stat> stats = new ArrayList<>();
    for (String line : admin.info("commandstats").split("\r?\n")) {
      if (!line.startsWith("cmdstat_")) {
        continue;
      }
      String name = line.substring("cmdstat_".length(), line.indexOf(':'));
      if (List.of("info", "slowlog", "latency", "config", "flushall").contains(name)) {
        continue;
      }
      long calls = 0;
      double perCall = 0;
      for (String kv : line.substring(line.indexOf(':') + 1).split(",")) {
        String[] p = kv.split("=");
        if (p[0].equals("calls")) {
          calls = Long.parseLong(p[1]);
        } else if (p[0].equals("usec_per_call")) {
          perCall = Double.parseDouble(p[1]);
        }
      }
      stats.add(new Stat(name, calls, perCall));
    }
    stats.sort((a, b) -> Double.compare(b.usecPerCall(), a.usecPerCall()));
    StringBuilder s = new StringBuilder();
    for (Stat st : stats.subList(0, Math.min(4, stats.size()))) {
      s.append(s.length() == 0 ? "" : ", ")
          .append(
              String.format(
                  Locale.ROOT, "%s %.0f us x%d", st.name(), st.usecPerCall(), st.calls()));
    }
    return s.toString();
  }

  private String latencyLatest() {
    List<Object> latest =
        admin.dispatch(
            LATENCY,
            new io.lettuce.core.output.NestedMultiOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
            new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
                .add("LATEST"));
    if (latest.isEmpty()) {
      return "no event >= " + LATENCY_MILLIS + " ms";
    }
    StringBuilder s = new StringBuilder();
    for (Object o : latest) {
      List<?> e = (List<?>) o;
      s.append(s.length() == 0 ? "" : ", ")
          .append(e.get(0))
          .append(" max ")
          .append(e.get(3))
          .append(" ms");
    }
    return s.toString();
  }

  /** Lettuce has no LATENCY command of its own: dispatched by name. */
  private static final io.lettuce.core.protocol.ProtocolKeyword LATENCY =
      new io.lettuce.core.protocol.ProtocolKeyword() {
        @Override
        public byte[] getBytes() {
          return "LATENCY".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }

        @Override
        public String toString() {
          return "LATENCY";
        }
      };

  private static long usedMemory(RedisCommands<String, String> redis) {
    for (String line : redis.info("memory").split("\r?\n")) {
      if (line.startsWith("used_memory:")) {
        return Long.parseLong(line.substring("used_memory:".length()).trim());
      }
    }
    throw new IllegalStateException("INFO memory has no used_memory");
  }

  // ------------------------------------------------------------------ data and statistics

  private static Map<String, String> data(String prefix, int n) {
    Map<String, String> m = new LinkedHashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      m.put(prefix + i, value(i));
    }
    return m;
  }

  /** A value of exactly {@link #VALUE_BYTES} ASCII bytes, different for each i, never a number. */
  private static String value(int i) {
    StringBuilder s = new StringBuilder(VALUE_BYTES);
    s.append("v").append(i).append('-');
    while (s.length() < VALUE_BYTES) {
      s.append((char) ('a' + (s.length() * 7 + i) % 26));
    }
    return s.toString();
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  static double min(double[] v) {
    return Arrays.stream(v).min().orElse(Double.NaN);
  }

  static double max(double[] v) {
    return Arrays.stream(v).max().orElse(Double.NaN);
  }

  /** Least squares y = a x + b: {a, b}. */
  static double[] fit(double[] x, double[] y) {
    int n = x.length;
    double mx = Arrays.stream(x).average().orElse(0);
    double my = Arrays.stream(y).average().orElse(0);
    double sxy = 0;
    double sxx = 0;
    for (int i = 0; i < n; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
    }
    double a = sxx == 0 ? Double.NaN : sxy / sxx;
    return new double[] {a, my - a * mx};
  }
}
