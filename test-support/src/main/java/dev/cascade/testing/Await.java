package dev.cascade.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

/**
 * Bounded waiting for tests: polls a condition until it holds, and fails the test with what was
 * awaited when it does not within {@link #TIMEOUT}. For conditions a test asserts (a near cache
 * that must see an invalidation, a flusher that must dead-letter a record); fixtures wait through
 * their own {@code Waiting}, whose failures are fixture errors.
 */
public final class Await {

  /** Long enough for a failover or a topology refresh on a loaded two-core machine. */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Await() {}

  /**
   * Polls {@code condition} every 10 ms until it returns true.
   *
   * @param what what is awaited, for the failure message ("k is served near")
   * @throws AssertionError if {@link #TIMEOUT} passes first, or the thread is interrupted
   */
  public static void until(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline >= 0) {
        throw new AssertionError(
            "timed out after " + TIMEOUT.toSeconds() + " s waiting until " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting until " + what, e);
      }
    }
  }

  /**
   * Waits for {@code latch} as code deaf to interrupts would (a driver stuck in a socket read, a
   * step that must not be cut short): an interrupt meanwhile does not end the wait, and stays set
   * for what the thread does next.
   */
  public static void throughInterrupts(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
