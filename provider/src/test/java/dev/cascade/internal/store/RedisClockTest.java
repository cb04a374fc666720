package dev.cascade.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The offset between this JVM's clock and Redis's, with both clocks under the test's control. */
class RedisClockTest {

  private final AtomicLong local = new AtomicLong(1_000_000_000_000L);
  private final AtomicLong redisMillis = new AtomicLong();
  private final AtomicInteger asked = new AtomicInteger();

  private final Supplier<CompletionStage<List<byte[]>>> time =
      () -> {
        asked.incrementAndGet();
        long ms = redisMillis.get();
        return CompletableFuture.completedFuture(
            List.of(ascii(Long.toString(ms / 1000)), ascii(Long.toString(ms % 1000 * 1000))));
      };

  @Test
  void millis_followsRedis_andIsMeasuredAgainAfterAMinute() {
    RedisClock clock = new RedisClock(time, local::get, "redis://test");
    redisMillis.set(local.get() + 600_000);
    clock.measure(1_000);
    long first = clock.offsetMillis();
    assertTrue(first <= 600_000 && first > 599_900, "measured: " + first);

    int before = asked.get();
    local.addAndGet(30_000);
    redisMillis.addAndGet(30_000 - 5_000); // Redis's clock stepped back 5 s
    assertEquals(local.get() + first, clock.millis(), "kept within the minute");
    assertEquals(before, asked.get(), "no TIME on the hot path within the minute");

    local.addAndGet(RedisClock.RESYNC_MILLIS);
    redisMillis.addAndGet(RedisClock.RESYNC_MILLIS);
    clock.millis(); // sends TIME in the background (answered at once here)
    // less half the (here: local) round trip it measured, which class loading can stretch
    long offset = clock.offsetMillis();
    assertTrue(offset <= 595_000 && offset > 594_900, "followed the step: " + offset);
  }

  @Test
  void aRedisThatRefusesTime_leavesThisJvmsClock() {
    AtomicInteger tries = new AtomicInteger();
    RedisClock clock =
        new RedisClock(
            () -> {
              tries.incrementAndGet();
              return CompletableFuture.failedFuture(
                  new IllegalStateException("NOPERM this user has no permissions to run 'time'"));
            },
            local::get,
            "redis://test");
    clock.measure(1_000);
    assertEquals(local.get(), clock.millis());
    assertEquals(1, tries.get(), "asked once, not on every call");
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
