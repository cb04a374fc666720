package dev.cascade.bench;

import dev.cascade.testing.RedisServer;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The harness: starts one private redis-server, runs every benchmark against it (each in its own
 * JMH fork, the server flushed at the start of each), prints the ratio table and the
 * commands-per-call counts, then the write-behind part against the database (put latency, flush
 * rate, coalescing), and writes everything under the output folder.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar [quick|full] [--only REGEX] [--out DIR] [--no-counts]
 *                                            [--write-behind | --no-write-behind]
 * java -jar benchmarks/target/benchmarks.jar report DIR      (reprints the tables of an earlier run)
 * java -jar benchmarks/target/benchmarks.jar memory [...]   (Redis memory per entry, see MemoryBench)
 * java -jar benchmarks/target/benchmarks.jar scale [...]    (how cost grows with the work, see ScaleBench)
 * java -jar benchmarks/target/benchmarks.jar near [...]     (near hit vs remote get, standalone and cluster, see NearBench)
 * </pre>
 *
 * {@code --only} is a JMH include pattern over every JMH benchmark, of both parts; {@code
 * --write-behind} runs only the write-behind part, {@code --no-write-behind} skips it, {@code
 * --wb-parts} picks some of its three measurements ({@code latency,flush,coalescing}).
 *
 * <p>Files in DIR: {@code jmh-result.json} (JMH's {@code -rf json}), {@code jmh-output.txt} (JMH's
 * own log of every iteration), {@code report.txt} (what this prints); for the write-behind part
 * {@code wb-latency.json} (JMH), {@code wb-details.tsv} (what the latency forks counted, every
 * flush drain with its writer-call timeline, the coalescing counts), {@code wb-header.txt}, and
 * JMH's log in {@code wb-jmh-output.txt}. A run first deletes what an earlier run left there, so
 * the folder is always one run.
 */
public final class BenchMain {

  /**
   * Flush warm-up rounds; 0 (the default) lets {@link FlushRate#warmupsFor} choose by the systems
   * compared. {@code -Dcascade.bench.flush.warmups=N} sets a number.
   */
  static final int FLUSH_WARMUPS = Integer.getInteger("cascade.bench.flush.warmups", 0);

  /** A JMH profile: how long each benchmark warms up and is measured. */
  enum Profile {
    /**
     * About eleven minutes on 2 cores, half of it fork start-up: enough to see ratios, not small
     * differences. Write-behind: latency 1 x 3 s warm-up and 3 x 3 s per mode and thread count,
     * flush 2 or more warm-up rounds and 3 measured rounds (a drain of every system each).
     */
    QUICK(1, 1, 2, 2, 2, new WriteBehindProfile(1, 3, 3, 3, FLUSH_WARMUPS, 3)),
    /** About twenty-five minutes: for numbers worth quoting. */
    FULL(1, 3, 3, 5, 3, new WriteBehindProfile(2, 5, 5, 5, FLUSH_WARMUPS, 7));

    final int forks;
    final int warmupIterations;
    final int warmupSeconds;
    final int iterations;
    final int iterationSeconds;
    final WriteBehindProfile writeBehind;

    Profile(
        int forks,
        int warmupIterations,
        int warmupSeconds,
        int iterations,
        int iterationSeconds,
        WriteBehindProfile writeBehind) {
      this.forks = forks;
      this.warmupIterations = warmupIterations;
      this.warmupSeconds = warmupSeconds;
      this.iterations = iterations;
      this.iterationSeconds = iterationSeconds;
      this.writeBehind = writeBehind;
    }

    String jmhArguments() {
      return String.format(
          Locale.ROOT,
          "-f %d -wi %d -w %ds -i %d -r %ds",
          forks,
          warmupIterations,
          warmupSeconds,
          iterations,
          iterationSeconds);
    }
  }

  /**
   * How long the write-behind measurements run: the latency benchmarks by time (JMH SampleTime),
   * the flush rate by rounds (each round drains once per system, see {@link FlushRate}).
   */
  record WriteBehindProfile(
      int latencyWarmups,
      int latencyWarmupSeconds,
      int latencyIterations,
      int latencyIterationSeconds,
      int flushWarmups,
      int flushRounds) {

    String latencyArguments() {
      return String.format(
          Locale.ROOT,
          "-f 1 -wi %d -w %ds -i %d -r %ds (SampleTime)",
          latencyWarmups,
          latencyWarmupSeconds,
          latencyIterations,
          latencyIterationSeconds);
    }

    String flushArguments() {
      return String.format(
          Locale.ROOT,
          "%d warm-up rounds, %d measured rounds of %s",
          flushWarmups > 0 ? flushWarmups : FlushRate.warmupsFor(FlushRate.SYSTEMS),
          flushRounds,
          String.join(", ", FlushRate.SYSTEMS));
    }
  }

  /** The write-behind measurements, selectable with {@code --wb-parts}. */
  static final List<String> WB_PARTS = List.of("latency", "flush", "coalescing");

  /** JMH classes of the write-behind part (everything else is the cache part). */
  private static final String WB_LATENCY = "\\.WriteBehindLatencyBench\\.";

  private static final String CACHE_PART = "\\.(Cascade|Lettuce|Redisson)Bench\\.";

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    Profile profile = Profile.QUICK;
    String only = "dev\\.cascade\\.bench\\..*";
    Path out = Path.of("bench-results");
    boolean counts = true;
    boolean cachePart = true;
    boolean writeBehindPart = true;
    List<String> wbParts = WB_PARTS;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "quick":
          profile = Profile.QUICK;
          break;
        case "full":
          profile = Profile.FULL;
          break;
        case "--only":
          only = args[++i];
          break;
        case "--out":
          out = Path.of(args[++i]);
          break;
        case "--no-counts":
          counts = false;
          break;
        case "--write-behind":
          cachePart = false;
          writeBehindPart = true;
          break;
        case "--no-write-behind":
          writeBehindPart = false;
          break;
        case "--wb-parts":
          wbParts = List.of(args[++i].split(","));
          if (!WB_PARTS.containsAll(wbParts)) {
            System.err.println(
                "--wb-parts takes some of " + String.join(",", WB_PARTS) + ", not " + args[i]);
            System.exit(2);
          }
          break;
        case "report":
          report(Path.of(args[++i]));
          return;
        case "memory":
          MemoryBench.main(java.util.Arrays.copyOfRange(args, i + 1, args.length));
          System.exit(0);
          return;
        case "near":
          NearBench.main(java.util.Arrays.copyOfRange(args, i + 1, args.length));
          System.exit(0);
          return;
        case "scale":
          ScaleBench.main(java.util.Arrays.copyOfRange(args, i + 1, args.length));
          System.exit(0);
          return;
        default:
          System.err.println(
              "usage: [quick|full] [--only REGEX] [--out DIR] [--no-counts]"
                  + " [--write-behind | --no-write-behind] [--wb-parts latency,flush,coalescing] | report DIR"
                  + " | memory [--entries N] [--sizes 100,1024] [--servers default,embedded]"
                  + " [--listpack-values default,1024]"
                  + " | scale [--parts bulk,entries,drain] [--repeats 3] [--entries N] [--backlogs ...]"
                  + " | near [--seconds 2] [--rounds 3] [--keys 1000] [--topologies standalone,cluster]");
          System.exit(2);
      }
    }
    if (!cachePart && !writeBehindPart) {
      System.err.println("--write-behind and --no-write-behind together leave nothing to run");
      System.exit(2);
    }
    Files.createDirectories(out);
    clean(out);
    run(profile, only, out, cachePart, cachePart && counts, writeBehindPart ? wbParts : List.of());
    // a client stuck in a call that never returned (see Watchdog) must not keep the JVM alive
    System.exit(0);
  }

  private static void run(
      Profile profile,
      String only,
      Path out,
      boolean cachePart,
      boolean counts,
      List<String> wbParts)
      throws Exception {
    try (RedisServer server = RedisServer.start();
        PrintStream report = tee(out.resolve("report.txt"))) {
      List<String> machine = Machine.describe(server);
      Files.write(out.resolve("machine.txt"), machine, StandardCharsets.UTF_8);
      machine.forEach(System.out::println);
      System.out.println(
          "profile:  "
              + profile.name().toLowerCase(Locale.ROOT)
              + " ("
              + profile.jmhArguments()
              + "), JMH log in "
              + out.resolve("jmh-output.txt"));
      System.out.println();

      if (cachePart) {
        runCachePart(profile, only, out, server, report, counts, machine);
      }
      if (!wbParts.isEmpty()) {
        runWriteBehindPart(
            profile, only, out, server, report, wbParts, cachePart ? List.of() : machine);
      }
      report.println("Written to " + out.toAbsolutePath());
    }
  }

  private static void runCachePart(
      Profile profile,
      String only,
      Path out,
      RedisServer server,
      PrintStream report,
      boolean counts,
      List<String> machine)
      throws Exception {
    Path json = out.resolve("jmh-result.json");
    if (!anyBenchmark(only, CACHE_PART)) {
      System.out.println("[cache] no benchmark matches " + only);
    } else {
      ChainedOptionsBuilder options =
          new OptionsBuilder()
              .include(only)
              .exclude(notIn(CACHE_PART))
              .forks(profile.forks)
              .warmupIterations(profile.warmupIterations)
              .warmupTime(TimeValue.seconds(profile.warmupSeconds))
              .measurementIterations(profile.iterations)
              .measurementTime(TimeValue.seconds(profile.iterationSeconds))
              .timeout(TimeValue.seconds(60))
              .jvmArgsAppend("-Xms1g", "-Xmx1g", "-D" + BenchServer.PROPERTY + "=" + server.uri())
              .resultFormat(ResultFormatType.JSON)
              .result(json.toString());
      runJmh(options, out.resolve("jmh-output.txt"));

      report.println();
      machine.forEach(report::println);
      report.println(
          "profile:  "
              + profile.name().toLowerCase(Locale.ROOT)
              + " ("
              + profile.jmhArguments()
              + ")");
      report.println("load:     " + Machine.loadAverage() + " (after JMH)");
      report.println();
      Report.read(json).print(report);
    }

    if (counts) {
      List<RoundTrips.Row> rows = new RoundTrips(server, System.out).measure();
      report.println();
      RoundTrips.print(rows, report);
      report.println();
    }
  }

  /**
   * Put latency as JMH benchmarks in forks (each given the server, this run's id for its table
   * names, and the details file), then the flush rate and the coalescing counts in this JVM; then
   * every table of this run that is still there is dropped, and the part's report printed.
   */
  private static void runWriteBehindPart(
      Profile profile,
      String only,
      Path out,
      RedisServer server,
      PrintStream report,
      List<String> parts,
      List<String> machine)
      throws Exception {
    WriteBehindProfile wb = profile.writeBehind;
    String run = BenchDatabase.run();
    Path details = out.resolve(WriteBehindReport.DETAILS).toAbsolutePath();
    List<String> header = new ArrayList<>();
    long started = System.nanoTime();
    String loadBefore = Machine.loadAverage();
    try (BenchDatabase db = BenchDatabase.open()) {
      header.add("database: " + db.describe());
      System.out.println("[wb] database: " + db.describe());
    }
    if (parts.contains("latency") && anyBenchmark(only, WB_LATENCY)) {
      runJmh(
          new OptionsBuilder()
              .include(only)
              .exclude(notIn(WB_LATENCY))
              .forks(1)
              .warmupIterations(wb.latencyWarmups())
              .warmupTime(TimeValue.seconds(wb.latencyWarmupSeconds()))
              .measurementIterations(wb.latencyIterations())
              .measurementTime(TimeValue.seconds(wb.latencyIterationSeconds()))
              .timeout(TimeValue.seconds(60))
              .jvmArgsAppend(
                  "-Xms1g",
                  "-Xmx1g",
                  "-D" + BenchServer.PROPERTY + "=" + server.uri(),
                  "-D" + BenchDatabase.RUN_PROPERTY + "=" + run,
                  "-D" + Details.PROPERTY + "=" + details)
              .resultFormat(ResultFormatType.JSON)
              .result(out.resolve(WriteBehindReport.LATENCY_JSON).toString()),
          out.resolve("wb-jmh-output.txt"));
      header.add("latency:  " + wb.latencyArguments());
    }
    if (parts.contains("flush")) {
      FlushRate.measure(server.uri(), details, wb.flushWarmups(), wb.flushRounds(), System.out);
      header.add("flush:    " + wb.flushArguments() + ", in the harness JVM");
    }
    if (parts.contains("coalescing")) {
      Coalescing.measure(server.uri(), details, System.out);
      header.add("coalescing: " + Coalescing.UPDATES + " puts per setting, in the harness JVM");
    }
    try (BenchDatabase db = BenchDatabase.open()) {
      int left = db.dropTablesOfRun(run);
      if (left > 0) {
        header.add("dropped " + left + " tables a fork had left behind (wbb_" + run + "_*)");
      }
    }
    header.add(
        String.format(
            Locale.ROOT,
            "took:     %.1f minutes; load %s before, %s after (1/5/15 min)",
            (System.nanoTime() - started) / 60e9,
            loadBefore,
            Machine.loadAverage()));
    Files.write(out.resolve(WriteBehindReport.HEADER), header, StandardCharsets.UTF_8);
    report.println();
    machine.forEach(report::println);
    new WriteBehindReport(out).print(report);
  }

  /** Runs JMH with its full log in {@code logFile}, one line per benchmark on the console. */
  private static void runJmh(ChainedOptionsBuilder options, Path logFile) throws Exception {
    try (PrintStream jmhLog =
        new PrintStream(new FileOutputStream(logFile.toFile()), true, StandardCharsets.UTF_8)) {
      runJmh(options, jmhLog);
    }
  }

  private static void runJmh(ChainedOptionsBuilder options, PrintStream jmhLog) throws Exception {
    new Runner(
            options.build(),
            progress(OutputFormatFactory.createFormatInstance(jmhLog, VerboseMode.NORMAL)))
        .run();
  }

  /** An exclude pattern: every benchmark whose name does not contain {@code part}. */
  private static String notIn(String part) {
    return "^(?!.*" + part + ")";
  }

  /** Whether {@code only} selects any benchmark of {@code part}. */
  private static boolean anyBenchmark(String only, String part) {
    OutputFormat silent =
        OutputFormatFactory.createFormatInstance(
            new PrintStream(OutputStream.nullOutputStream()), VerboseMode.SILENT);
    return !BenchmarkList.defaultList().find(silent, List.of(only), List.of(notIn(part))).isEmpty();
  }

  /** Deletes what an earlier run left in {@code out}, so the folder always holds one run. */
  private static void clean(Path out) throws IOException {
    for (String f :
        List.of(
            "report.txt",
            "machine.txt",
            "jmh-result.json",
            "jmh-output.txt",
            WriteBehindReport.LATENCY_JSON,
            WriteBehindReport.DETAILS,
            WriteBehindReport.HEADER,
            "wb-jmh-output.txt")) {
      Files.deleteIfExists(out.resolve(f));
    }
  }

  private static void report(Path dir) throws IOException {
    Path machine = dir.resolve("machine.txt");
    if (Files.exists(machine)) {
      Files.readAllLines(machine).forEach(System.out::println);
      System.out.println();
    }
    if (Files.exists(dir.resolve("jmh-result.json"))) {
      Report.read(dir.resolve("jmh-result.json")).print(System.out);
    }
    if (WriteBehindReport.present(dir)) {
      new WriteBehindReport(dir).print(System.out);
    }
  }

  /** JMH's full log goes to a file; the console gets one line per benchmark. */
  private static OutputFormat progress(OutputFormat log) {
    int[] done = {0};
    return (OutputFormat)
        Proxy.newProxyInstance(
            OutputFormat.class.getClassLoader(),
            new Class<?>[] {OutputFormat.class},
            (proxy, method, margs) -> {
              if (method.getName().equals("startBenchmark")) {
                BenchmarkParams p = (BenchmarkParams) margs[0];
                System.out.printf(Locale.ROOT, "[%2d] %-45s", ++done[0], shortName(p));
                System.out.flush();
              } else if (method.getName().equals("endBenchmark")) {
                BenchmarkResult r = (BenchmarkResult) margs[0];
                System.out.println(
                    r == null || r.getPrimaryResult() == null
                        ? " failed, see the JMH log"
                        : String.format(
                            Locale.ROOT,
                            " %,12.0f %s",
                            r.getPrimaryResult().getScore(),
                            r.getPrimaryResult().getScoreUnit()));
              }
              try {
                return method.invoke(log, margs);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  private static String shortName(BenchmarkParams p) {
    StringBuilder name = new StringBuilder(p.getBenchmark().replace("dev.cascade.bench.", ""));
    for (String key : p.getParamsKeys()) {
      name.append(' ').append(p.getParam(key));
    }
    return name.toString();
  }

  /** A stream that writes to the console and to {@code file}. */
  private static PrintStream tee(Path file) throws IOException {
    OutputStream fileOut = Files.newOutputStream(file);
    PrintStream console = System.out;
    return new PrintStream(
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            console.write(b);
            fileOut.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            console.write(b, off, len);
            fileOut.write(b, off, len);
          }

          @Override
          public void flush() throws IOException {
            console.flush();
            fileOut.flush();
          }

          @Override
          public void close() throws IOException {
            flush();
            fileOut.close();
          }
        },
        true,
        StandardCharsets.UTF_8);
  }
}
