package dev.cascade.hostile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the gadget chains of {@link Chains} run instead of a command: a count, and a file created in
 * a temporary directory, the two things a test can check afterwards. A chain that reached here
 * could as well have run {@code Runtime.exec}.
 */
public final class SideEffects {

  private static final AtomicInteger FIRED = new AtomicInteger();
  private static final Path DIRECTORY;

  static {
    try {
      DIRECTORY = Files.createTempDirectory("cascade-gadget-");
      DIRECTORY.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private SideEffects() {}

  /** Called by a chain through reflection ({@code InvokerTransformer}) or a getter. */
  public static void fire() {
    FIRED.incrementAndGet();
    try {
      Path marker = DIRECTORY.resolve("fired-" + System.nanoTime());
      Files.createFile(marker);
      marker.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static int count() {
    return FIRED.get();
  }

  /** Files created by {@link #fire()} so far. */
  public static long files() {
    try (var list = Files.list(DIRECTORY)) {
      return list.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
