package dev.cascade.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailingChecksTest {

  private final AtomicLong now = new AtomicLong(1_000);
  private final FailingChecks checks =
      new FailingChecks(TimeUnit.SECONDS.toNanos(30), TimeUnit.MINUTES.toNanos(5), now::get);

  @Test
  void aShortOutage_saysNothing_andOneThatLasts_isSaidOncePerPeriod() {
    assertEquals(-1, checks.failed("a"));
    advanceSeconds(25);
    assertEquals(-1, checks.failed("a"), "25 s of failing is an outage like a failover");
    advanceSeconds(10);
    assertEquals(35, checks.failed("a"), "35 s is said, with how long");
    advanceSeconds(5);
    assertEquals(-1, checks.failed("a"), "not again within the period");
    assertEquals(-1, checks.failed("b"), "b only starts failing");
    advanceSeconds(300);
    assertEquals(340, checks.failed("a"), "said again after the period");
    assertEquals(-1, checks.failed("b"), "one warning per period for all caches together");
  }

  @Test
  void theCount_startsAtTheLastSuccess_notAtTheFirstFailure() {
    checks.succeeded("a");
    advanceSeconds(35); // a check against an unreachable Redis fails only after its timeout
    assertEquals(35, checks.failed("a"), "35 s without a success, at the first failure");
  }

  @Test
  void aSuccess_startsTheCountAgain_andAForgottenCacheStartsAfresh() {
    checks.failed("a");
    advanceSeconds(29);
    checks.succeeded("a");
    advanceSeconds(29);
    assertEquals(-1, checks.failed("a"), "29 s since the success");
    advanceSeconds(2);
    assertEquals(31, checks.failed("a"));
    checks.forget("a");
    advanceSeconds(400);
    assertEquals(-1, checks.failed("a"), "a cache opened again under the name starts afresh");
  }

  private void advanceSeconds(long seconds) {
    now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
  }
}
