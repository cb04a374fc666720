package dev.cascade.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * When a lane sends one call at a time (Redis is queueing: gather the changes behind it) and when
 * several (Redis answers as fast as the network allows: nothing should wait).
 */
class CallsInFlightTest {

  private static final long MICRO = 1_000;

  @Test
  void nothingAnsweredYet_sendsWide() {
    assertEquals(CallsInFlight.WIDE, new CallsInFlight().limit());
  }

  @Test
  void aFarRedisAnsweringSteadily_sendsWide() {
    CallsInFlight calls = new CallsInFlight();
    for (int i = 0; i < 3 * CallsInFlight.WINDOW; i++) {
      calls.answeredAfter((500 + i % 7 * 20) * MICRO); // a 500 µs network, a little jitter
      assertEquals(CallsInFlight.WIDE, calls.limit(), "after call " + i);
    }
  }

  @Test
  void answersSlowingFarBeyondTheFastest_sendOneAtATime_untilTheyAreFastAgain() {
    CallsInFlight calls = new CallsInFlight();
    answer(calls, 50, 60);
    answer(calls, 50, 400); // Redis busy: calls wait in its queue
    assertEquals(1, calls.limit(), "queueing");
    answer(calls, 50, 70);
    assertEquals(CallsInFlight.WIDE, calls.limit(), "answered fast again");
  }

  @Test
  void nearTheLine_itDoesNotSwitchOnEveryCall() {
    CallsInFlight calls = new CallsInFlight();
    answer(calls, 50, 100);
    answer(calls, 50, 300);
    assertEquals(1, calls.limit(), "queueing");
    for (int i = 0; i < 200; i++) {
      calls.answeredAfter((i % 2 == 0 ? 170 : 210) * MICRO); // around 1.9x the floor
      assertEquals(1, calls.limit(), "between 1.5x and 2x the floor, after call " + i);
    }
  }

  @Test
  void oneCallThatTookATimeout_passesWithinAHundredCalls() {
    CallsInFlight calls = new CallsInFlight();
    answer(calls, 50, 100);
    calls.answeredAfter(10_000_000 * MICRO); // ten seconds
    assertEquals(1, calls.limit());
    int after = 0;
    while (calls.limit() == 1 && after < 1_000) {
      calls.answeredAfter(100 * MICRO);
      after++;
    }
    assertTrue(after < 100, after + " calls");
  }

  @Test
  void theFloorOfThePreviousWindowStillCounts() {
    CallsInFlight calls = new CallsInFlight();
    calls.answeredAfter(50 * MICRO);
    // the window turns: 50 µs is the previous one's fastest
    answer(calls, CallsInFlight.WINDOW + 9, 400);
    assertEquals(1, calls.limit());
  }

  @Test
  void aNetworkThatGotSlower_becomesTheNewFloorWithinTwoWindows() {
    CallsInFlight calls = new CallsInFlight();
    answer(calls, 100, 60);
    answer(calls, 2 * CallsInFlight.WINDOW, 600); // now ten times as far, steadily
    assertEquals(CallsInFlight.WIDE, calls.limit());
  }

  /** {@code n} calls of the lane, each answered {@code micros} after it was sent. */
  private static void answer(CallsInFlight calls, int n, long micros) {
    for (int i = 0; i < n; i++) {
      calls.answeredAfter(micros * MICRO);
    }
  }
}
