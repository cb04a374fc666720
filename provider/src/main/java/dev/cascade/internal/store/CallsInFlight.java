package dev.cascade.internal.store;

/**
 * How many calls of a {@link LoggedChanges} lane may be on the wire at once: one while Redis is
 * busy, so that the changes behind it gather into the next call and Redis pays a script's fixed
 * cost once for all of them; {@value #WIDE} while Redis answers as fast as the network allows, so
 * that no change waits for a round trip it does not need.
 *
 * <p>Why it has to choose: a change that waits for the call ahead of it waits for that call's whole
 * round trip. When Redis is far away rather than busy, that only costs: with one call in flight,
 * threads split into two groups taking turns, half the throughput of sending each change at once.
 * When Redis is busy, its time per call sets the throughput, and gathering is what lowers it.
 *
 * <p>The signal is queueing: a busy Redis answers calls later than its fastest recent answer. A
 * lane keeps the fastest round trip of its recent answered calls (the floor: the network and the
 * script alone) and a smoothed round trip. Once the smoothed one is over twice the floor, Redis is
 * queueing and one call goes at a time, until it is back under one and a half times the floor (the
 * gap keeps a lane near the line from switching on every call). The floor is the lower of the
 * fastest answer in the current and in the previous {@value #WINDOW} calls, so it follows a network
 * that got slower. Round trips are timed from before the call is handed to Lettuce, so a pause of
 * the sending thread can only lengthen one, never shorten it below the floor. Thread-safe.
 */
final class CallsInFlight {

  /**
   * Calls on the wire at once while Redis is not queueing. Up to that many threads never wait for
   * one another; more wait at most until a call ends. Measured against a Redis 2-3 ms away ({@code
   * CostProbe --delay-us 1000}), four cost 16 threads 9-21% of their listened puts and up to 10% of
   * their invokes, one 44-46% and 24-28%, sixteen nothing beyond the runs' spread.
   */
  static final int WIDE = 16;

  /** Calls per window of the floor's running minimum. */
  static final int WINDOW = 512;

  private long previousFastest = Long.MAX_VALUE;
  private long fastest = Long.MAX_VALUE;
  private int calls;
  private long smoothed = -1;
  private boolean queueing;

  /** A call of the lane was answered {@code nanos} after it was sent (failed calls say nothing). */
  synchronized void answeredAfter(long nanos) {
    fastest = Math.min(fastest, nanos);
    if (++calls == WINDOW) {
      previousFastest = fastest;
      fastest = Long.MAX_VALUE;
      calls = 0;
    }
    smoothed = smoothed < 0 ? nanos : smoothed + (nanos - smoothed) / 8;
    long floor = Math.min(previousFastest, fastest);
    queueing = queueing ? 2 * smoothed > 3 * floor : smoothed > 2 * floor;
  }

  /** How many calls may be on the wire now. */
  synchronized int limit() {
    return queueing ? 1 : WIDE;
  }
}
