package dev.cascade.testing;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Kills every child process this JVM started (redis-server, child JVMs) and deletes their scratch
 * directories when the JVM exits, so a test JVM that exits abruptly (System.exit, SIGTERM from a
 * build timeout) leaves nothing running. A SIGKILLed JVM runs no hooks; nothing can help there.
 *
 * <p>Thread-safe: registration is a concurrent set; the hook is installed once, lazily.
 */
final class ProcessReaper {

  private static final Set<Process> PROCESSES = ConcurrentHashMap.newKeySet();
  private static final Set<Path> DIRECTORIES = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(ProcessReaper::reapAll, "cascade-process-reaper"));
  }

  private ProcessReaper() {}

  static void register(Process process) {
    PROCESSES.add(process);
    // forget it once it exits by itself, so the set does not grow over a long test run
    process.onExit().thenRun(() -> PROCESSES.remove(process));
  }

  /** Deleted at JVM exit unless {@link #deleteNow(Path)} already did it. */
  static void registerDirectory(Path dir) {
    DIRECTORIES.add(dir);
  }

  /**
   * Sends SIGKILL (what {@code destroyForcibly} does on Linux) and waits a bounded time for the
   * exit.
   */
  static boolean kill(Process process) {
    process.destroyForcibly();
    try {
      return process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      PROCESSES.remove(process);
    }
  }

  static void deleteNow(Path dir) {
    deleteRecursively(dir);
    DIRECTORIES.remove(dir);
  }

  private static void reapAll() {
    List<Process> running = new ArrayList<>(PROCESSES);
    running.forEach(Process::destroyForcibly);
    for (Process p : running) {
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        return;
      }
    }
    DIRECTORIES.forEach(ProcessReaper::deleteRecursively);
  }

  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
              // a file removed under us (redis rewriting its AOF) is no reason to stop
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
              Files.deleteIfExists(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (NoSuchFileException ignored) {
      // already gone
    } catch (IOException e) {
      // a left-over temp directory must not fail a test; it is only disk space
    }
  }
}
