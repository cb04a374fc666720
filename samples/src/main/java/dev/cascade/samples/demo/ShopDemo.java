package dev.cascade.samples.demo;

import dev.cascade.jdbc.JdbcCacheWriter;
import dev.cascade.samples.Shop;
import dev.cascade.samples.ViewCounts;
import dev.cascade.testing.Zipf;
import dev.cascade.writebehind.WriteBehindMXBean;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.sql.DataSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The demo: the {@link Shop} under load, then the tutorial's write-through vs write-behind table
 * with measured numbers, and an HTML report with charts.
 *
 * <pre>
 * scripts/demo.sh                                   # private redis-server + in-memory H2
 * scripts/demo.sh --duration 10s --jdbc-url 'jdbc:mysql://127.0.0.1:3306/test?user=root'
 * </pre>
 *
 * <p>Steps: reach (or start) Redis and the database; create the shop's tables if missing; run
 * {@code --threads} threads for {@code --duration} (price updates written through, view counts
 * written behind, product pages read through), showing one live progress line; wait until the
 * write-behind queue is empty (the drain); compare every cached price and count with its row; print
 * the table; write the report; destroy the caches it made.
 *
 * <p>A problem the user can fix (a bad option, an unreachable server, a table of the wrong shape)
 * is one line with the fix and exit status 1 (2 for bad options); a failed consistency check exits
 * 3.
 */
@Command(
    name = "shop-demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Runs Cascade's shop under load: prices written through, view counts written behind,"
            + " product details read through; prints write-through vs write-behind as measured.")
public final class ShopDemo implements Callable<Integer> {

  static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(120);
  static final Duration MAX_WARMUP = Duration.ofSeconds(2);

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      defaultValue = "20s",
      converter = Durations.class,
      description = "How long to run the load (500ms, 20s, 2m). Default: ${DEFAULT-VALUE}.")
  Duration duration;

  @Option(
      names = "--threads",
      paramLabel = "N",
      defaultValue = "8",
      description = "Threads sending traffic. Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(
      names = "--products",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Products in the shop. Default: ${DEFAULT-VALUE}.")
  int products;

  @Option(
      names = "--mix",
      defaultValue = "10:60:30",
      paramLabel = "PRICES:VIEWS:READS",
      description = "Percent of price updates, views and page reads. Default: ${DEFAULT-VALUE}.")
  String mix;

  @Option(
      names = "--max-delay",
      paramLabel = "DURATION",
      defaultValue = "500ms",
      converter = Durations.class,
      description =
          "Write-behind: longest wait before a view count is flushed. Default: ${DEFAULT-VALUE}.")
  Duration maxDelay;

  @Option(
      names = "--redis",
      paramLabel = "URI",
      description =
          "Redis to use, e.g. redis://127.0.0.1:6379. Default: a private redis-server on a free port.")
  String redis;

  @Option(
      names = "--jdbc-url",
      paramLabel = "URL",
      description =
          "Database, e.g. jdbc:mysql://127.0.0.1:3306/test?user=root. Default: in-memory H2 (MySQL mode).")
  String jdbcUrl;

  @Option(
      names = "--table-prefix",
      paramLabel = "PREFIX",
      defaultValue = "demo_",
      description =
          "Prefix of the tables (and caches) products, product_prices, product_views. Default: ${DEFAULT-VALUE}.")
  String tablePrefix;

  @Option(
      names = "--no-create-tables",
      negatable = false,
      description = "Fail instead of creating missing tables.")
  boolean noCreateTables;

  @Option(
      names = "--report",
      paramLabel = "FILE",
      defaultValue = "${sys:cascade.demo.report:-cascade-demo-report.html}",
      description = "Where to write the HTML report. Default: ${DEFAULT-VALUE}.")
  Path report;

  @Option(names = "--verbose", description = "Print stack traces of failures.")
  boolean verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private PrintStream out = System.out;
  private boolean console = System.console() != null;

  public static void main(String[] args) {
    System.exit(run(System.out, System.err, args));
  }

  /** Runs the demo with {@code args}; returns the exit status. */
  static int run(PrintStream out, PrintStream err, String... args) {
    ShopDemo demo = new ShopDemo();
    demo.out = out;
    CommandLine cli = new CommandLine(demo);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setParameterExceptionHandler(
        (e, arguments) -> {
          err.println(
              "Error: " + e.getMessage() + ". Fix: see " + cli.getCommandName() + " --help");
          return 2;
        });
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof DemoException) {
            err.println((demo.console ? "\n" : "") + "Error: " + e.getMessage());
          } else {
            err.println(
                (demo.console ? "\n" : "")
                    + "Error: "
                    + DemoException.rootMessage(e)
                    + " ("
                    + e.getClass().getSimpleName()
                    + "; rerun with --verbose for the stack trace)");
          }
          if (demo.verbose) {
            e.printStackTrace(err);
          }
          return 1;
        });
    return cli.execute(args);
  }

  @Override
  public Integer call() throws Exception {
    Load.Mix loadMix = checkOptions();
    try (Infrastructure infra = Infrastructure.open(redis, jdbcUrl, threads + 8)) {
      out.println("Redis:    " + infra.redisDescription);
      out.println("Database: " + infra.jdbcDescription);
      Shop.Tables tables = Shop.Tables.withPrefix(tablePrefix);
      infra.prepareTables(tables, products, !noCreateTables, out);
      CacheManager manager = infra.cacheManager();
      CountingWriter.Counts priceCounts = new CountingWriter.Counts();
      CountingWriter.Counts viewCounts = new CountingWriter.Counts();
      DataSource db = infra.dataSource;
      Shop shop;
      try {
        shop =
            new Shop(
                manager,
                db,
                tables,
                CountingWriter.factory(
                    JdbcCacheWriter.factory(db, Shop.priceMapping(tables.prices())), priceCounts),
                CountingWriter.factory(ViewCounts.writerFactory(db, tables.views()), viewCounts),
                maxDelay);
      } catch (CacheException e) {
        throw new DemoException(
            "Cannot create the caches "
                + tables.all()
                + " in Redis ("
                + DemoException.rootMessage(e)
                + ")",
            "pick other names with --table-prefix, or remove the old caches from that Redis");
      }
      try {
        Results results = runLoad(infra, shop, loadMix, priceCounts, viewCounts);
        out.println();
        out.print(ResultsTable.markdown(ResultsTable.rows(results)));
        if (results.errors() > 0) {
          out.println(results.errors() + " operations failed; the last: " + results.lastError());
        }
        writeReport(results);
        if (!results.consistent()) {
          out.println(
              "Consistency check FAILED: the database does not equal the cache (examples: "
                  + results.prices().examples()
                  + " "
                  + results.viewCounts().examples()
                  + ")");
          return 3;
        }
        return 0;
      } finally {
        // destroyCache drains a write-behind cache's queue first, then deletes entries and queues,
        // and leaves the mark of a destroyed cache in place of its registry entry for a while
        for (String name : tables.all()) {
          manager.destroyCache(name);
        }
        out.println(
            "Removed the caches "
                + String.join(", ", tables.all())
                + " from Redis (the tables stay).");
      }
    }
  }

  private Load.Mix checkOptions() {
    if (duration.compareTo(Duration.ofSeconds(1)) < 0
        || duration.compareTo(Duration.ofHours(1)) > 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--duration must be between 1s and 1h, not " + Durations.text(duration));
    }
    if (threads < 1 || threads > 256) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--threads must be between 1 and 256, not " + threads);
    }
    if (products < 1 || products > 1_000_000) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--products must be between 1 and 1000000, not " + products);
    }
    if (maxDelay.isZero()
        || maxDelay.isNegative()
        || maxDelay.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--max-delay must be between 1ms and 1m");
    }
    String[] parts = mix.split(":");
    try {
      if (parts.length == 3) {
        Load.Mix m =
            new Load.Mix(
                Integer.parseInt(parts[0].trim()),
                Integer.parseInt(parts[1].trim()),
                Integer.parseInt(parts[2].trim()));
        if (m.priceUpdates() >= 0
            && m.views() >= 0
            && m.reads() >= 0
            && m.priceUpdates() + m.views() + m.reads() == 100) {
          return m;
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "--mix '" + mix + "' must be three whole percentages adding up to 100, such as 10:60:30");
  }

  private Results runLoad(
      Infrastructure infra,
      Shop shop,
      Load.Mix mix,
      CountingWriter.Counts priceCounts,
      CountingWriter.Counts viewCounts)
      throws InterruptedException {
    WriteBehindMXBean wb = shop.views().writeBehind();
    Duration warmup =
        duration.dividedBy(10).compareTo(MAX_WARMUP) < 0 ? duration.dividedBy(10) : MAX_WARMUP;
    out.printf(
        Locale.ROOT,
        "Load:     %s, %d threads, %d products (Zipf), mix %d%% price updates (write-through)"
            + " / %d%% views (write-behind) / %d%% page reads (read-through); latencies measured after a %s warm-up%n",
        Durations.text(duration),
        threads,
        products,
        mix.priceUpdates(),
        mix.views(),
        mix.reads(),
        Durations.text(warmup));
    Load load = new Load(shop, mix, new Zipf(products, 1.0));
    long start = System.nanoTime();
    Progress progress = new Progress();
    Timeline timeline = new Timeline(start, load, priceCounts, viewCounts, wb, progress::show);
    timeline.start();
    load.start(threads, start + warmup.toNanos(), start + duration.toNanos());
    load.join();
    double stoppedAt = (System.nanoTime() - start) / 1e9;
    timeline.loadStopped();
    long drainStart = System.nanoTime();
    double drainSeconds = -1;
    while (System.nanoTime() - drainStart < DRAIN_TIMEOUT.toNanos()) {
      if (wb.getQueueDepth() == 0) {
        drainSeconds = (System.nanoTime() - drainStart) / 1e9;
        break;
      }
      Thread.sleep(10);
    }
    timeline.stop();
    List<Timeline.Sample> samples = new ArrayList<>(timeline.samples());
    samples.add(timeline.sample());
    progress.show(samples.get(samples.size() - 1));
    progress.end();

    long maxDepth = 0;
    double depthSum = 0;
    int depthCount = 0;
    for (Timeline.Sample s : samples) {
      if (s.loading() && s.queueDepth() >= 0) {
        maxDepth = Math.max(maxDepth, s.queueDepth());
        depthSum += s.queueDepth();
        depthCount++;
      }
    }
    Map<Long, BigDecimal> priceRows =
        rows(
            infra.dataSource,
            "SELECT product_id, price FROM " + shop.tables().prices(),
            BigDecimal.class);
    Map<Long, Long> viewRows =
        rows(
            infra.dataSource, "SELECT product_id, views FROM " + shop.tables().views(), Long.class);
    return new Results(
        infra.redisDescription,
        infra.jdbcDescription,
        duration,
        warmup,
        threads,
        products,
        mix,
        load.priceUpdates.sum(),
        load.views.sum(),
        load.reads.sum(),
        load.errors.sum(),
        load.lastError,
        load.writeThroughLatencies(),
        load.writeBehindLatencies(),
        priceCounts.rows.sum(),
        priceCounts.statements.sum(),
        viewCounts.rows.sum(),
        viewCounts.statements.sum(),
        wb.getRecordsCoalesced(),
        maxDepth,
        depthCount == 0 ? 0 : depthSum / depthCount,
        drainSeconds,
        compare(shop.prices(), priceRows),
        compare(shop.views().cache(), viewRows),
        samples,
        stoppedAt);
  }

  /**
   * Every cache entry against its row: a missing row or another value is a mismatch. Rows the cache
   * does not hold are not (a read would load exactly that row). Prices compare by value (2.5 ==
   * 2.50).
   */
  static <V> Results.Consistency compare(Cache<Long, V> cache, Map<Long, V> rows) {
    int compared = 0;
    int mismatching = 0;
    List<String> examples = new ArrayList<>();
    for (Cache.Entry<Long, V> e : cache) {
      compared++;
      V row = rows.get(e.getKey());
      boolean same =
          row != null
              && (row instanceof BigDecimal b
                  ? b.compareTo((BigDecimal) e.getValue()) == 0
                  : row.equals(e.getValue()));
      if (!same) {
        mismatching++;
        if (examples.size() < 5) {
          examples.add(
              cache.getName() + "[" + e.getKey() + "]: cache " + e.getValue() + ", table " + row);
        }
      }
    }
    return new Results.Consistency(compared, mismatching, examples);
  }

  private static <V> Map<Long, V> rows(DataSource db, String sql, Class<V> type) {
    Map<Long, V> rows = new HashMap<>();
    try (var c = db.getConnection();
        var s = c.createStatement();
        var rs = s.executeQuery(sql)) {
      while (rs.next()) {
        rows.put(rs.getLong(1), rs.getObject(2, type));
      }
    } catch (java.sql.SQLException e) {
      throw new DemoException(
          "Cannot read the tables for the consistency check (" + DemoException.rootMessage(e) + ")",
          "check that the database is still up");
    }
    return rows;
  }

  private void writeReport(Results results) {
    try {
      HtmlReport.write(results, report);
      out.println("Report:   " + report.toAbsolutePath().normalize());
    } catch (IOException e) {
      throw new DemoException(
          "Cannot write the report to " + report + " (" + DemoException.rootMessage(e) + ")",
          "pass --report with a writable path");
    }
  }

  /** The live line: rewritten in place on a terminal, a line every 2 s otherwise (logs, pipes). */
  private final class Progress {
    private Timeline.Sample previous;
    private int shown;

    synchronized void show(Timeline.Sample s) {
      double dt = previous == null ? s.seconds() : s.seconds() - previous.seconds();
      long ops = previous == null ? s.operations() : s.operations() - previous.operations();
      previous = s;
      String line =
          String.format(
              Locale.ROOT,
              "%6.1f s  %-8s %,9.0f ops/s | queue %,7d | rows written: prices %,9d,"
                  + " views %,8d | errors %d",
              s.seconds(),
              s.loading() ? "load" : "draining",
              dt <= 0 ? 0 : ops / dt,
              Math.max(0, s.queueDepth()),
              s.priceRows(),
              s.viewRows(),
              s.errors());
      if (console) {
        out.print("\r" + line);
        out.flush();
      } else if (shown++ % 8 == 0 || !s.loading()) {
        out.println(line);
      }
    }

    synchronized void end() {
      if (console) {
        out.println();
      }
    }
  }
}
