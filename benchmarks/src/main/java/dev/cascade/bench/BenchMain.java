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
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.format.ResultFormatType;
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
 * commands-per-call counts, and writes everything under the output folder.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar [quick|full] [--only REGEX] [--out DIR] [--no-counts]
 * java -jar benchmarks/target/benchmarks.jar report DIR      (reprints the table of an earlier run)
 * </pre>
 *
 * Files in DIR: {@code jmh-result.json} (JMH's {@code -rf json}), {@code jmh-output.txt} (JMH's
 * own log of every iteration), {@code report.txt} (what this prints).
 */
public final class BenchMain {

  /** A JMH profile: how long each benchmark warms up and is measured. */
  enum Profile {
    /** About eleven minutes on 2 cores, half of it fork start-up: enough to see ratios, not small differences. */
    QUICK(1, 1, 2, 2, 2),
    /** About twenty-five minutes: for numbers worth quoting. */
    FULL(1, 3, 3, 5, 3);

    final int forks;
    final int warmupIterations;
    final int warmupSeconds;
    final int iterations;
    final int iterationSeconds;

    Profile(int forks, int warmupIterations, int warmupSeconds, int iterations, int iterationSeconds) {
      this.forks = forks;
      this.warmupIterations = warmupIterations;
      this.warmupSeconds = warmupSeconds;
      this.iterations = iterations;
      this.iterationSeconds = iterationSeconds;
    }

    String jmhArguments() {
      return String.format(Locale.ROOT, "-f %d -wi %d -w %ds -i %d -r %ds", forks, warmupIterations, warmupSeconds,
          iterations, iterationSeconds);
    }
  }

  private BenchMain() {
  }

  public static void main(String[] args) throws Exception {
    Profile profile = Profile.QUICK;
    String only = "dev\\.cascade\\.bench\\..*";
    Path out = Path.of("bench-results");
    boolean counts = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "quick": profile = Profile.QUICK; break;
        case "full": profile = Profile.FULL; break;
        case "--only": only = args[++i]; break;
        case "--out": out = Path.of(args[++i]); break;
        case "--no-counts": counts = false; break;
        case "report":
          report(Path.of(args[++i]));
          return;
        default:
          System.err.println("usage: [quick|full] [--only REGEX] [--out DIR] [--no-counts] | report DIR");
          System.exit(2);
      }
    }
    Files.createDirectories(out);
    run(profile, only, out, counts);
    // a client stuck in a call that never returned (see Watchdog) must not keep the JVM alive
    System.exit(0);
  }

  private static void run(Profile profile, String only, Path out, boolean counts) throws Exception {
    Path json = out.resolve("jmh-result.json");
    try (RedisServer server = RedisServer.start();
         PrintStream report = tee(out.resolve("report.txt"))) {
      List<String> machine = Machine.describe(server);
      Files.write(out.resolve("machine.txt"), machine, StandardCharsets.UTF_8);
      machine.forEach(System.out::println);
      System.out.println("profile:  " + profile.name().toLowerCase(Locale.ROOT) + " (" + profile.jmhArguments()
          + "), JMH log in " + out.resolve("jmh-output.txt"));
      System.out.println();

      ChainedOptionsBuilder options = new OptionsBuilder()
          .include(only)
          .forks(profile.forks)
          .warmupIterations(profile.warmupIterations)
          .warmupTime(TimeValue.seconds(profile.warmupSeconds))
          .measurementIterations(profile.iterations)
          .measurementTime(TimeValue.seconds(profile.iterationSeconds))
          .timeout(TimeValue.seconds(60))
          .jvmArgsAppend("-Xms1g", "-Xmx1g", "-D" + BenchServer.PROPERTY + "=" + server.uri())
          .resultFormat(ResultFormatType.JSON)
          .result(json.toString());
      try (PrintStream jmhLog = new PrintStream(new FileOutputStream(out.resolve("jmh-output.txt").toFile()), true,
          StandardCharsets.UTF_8)) {
        new Runner(options.build(), progress(OutputFormatFactory.createFormatInstance(jmhLog, VerboseMode.NORMAL)))
            .run();
      }

      report.println();
      machine.forEach(report::println);
      report.println("profile:  " + profile.name().toLowerCase(Locale.ROOT) + " (" + profile.jmhArguments() + ")");
      report.println("load:     " + Machine.loadAverage() + " (after JMH)");
      report.println();
      Report.read(json).print(report);

      if (counts) {
        List<RoundTrips.Row> rows = new RoundTrips(server, System.out).measure();
        report.println();
        RoundTrips.print(rows, report);
      }
      report.println("Written to " + out.toAbsolutePath());
    }
  }

  private static void report(Path dir) throws IOException {
    Path machine = dir.resolve("machine.txt");
    if (Files.exists(machine)) {
      Files.readAllLines(machine).forEach(System.out::println);
      System.out.println();
    }
    Report.read(dir.resolve("jmh-result.json")).print(System.out);
  }

  /** JMH's full log goes to a file; the console gets one line per benchmark. */
  private static OutputFormat progress(OutputFormat log) {
    int[] done = {0};
    return (OutputFormat) Proxy.newProxyInstance(OutputFormat.class.getClassLoader(), new Class<?>[] {OutputFormat.class},
        (proxy, method, margs) -> {
          if (method.getName().equals("startBenchmark")) {
            BenchmarkParams p = (BenchmarkParams) margs[0];
            System.out.printf(Locale.ROOT, "[%2d] %-45s", ++done[0], shortName(p.getBenchmark()));
            System.out.flush();
          } else if (method.getName().equals("endBenchmark")) {
            BenchmarkResult r = (BenchmarkResult) margs[0];
            System.out.println(r == null || r.getPrimaryResult() == null ? " failed, see the JMH log"
                : String.format(Locale.ROOT, " %,12.0f ops/s", r.getPrimaryResult().getScore()));
          }
          try {
            return method.invoke(log, margs);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private static String shortName(String benchmark) {
    return benchmark.replace("dev.cascade.bench.", "");
  }

  /** A stream that writes to the console and to {@code file}. */
  private static PrintStream tee(Path file) throws IOException {
    OutputStream fileOut = Files.newOutputStream(file);
    PrintStream console = System.out;
    return new PrintStream(new OutputStream() {
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
    }, true, StandardCharsets.UTF_8);
  }
}
