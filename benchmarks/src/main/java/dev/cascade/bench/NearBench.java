package dev.cascade.bench;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.NearCacheStatistics;
import dev.cascade.config.CascadeConfiguration;
import dev.cascade.testing.RedisCluster;
import dev.cascade.testing.RedisServer;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.Duration;

/**
 * A near-cache hit against a remote get (hit), one thread, on one redis-server and on a
 * three-master Redis Cluster, with an eternal cache and with an {@code AccessedExpiryPolicy} (whose
 * near hits send coalesced touches to Redis). No JMH: the variants alternate round by round in one
 * JVM, so load from elsewhere on the machine falls on all of them alike; besides wall-clock
 * throughput it reports the JVM's CPU time per get (Lettuce's I/O threads included) and the Redis
 * commands per get (summed over the masters' {@code INFO commandstats}), which load moves less or
 * not at all.
 *
 * <pre>
 * scripts/bench.sh near [--seconds 2] [--rounds 3] [--keys 1000] [--topologies standalone,cluster]
 * </pre>
 */
final class NearBench {

  private record Variant(String name, boolean near, boolean accessed) {}

  private static final List<Variant> VARIANTS =
      List.of(
          new Variant("remote get (hit)", false, false),
          new Variant("near hit", true, false),
          new Variant("remote get (hit), accessed expiry", false, true),
          new Variant("near hit, accessed expiry", true, true));

  private record Sample(
      double opsPerSec, double cpuMicrosPerOp, double commandsPerOp, double nearMissesPerOp) {}

  private NearBench() {}

  static void main(String[] args) throws Exception {
    int seconds = 2;
    int rounds = 3;
    int keys = 1_000;
    List<String> topologies = List.of("standalone", "cluster");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--keys" -> keys = Integer.parseInt(args[++i]);
        case "--topologies" -> topologies = List.of(args[++i].split(","));
        default -> {
          System.err.println(
              "usage: near [--seconds 2] [--rounds 3] [--keys 1000] [--topologies standalone,cluster]");
          System.exit(2);
        }
      }
    }
    for (String topology : topologies) {
      if (topology.equals("cluster")) {
        try (RedisCluster cluster =
            RedisCluster.builder().masters(3).replicasPerMaster(0).start()) {
          run("cluster (3 masters)", cluster.seedUri(), cluster.masters(), seconds, rounds, keys);
        }
      } else {
        try (RedisServer server = RedisServer.start()) {
          run("standalone", server.uri(), List.of(server), seconds, rounds, keys);
        }
      }
    }
  }

  private static void run(
      String topology, String uri, List<RedisServer> masters, int seconds, int rounds, int keys) {
    CacheManager manager =
        new CascadeCachingProvider()
            .getCacheManager(URI.create(uri), NearBench.class.getClassLoader());
    try {
      Map<Variant, Cache<String, String>> caches = new LinkedHashMap<>();
      for (Variant v : VARIANTS) {
        CascadeConfiguration<String, String> c =
            new CascadeConfiguration<String, String>().setTypes(String.class, String.class);
        if (v.near) {
          c.setNearCache(keys);
        }
        if (v.accessed) {
          c.setExpiryPolicyFactory(
              AccessedExpiryPolicy.factoryOf(new Duration(TimeUnit.MINUTES, 10)));
        }
        Cache<String, String> cache = manager.createCache("near-bench-" + caches.size(), c);
        Map<String, String> all = new HashMap<>();
        for (int k = 0; k < keys; k++) {
          all.put("key-" + k, "value-" + k + "-".repeat(80));
        }
        cache.putAll(all);
        caches.put(v, cache);
      }
      String[] names = new String[keys];
      for (int k = 0; k < keys; k++) {
        names[k] = "key-" + k;
      }
      // warm-up: JIT, and every key into the near caches
      for (Variant v : VARIANTS) {
        measure(caches.get(v), names, 1, masters);
      }
      Map<Variant, List<Sample>> samples = new LinkedHashMap<>();
      for (int r = 0; r < rounds; r++) {
        for (Variant v : VARIANTS) {
          samples
              .computeIfAbsent(v, x -> new ArrayList<>())
              .add(measure(caches.get(v), names, seconds, masters));
        }
      }
      print(topology, samples, seconds, rounds, keys);
    } finally {
      manager.close();
    }
  }

  private static Sample measure(
      Cache<String, String> cache, String[] names, int seconds, List<RedisServer> masters) {
    // the whole JVM's CPU: a remote get spends most of its own on Lettuce's I/O threads
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    NearCacheStatistics near = cache.unwrap(CascadeCache.class).nearCache();
    long missesBefore = near == null ? 0 : near.misses();
    long commandsBefore = commands(masters);
    long cpuBefore = os.getProcessCpuTime();
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    long ops = 0;
    int sink = 0;
    while (true) {
      for (int i = 0; i < 256; i++) {
        String v = cache.get(names[(int) (ops++ % names.length)]);
        sink += v.length();
      }
      if (System.nanoTime() >= end) {
        break;
      }
    }
    long elapsed = System.nanoTime() - start;
    long cpu = os.getProcessCpuTime() - cpuBefore;
    long commands = commands(masters) - commandsBefore;
    if (sink == 42) {
      System.out.print("");
    }
    long misses = near == null ? ops : near.misses() - missesBefore;
    return new Sample(
        ops / (elapsed / 1e9), cpu / 1e3 / ops, (double) commands / ops, (double) misses / ops);
  }

  /** Commands the masters ran, from {@code INFO commandstats}, minus the INFO calls themselves. */
  private static long commands(List<RedisServer> masters) {
    long total = 0;
    for (RedisServer m : masters) {
      for (Map.Entry<String, String> e : m.info("commandstats").entrySet()) {
        if (e.getKey().startsWith("cmdstat_") && !e.getKey().equals("cmdstat_info")) {
          String calls = e.getValue().replaceAll("^calls=(\\d+),.*", "$1");
          total += Long.parseLong(calls);
        }
      }
    }
    return total;
  }

  private static void print(
      String topology, Map<Variant, List<Sample>> samples, int seconds, int rounds, int keys) {
    System.out.printf(
        "%n%s: one thread, %d keys, %d rounds of %d s per variant, median shown%n",
        topology, keys, rounds, seconds);
    System.out.printf(
        "%-36s %14s %10s %14s %16s %12s%n",
        "variant", "gets/s", "us/get", "CPU us/get", "Redis cmds/get", "near misses");
    Map<String, Sample> medians = new HashMap<>();
    for (Map.Entry<Variant, List<Sample>> e : samples.entrySet()) {
      Sample m = median(e.getValue());
      medians.put(e.getKey().name, m);
      System.out.printf(
          "%-36s %,14.0f %10.3f %14.3f %16.4f %11.4f%%%n",
          e.getKey().name,
          m.opsPerSec,
          1e6 / m.opsPerSec,
          m.cpuMicrosPerOp,
          m.commandsPerOp,
          100 * m.nearMissesPerOp);
    }
    ratio(medians, "near hit", "remote get (hit)");
    ratio(medians, "near hit, accessed expiry", "remote get (hit), accessed expiry");
    ratio(medians, "near hit, accessed expiry", "remote get (hit)");
  }

  private static void ratio(Map<String, Sample> medians, String a, String b) {
    System.out.printf(
        "%s vs %s: %.1fx throughput, %.1fx less CPU per get%n",
        a,
        b,
        medians.get(a).opsPerSec / medians.get(b).opsPerSec,
        medians.get(b).cpuMicrosPerOp / medians.get(a).cpuMicrosPerOp);
  }

  private static Sample median(List<Sample> s) {
    List<Sample> sorted = new ArrayList<>(s);
    sorted.sort((x, y) -> Double.compare(x.opsPerSec, y.opsPerSec));
    return sorted.get(sorted.size() / 2);
  }
}
