package dev.cascade.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * CPU time of the processes that share the machine during a flush: this JVM (and how much of it its
 * JIT compilers took), and the database server when it runs here. On a machine of few cores a
 * drain's rate depends on what all of them spend per row, not only on what Redis spends; and a JVM
 * still compiling competes with all of them.
 */
final class ProcessCpu {

  /** Linux's clock ticks per second in /proc/[pid]/stat ({@code getconf CLK_TCK}). */
  private static final long TICKS_PER_SECOND = 100;

  private ProcessCpu() {}

  /** CPU time of this JVM so far, µs; -1 if the JVM cannot tell. */
  static long jvmMicros() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      long nanos = os.getProcessCpuTime();
      return nanos < 0 ? -1 : nanos / 1000;
    }
    return -1;
  }

  /**
   * CPU time so far of this JVM's live JIT compiler threads (HotSpot's "C1/C2 CompilerThread"), µs,
   * at 10 ms resolution; -1 off Linux. They are invisible to {@code ThreadMXBean}. HotSpot retires
   * idle compiler threads, and their time with them: a difference of two readings is a lower bound
   * (the report shows it as at least 0).
   */
  static long compilerMicros() {
    return ticksOf(Path.of("/proc/self/task"), comm -> comm.contains("CompilerThre"));
  }

  /**
   * CPU time so far of this JVM's live threads whose name starts with one of {@code prefixes}
   * (Linux keeps the first 15 characters: {@code cascade-flusher}, {@code cascade-writer-}, {@code
   * lettuce-nioEven}; G1's {@code GC Thread#0}, {@code G1 Conc#0}, {@code G1 Refine#0}), µs, at 10
   * ms resolution; -1 off Linux or when none runs. Threads that end between two readings take their
   * time with them: read around work whose threads outlive it.
   */
  static long threadsMicros(String... prefixes) {
    return ticksOf(
        Path.of("/proc/self/task"),
        comm -> {
          for (String prefix : prefixes) {
            if (comm.startsWith(prefix)) {
              return true;
            }
          }
          return false;
        });
  }

  /**
   * CPU time so far of the MariaDB or MySQL server on this machine (all such processes), µs, at 10
   * ms resolution; -1 if none runs here (a remote database) or /proc cannot be read.
   */
  static long databaseMicros() {
    return ticksOf(Path.of("/proc"), comm -> comm.equals("mariadbd") || comm.equals("mysqld"));
  }

  /** utime + stime of the entries of {@code dir} (processes or threads) whose name matches. */
  private static long ticksOf(Path dir, Predicate<String> name) {
    long ticks = 0;
    boolean found = false;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "[0-9]*")) {
      for (Path p : entries) {
        try {
          if (!name.test(Files.readString(p.resolve("comm")).trim())) {
            continue;
          }
          String stat = Files.readString(p.resolve("stat"));
          // the fields after the name, which is in parentheses and may hold spaces
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
          found = true;
        } catch (IOException | RuntimeException gone) {
          // ended while we looked, or not ours to read: not what we count
        }
      }
    } catch (IOException | RuntimeException noProc) {
      return -1;
    }
    return found ? ticks * 1_000_000 / TICKS_PER_SECOND : -1;
  }
}
