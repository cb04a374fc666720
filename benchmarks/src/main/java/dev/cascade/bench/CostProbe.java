package dev.cascade.bench;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import dev.cascade.testing.RedisServer;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * What one call costs in CPU, rather than how many calls fit in a second: on a shared two-core
 * machine throughput moves with whatever else runs, CPU time per call much less. For each system
 * and operation, at a thread count, in rounds that alternate the systems (so each compared pair
 * shares the same load), it runs the operation for a few seconds after a warm-up and reports per
 * call:
 *
 * <ul>
 *   <li>client CPU: this JVM's process CPU time (callers, Lettuce and Netty threads, listener
 *       threads, GC and JIT) / calls;
 *   <li>Redis CPU: the private redis-server's user + system time (from /proc) / calls;
 *   <li>allocated bytes: every thread of this JVM / calls;
 *   <li>ops/s, for reference only.
 * </ul>
 *
 * The median of the rounds is printed, with the range. Run it on the benchmarks jar:
 *
 * <pre>
 * java -Xms1g -Xmx1g -cp benchmarks/target/benchmarks.jar dev.cascade.bench.CostProbe \
 *     --threads 16 --seconds 4 --rounds 5 Cascade:put Cascade:putAsyncListener Lettuce:put
 * </pre>
 *
 * Systems: Cascade, Lettuce, Redisson; operations: the JMH method names of {@link Op}. With {@code
 * --delay-us N} every system reaches Redis through a {@link DelayingProxy} that holds each packet N
 * µs each way (a far Redis; client CPU then includes the proxy's, compare ops/s).
 */
public final class CostProbe {

  private record Sample(
      double opsPerSecond,
      double clientMicros,
      double redisMicros,
      double bytes,
      String commands) {}

  private CostProbe() {}

  public static void main(String[] args) throws Exception {
    int threads = 16;
    int seconds = 4;
    int warmup = 3;
    int rounds = 5;
    long delayMicros = 0;
    List<String> cases = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--delay-us" -> delayMicros = Long.parseLong(args[++i]);
        default -> cases.add(args[i]);
      }
    }
    if (cases.isEmpty()) {
      throw new IllegalArgumentException("Name at least one System:operation, e.g. Cascade:put");
    }
    PrintStream out = System.out;
    try (RedisServer server = RedisServer.start();
        DelayingProxy far =
            delayMicros > 0 ? new DelayingProxy(server.port(), delayMicros) : null) {
      String uri = far != null ? far.uri() : server.uri();
      out.printf(
          Locale.ROOT,
          "threads %d, %d s measured after %d s warm-up, %d rounds%s; load %s%n",
          threads,
          seconds,
          warmup,
          rounds,
          far != null ? ", every packet held " + delayMicros + " us each way" : "",
          Machine.loadAverage());
      Map<String, List<Sample>> samples = new LinkedHashMap<>();
      for (int r = 0; r < rounds; r++) {
        for (String c : cases) {
          Sample s = measure(server, uri, c, threads, warmup, seconds);
          samples.computeIfAbsent(c, k -> new ArrayList<>()).add(s);
          out.printf(
              Locale.ROOT,
              "round %d %-28s %,9.0f ops/s  client %6.1f us  redis %5.1f us  %,7.0f B/op%n",
              r + 1,
              c,
              s.opsPerSecond,
              s.clientMicros,
              s.redisMicros,
              s.bytes);
          out.println("        Redis usec per call (INFO commandstats): " + s.commands);
        }
      }
      out.println();
      out.printf(
          Locale.ROOT,
          "%-28s %-22s %-20s %-20s %-22s%n",
          "median (min-max)",
          "ops/s",
          "client CPU us/op",
          "Redis CPU us/op",
          "allocated B/op");
      for (Map.Entry<String, List<Sample>> e : samples.entrySet()) {
        List<Sample> l = e.getValue();
        out.printf(
            Locale.ROOT,
            "%-28s %-22s %-20s %-20s %-22s%n",
            e.getKey(),
            range(l, Sample::opsPerSecond, "%,.0f"),
            range(l, Sample::clientMicros, "%.1f"),
            range(l, Sample::redisMicros, "%.1f"),
            range(l, Sample::bytes, "%,.0f"));
      }
      out.printf(Locale.ROOT, "load %s%n", Machine.loadAverage());
    }
    System.exit(0);
  }

  private interface Field {
    double of(Sample s);
  }

  private static String range(List<Sample> l, Field f, String format) {
    double[] v = l.stream().mapToDouble(f::of).sorted().toArray();
    return String.format(
        Locale.ROOT,
        format + " (" + format + "-" + format + ")",
        v[v.length / 2],
        v[0],
        v[v.length - 1]);
  }

  /**
   * @param uri where the system connects: the server, or a proxy in front of it
   */
  private static Sample measure(
      RedisServer server, String uri, String c, int threads, int warmup, int seconds)
      throws Exception {
    String[] parts = c.split(":");
    Op op = Op.ofBenchmark("x." + parts[1]);
    server.flushAll();
    Supplier<Operations> opener =
        switch (parts[0]) {
          case Report.CASCADE ->
              () -> JCacheOperations.open(JCacheOperations.Provider.CASCADE, uri, op);
          case Report.REDISSON ->
              () -> JCacheOperations.open(JCacheOperations.Provider.REDISSON, uri, op);
          case Report.LETTUCE -> () -> LettuceOperations.open(uri, op);
          default -> throw new IllegalArgumentException("No system " + parts[0]);
        };
    try (Operations ops = opener.get()) {
      LongAdder calls = new LongAdder();
      AtomicBoolean stop = new AtomicBoolean();
      CountDownLatch done = new CountDownLatch(threads);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Thread w =
            new Thread(
                () -> {
                  try {
                    while (!stop.get()) {
                      ops.run(op);
                      calls.increment();
                    }
                  } finally {
                    done.countDown();
                  }
                },
                "probe-" + t);
        w.setDaemon(true);
        workers.add(w);
      }
      workers.forEach(Thread::start);
      Thread.sleep(warmup * 1000L);
      OperatingSystemMXBean os =
          (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
      long calls0 = calls.sum();
      long cpu0 = os.getProcessCpuTime();
      long redis0 = cpuTicks(server.pid());
      long bytes0 = allocated(mx);
      Map<String, long[]> stats0 = commandStats(server);
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long calls1 = calls.sum();
      long cpu1 = os.getProcessCpuTime();
      long redis1 = cpuTicks(server.pid());
      long bytes1 = allocated(mx);
      long t1 = System.nanoTime();
      Map<String, long[]> stats1 = commandStats(server);
      stop.set(true);
      done.await();
      double n = calls1 - calls0;
      return new Sample(
          n / ((t1 - t0) / 1e9),
          (cpu1 - cpu0) / 1e3 / n,
          (redis1 - redis0) * (1e6 / 100) / n,
          (bytes1 - bytes0) / n,
          commandTimes(stats0, stats1, n));
    }
  }

  /** {@code INFO commandstats}: command → {calls, usec}. */
  private static Map<String, long[]> commandStats(RedisServer server) {
    Map<String, long[]> stats = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : server.info("commandstats").entrySet()) {
      long calls = 0;
      long usec = 0;
      for (String part : e.getValue().split(",")) {
        if (part.startsWith("calls=")) {
          calls = Long.parseLong(part.substring("calls=".length()));
        } else if (part.startsWith("usec=")) {
          usec = Long.parseLong(part.substring("usec=".length()));
        }
      }
      stats.put(e.getKey().replaceFirst("^cmdstat_", ""), new long[] {calls, usec});
    }
    return stats;
  }

  /** Per operation: each command's calls and server time, largest time first. */
  private static String commandTimes(
      Map<String, long[]> before, Map<String, long[]> after, double n) {
    List<String> parts = new ArrayList<>();
    after.entrySet().stream()
        .map(
            e -> {
              long[] b = before.getOrDefault(e.getKey(), new long[2]);
              return Map.entry(
                  e.getKey(), new long[] {e.getValue()[0] - b[0], e.getValue()[1] - b[1]});
            })
        .filter(e -> e.getValue()[0] > 0 && !e.getKey().equals("info"))
        .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
        .forEach(
            e ->
                parts.add(
                    String.format(
                        Locale.ROOT,
                        "%s %.2fx %.2fus",
                        e.getKey(),
                        e.getValue()[0] / n,
                        e.getValue()[1] / n)));
    return String.join(", ", parts);
  }

  private static long allocated(ThreadMXBean mx) {
    long[] ids = mx.getAllThreadIds();
    return Arrays.stream(mx.getThreadAllocatedBytes(ids)).filter(b -> b > 0).sum();
  }

  /** utime + stime of a process, in clock ticks (USER_HZ, 100 on Linux). */
  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // after "pid (comm) ": state is field 0, utime field 11, stime field 12
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }
}
