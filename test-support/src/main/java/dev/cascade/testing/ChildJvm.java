package dev.cascade.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM running a main class from the test class path, for tests where another process
 * shares a cache (events across JVMs, write-behind flushers that die mid-batch). It uses the same
 * {@code java} binary and {@code java.class.path} as the test JVM; its stdout and stderr go to a
 * log file that tests can wait on.
 *
 * <pre>{@code
 * try (ChildJvm child = ChildJvm.builder(FlusherMain.class)
 *         .systemProperty("cascade.redis.uri", redis.uri())
 *         .start()) {
 *     child.awaitOutputLine("flusher started", Duration.ofSeconds(20));
 *     child.kill(); // SIGKILL: no shutdown hook, no finally block runs in the child
 * }
 * }</pre>
 *
 * <p>Registered with a JVM shutdown hook that kills it. Thread-safe: the state is the {@link
 * Process}, which is.
 */
public final class ChildJvm implements AutoCloseable {

  private final String description;
  private final Process process;
  private final Path log;

  private ChildJvm(String description, Process process, Path log) {
    this.description = description;
    this.process = process;
    this.log = log;
  }

  public static Builder builder(Class<?> mainClass) {
    return new Builder(mainClass.getName());
  }

  public static Builder builder(String mainClassName) {
    return new Builder(mainClassName);
  }

  /**
   * Waits until a line of the child's output contains {@code text}.
   *
   * @return the first such line
   * @throws FixtureException with the output's tail if the child exits first or the time runs out
   */
  public String awaitOutputLine(String text, Duration timeout) {
    String[] found = new String[1];
    Waiting.until(
        description + " to print a line containing '" + text + "'",
        timeout,
        () -> {
          // liveness first: a child that printed the line and then exited must still pass
          boolean exited = !process.isAlive();
          Optional<String> line = readLog().lines().filter(l -> l.contains(text)).findFirst();
          if (line.isPresent()) {
            found[0] = line.get();
            return true;
          }
          if (exited) {
            throw new FixtureException(
                description
                    + " exited with code "
                    + process.exitValue()
                    + " before printing '"
                    + text
                    + "'; last output:\n"
                    + outputTail(30));
          }
          return false;
        },
        () -> "last output:\n" + outputTail(30));
    return found[0];
  }

  /**
   * SIGKILL (what {@code destroyForcibly} sends on Linux), then waits a bounded time for the exit.
   */
  public void kill() {
    if (process.isAlive() && !ProcessReaper.kill(process)) {
      throw new FixtureException(description + " did not exit within 10 s of SIGKILL");
    }
  }

  /** Waits up to {@code timeout} for the child to exit by itself; true if it did. */
  public boolean waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FixtureException("interrupted while waiting for " + description, e);
    }
  }

  /** The exit code; 137 after {@link #kill()} (128 + SIGKILL). */
  public int exitCode() {
    if (process.isAlive()) {
      throw new IllegalStateException(description + " is still running");
    }
    return process.exitValue();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** The file that holds the child's stdout and stderr. */
  public Path logFile() {
    return log;
  }

  /** The last {@code lines} lines of the child's output. */
  public String outputTail(int lines) {
    List<String> all = readLog().lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /** Kills the child if it still runs; keeps the log file. */
  @Override
  public void close() {
    kill();
  }

  @Override
  public String toString() {
    return description;
  }

  private String readLog() {
    try {
      return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** How to start a {@link ChildJvm}; not thread-safe. */
  public static final class Builder {

    private final String mainClass;
    private final Map<String, String> systemProperties = new LinkedHashMap<>();
    private final List<String> jvmArgs = new ArrayList<>(List.of("-Xmx256m"));
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private Path logFile;

    private Builder(String mainClass) {
      this.mainClass = mainClass;
    }

    public Builder systemProperty(String name, String value) {
      systemProperties.put(name, value);
      return this;
    }

    /** A JVM option such as {@code -Xmx512m}; default only {@code -Xmx256m}. */
    public Builder jvmArg(String option) {
      jvmArgs.add(option);
      return this;
    }

    /** An environment variable of the child, such as {@code LD_PRELOAD}. */
    public Builder environment(String name, String value) {
      environment.put(name, value);
      return this;
    }

    /**
     * Runs the child with its wall clock {@code seconds} off (negative: behind), through
     * libfaketime (Debian's {@code faketime} package; scripts/provision.sh installs it). Its
     * monotonic clock is left alone. Fails naming the package when the library is missing.
     */
    public Builder clockOffsetSeconds(long seconds) {
      Path library = libfaketime();
      environment.put("LD_PRELOAD", library.toString());
      environment.put("FAKETIME", (seconds >= 0 ? "+" : "") + seconds + "s");
      environment.put("FAKETIME_DONT_FAKE_MONOTONIC", "1");
      return this;
    }

    /**
     * libfaketime's multithreaded build: {@code CASCADE_LIBFAKETIME} if set, else where Debian puts
     * it for this JVM's architecture ({@code /usr/lib/<arch>-linux-gnu/faketime/}), else {@code
     * /usr/lib/faketime/} (other distributions).
     */
    private static Path libfaketime() {
      String configured = System.getenv("CASCADE_LIBFAKETIME");
      List<Path> candidates = new ArrayList<>();
      if (configured != null && !configured.isBlank()) {
        candidates.add(Path.of(configured));
      } else {
        // the child is this JVM's architecture: a library of another one would not load
        String arch = System.getProperty("os.arch");
        String multiarch =
            switch (arch) {
              case "amd64", "x86_64" -> "x86_64";
              case "aarch64", "arm64" -> "aarch64";
              case "ppc64le" -> "powerpc64le";
              default -> arch;
            };
        candidates.add(Path.of("/usr/lib/" + multiarch + "-linux-gnu/faketime/libfaketimeMT.so.1"));
        candidates.add(Path.of("/usr/lib/faketime/libfaketimeMT.so.1"));
      }
      for (Path candidate : candidates) {
        if (Files.isReadable(candidate)) {
          return candidate;
        }
      }
      throw new FixtureException(
          "A child JVM with a shifted clock needs libfaketime (looked for "
              + candidates
              + "): install Debian's faketime package (apt-get install -y faketime;"
              + " scripts/provision.sh does it), or set CASCADE_LIBFAKETIME to the path of"
              + " libfaketimeMT.so.1");
    }

    /** Arguments for {@code main}. */
    public Builder args(String... arguments) {
      args.addAll(List.of(arguments));
      return this;
    }

    /**
     * Where stdout and stderr go; default a temp file named after the main class, deleted at JVM
     * exit.
     */
    public Builder logFile(Path file) {
      this.logFile = file;
      return this;
    }

    public ChildJvm start() {
      List<String> command = new ArrayList<>();
      command.add(javaBinary());
      command.addAll(jvmArgs);
      systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(mainClass);
      command.addAll(args);
      String simpleName = mainClass.substring(mainClass.lastIndexOf('.') + 1);
      try {
        Path log = logFile;
        if (log == null) {
          log = Files.createTempFile("cascade-child-" + simpleName + "-", ".log");
          log.toFile().deleteOnExit();
        }
        ProcessBuilder builder =
            new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        ProcessReaper.register(process);
        return new ChildJvm(
            "child JVM " + simpleName + " (pid " + process.pid() + ", log " + log + ")",
            process,
            log);
      } catch (IOException e) {
        throw new FixtureException(
            "cannot start a child JVM for " + mainClass + " with " + command.get(0), e);
      }
    }

    /** The running JVM's own executable, so the child gets the same Java version. */
    private static String javaBinary() {
      return ProcessHandle.current()
          .info()
          .command()
          .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
  }
}
