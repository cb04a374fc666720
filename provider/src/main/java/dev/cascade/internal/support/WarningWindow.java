package dev.cascade.internal.support;

import java.util.function.LongSupplier;

/**
 * At most one WARNING per period for one kind of trouble, and a count of the occurrences it did not
 * report. Trouble that can repeat thousands of times a second (forged messages, dropped events, a
 * stalled stripe) must tell the operator once, not fill the log. Thread-safe.
 */
public final class WarningWindow {

  private final long periodNanos;
  private final LongSupplier nanoTime;
  private boolean reported;
  private long reportedAt;
  private long unreported;

  public WarningWindow(long periodNanos, LongSupplier nanoTime) {
    this.periodNanos = periodNanos;
    this.nanoTime = nanoTime;
  }

  /**
   * One more occurrence.
   *
   * @return -1 when it is not to be logged (it is counted), else how many occurrences went
   *     unreported before it (for the warning's "and N more")
   */
  public synchronized long admit() {
    long now = nanoTime.getAsLong();
    if (reported && now - reportedAt < periodNanos) {
      unreported++;
      return -1;
    }
    long before = unreported;
    reported = true;
    reportedAt = now;
    unreported = 0;
    return before;
  }

  /** The occurrences not reported since the last warning, now reported by the caller. */
  public synchronized long takeUnreported() {
    long n = unreported;
    unreported = 0;
    return n;
  }
}
