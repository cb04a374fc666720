package dev.cascade.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * Bounded polling: every wait in this package goes through here, so none can hang a build.
 * Stateless; safe to use from any thread.
 */
final class Waiting {

  static final Duration POLL = Duration.ofMillis(50);

  private Waiting() {}

  /**
   * Polls {@code condition} until it returns {@code true} or {@code timeout} passes. An exception
   * thrown by the condition counts as "not yet" (a server that is still starting refuses
   * connections), and the last one is attached to the failure; except a {@link FixtureException},
   * which means "this will never happen" (the process died) and ends the wait at once.
   *
   * @param what what is awaited, for the failure message ("redis-server on port 1234 to answer
   *     PING")
   * @param detail extra text for the failure message, computed only on failure (e.g. a log tail)
   * @throws FixtureException if the deadline passes first
   */
  static void until(
      String what, Duration timeout, Callable<Boolean> condition, Supplier<String> detail) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (true) {
      try {
        if (Boolean.TRUE.equals(condition.call())) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new FixtureException("interrupted while waiting for " + what, e);
      } catch (FixtureException e) {
        throw e;
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() - deadline >= 0) {
        String because = last == null ? "" : " (last error: " + last + ")";
        String more = detail == null ? "" : detail.get();
        throw new FixtureException(
            "timed out after "
                + timeout.toMillis()
                + " ms waiting for "
                + what
                + because
                + (more.isEmpty() ? "" : "\n" + more),
            last);
      }
      sleep(POLL);
    }
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FixtureException("interrupted", e);
    }
  }
}
