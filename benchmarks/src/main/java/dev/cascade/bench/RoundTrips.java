package dev.cascade.bench;

import dev.cascade.testing.RedisServer;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Counts, rather than times, what one call costs on the wire: for each system and operation, N
 * calls on one thread through a {@link CountingProxy}, with the server's {@code INFO commandstats}
 * read before and after. Reports per call:
 *
 * <ul>
 *   <li>client commands: what the client sent (EVAL/EVALSHA count once);
 *   <li>waits: how often the client sent with no reply outstanding (1.0 = one round trip, see
 *       {@link CountingProxy});
 *   <li>server commands: what Redis executed, including the commands inside scripts, by name.
 * </ul>
 *
 * DESIGN: getAll/putAll of 100 keys must take one round trip per node, not 100.
 */
final class RoundTrips {

  private static final Set<Op> LETTUCE_OPS = EnumSet.range(Op.GET_HIT, Op.INVOKE_HINCRBY);
  private static final int WARM_UP_CALLS = 50;
  private static final int LIMIT_SECONDS = 120;

  /** What one call of one operation cost, averaged over the calls counted. */
  record Row(
      String system,
      Op op,
      int calls,
      double clientCommands,
      double waits,
      double serverCommands,
      String serverBreakdown) {}

  private final RedisServer server;
  private final PrintStream progress;

  RoundTrips(RedisServer server, PrintStream progress) {
    this.server = server;
    this.progress = progress;
  }

  List<Row> measure() throws IOException {
    List<Row> rows = new ArrayList<>();
    try (CountingProxy proxy = new CountingProxy(server.port())) {
      String uri = proxy.uri();
      for (Op op : Op.values()) {
        if (op == Op.GET_HIT_NEAR) {
          continue; // no commands once warm, and how warm depends on the warm-up: JMH's numbers say
          // it
        }
        if (op == Op.INVOKE_HINCRBY) {
          rows.add(measure(proxy, Report.LETTUCE, op, () -> LettuceOperations.open(uri, op)));
          continue; // a command of raw Redis, no JCache operation
        }
        rows.add(
            measure(
                proxy,
                Report.CASCADE,
                op,
                () -> JCacheOperations.open(JCacheOperations.Provider.CASCADE, uri, op)));
        if (LETTUCE_OPS.contains(op)) {
          rows.add(measure(proxy, Report.LETTUCE, op, () -> LettuceOperations.open(uri, op)));
        }
        rows.add(
            measure(
                proxy,
                Report.REDISSON,
                op,
                () -> JCacheOperations.open(JCacheOperations.Provider.REDISSON, uri, op)));
      }
    }
    return rows;
  }

  private interface Opener {
    Operations open();
  }

  /**
   * Counts one operation on a thread of its own, given up after {@value #LIMIT_SECONDS} s: a call
   * that never returns (Redisson's put under a synchronous listener can wait forever) must not hold
   * the report. The stuck client is left behind; {@link BenchMain} exits the JVM at the end.
   */
  private Row measure(CountingProxy proxy, String system, Op op, Opener opener) {
    progress.printf(Locale.ROOT, "counting %s %s%n", system, op.label());
    ExecutorService thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "count-" + system + "-" + op);
              t.setDaemon(true);
              return t;
            });
    Future<Row> row = thread.submit(() -> count(proxy, system, op, opener));
    try {
      return row.get(LIMIT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      return new Row(
          system,
          op,
          0,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          "HUNG: a call did not return within " + LIMIT_SECONDS + " s; nothing counted");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      return new Row(system, op, 0, Double.NaN, Double.NaN, Double.NaN, "FAILED: " + e.getCause());
    } finally {
      thread.shutdownNow();
    }
  }

  private Row count(CountingProxy proxy, String system, Op op, Opener opener) {
    int calls = op == Op.GET_ALL || op == Op.PUT_ALL ? 200 : 1000;
    server.flushAll();
    try (Operations ops = opener.open()) {
      for (int i = 0; i < WARM_UP_CALLS; i++) {
        ops.run(op);
      }
      settle();
      Map<String, Long> before = commandCalls();
      CountingProxy.Counts start = proxy.counts();
      for (int i = 0; i < calls; i++) {
        ops.run(op);
      }
      settle();
      CountingProxy.Counts used = proxy.counts().minus(start);
      Map<String, Long> after = commandCalls();
      Map<String, Long> delta = new TreeMap<>();
      long total = 0;
      for (Map.Entry<String, Long> e : after.entrySet()) {
        long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
        if (d > 0 && !e.getKey().equals("info")) {
          delta.put(e.getKey(), d);
          total += d;
        }
      }
      return new Row(
          system,
          op,
          calls,
          used.commands() / (double) calls,
          used.waits() / (double) calls,
          total / (double) calls,
          breakdown(delta, calls));
    }
  }

  /** Lets asynchronous work of the calls (listener deliveries, pings) finish before counting. */
  private static void settle() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@code INFO commandstats} as command name → calls so far. */
  private Map<String, Long> commandCalls() {
    Map<String, Long> calls = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : server.info("commandstats").entrySet()) {
      String name = e.getKey().replaceFirst("^cmdstat_", "");
      for (String part : e.getValue().split(",")) {
        if (part.startsWith("calls=")) {
          calls.put(name, Long.parseLong(part.substring("calls=".length())));
        }
      }
    }
    return calls;
  }

  private static String breakdown(Map<String, Long> delta, int calls) {
    StringJoiner j = new StringJoiner(", ");
    delta.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .forEach(e -> j.add(e.getKey() + " " + perCall(e.getValue() / (double) calls)));
    return j.toString();
  }

  private static String perCall(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    return Math.abs(v - Math.rint(v)) < 0.005
        ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.2f", v);
  }

  static void print(List<Row> rows, PrintStream out) {
    out.println(
        "Commands and waits per call (one thread, N sequential calls through a counting proxy):");
    out.println(
        "  client cmds = commands the client sent; waits = times it sent with no reply outstanding");
    out.println(
        "  (1 = one round trip; an upper bound); server cmds = what Redis ran, including inside scripts.");
    out.println();
    String header =
        String.format(
            Locale.ROOT,
            "%-20s %-9s %11s %7s %11s  %s",
            "operation",
            "system",
            "client cmds",
            "waits",
            "server cmds",
            "server commands per call");
    out.println(header);
    out.println("-".repeat(header.length() + 30));
    for (Row r : rows) {
      out.println(
          String.format(
              Locale.ROOT,
              "%-20s %-9s %11s %7s %11s  %s",
              r.op.label(),
              r.system,
              perCall(r.clientCommands),
              perCall(r.waits),
              perCall(r.serverCommands),
              r.serverBreakdown));
    }
    out.println();
  }
}
