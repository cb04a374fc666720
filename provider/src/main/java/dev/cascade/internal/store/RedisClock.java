package dev.cascade.internal.store;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis's time, as this JVM's clock plus the offset {@code TIME} measured: the one clock every
 * JVM's expiry decisions use.
 *
 * <p>Why: an entry's logical expiry {@code x} is written and judged by the JVMs (the time they pass
 * to the scripts), while its native TTL ({@code PEXPIREAT}) is enforced by Redis on its own clock.
 * With each JVM's clock, a JVM whose clock ran behind Redis by more than a TTL created entries that
 * Redis deleted at once (and reported them created); one ahead of the others deleted their live
 * entries early and reported them expired. Measured against Redis, all JVMs agree to within a round
 * trip.
 *
 * <p>The offset is measured when the connection opens (the fastest of a few {@code TIME} round
 * trips, the middle of which is taken as the moment Redis read its clock), then again in the
 * background about once a minute, so that a step of either clock is followed. A Redis that refuses
 * {@code TIME} (an ACL user without it) leaves this JVM's clock. Thread-safe.
 */
public final class RedisClock {

  private static final Logger LOG = LoggerFactory.getLogger(RedisClock.class);

  /** How often the offset is measured again. */
  static final long RESYNC_MILLIS = TimeUnit.MINUTES.toMillis(1);

  /** An offset beyond this is worth a WARNING: the clocks of this host and Redis's differ. */
  static final long SKEW_WORTH_A_WARNING_MILLIS = 1_000;

  private static final int SAMPLES = 3;

  private final Supplier<CompletionStage<List<byte[]>>> time;
  private final LongSupplier localMillis;
  private final String server;
  private final AtomicBoolean measuring = new AtomicBoolean();
  private volatile long offsetMillis;
  private volatile long measuredAt;
  private volatile boolean warned;

  /**
   * @param time sends {@code TIME} to Redis
   * @param localMillis this JVM's clock
   * @param server the server, for the warning
   */
  RedisClock(
      Supplier<CompletionStage<List<byte[]>>> time, LongSupplier localMillis, String server) {
    this.time = time;
    this.localMillis = localMillis;
    this.server = server;
  }

  /** Redis's time now, in milliseconds since the epoch. */
  public long millis() {
    long local = localMillis.getAsLong();
    if (local - measuredAt >= RESYNC_MILLIS) {
      measureSoon(); // never waits: the hot path keeps the last offset
    }
    return local + offsetMillis;
  }

  /** The offset last measured: Redis's clock minus this JVM's, in milliseconds. */
  public long offsetMillis() {
    return offsetMillis;
  }

  /** Measures the offset now, waiting for the answers (when the connection opens). */
  void measure(long timeoutMillis) {
    long best = Long.MAX_VALUE;
    long offset = 0;
    try {
      for (int i = 0; i < SAMPLES; i++) {
        long sent = System.nanoTime();
        long localSent = localMillis.getAsLong();
        List<byte[]> reply =
            time.get().toCompletableFuture().get(timeoutMillis, TimeUnit.MILLISECONDS);
        long roundTrip = System.nanoTime() - sent;
        if (roundTrip < best) {
          best = roundTrip;
          offset = redisMillis(reply) - (localSent + TimeUnit.NANOSECONDS.toMillis(roundTrip) / 2);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (Exception e) {
      if (best == Long.MAX_VALUE) {
        measuredAt = localMillis.getAsLong(); // asked again in a minute, not on every call
        LOG.debug("Could not read the time of Redis at {}; this JVM's clock is used", server, e);
        return;
      }
    }
    accept(offset);
  }

  /** Measures again in the background (one measurement at a time). */
  private void measureSoon() {
    if (!measuring.compareAndSet(false, true)) {
      return;
    }
    long localSent = localMillis.getAsLong();
    long sent = System.nanoTime();
    CompletionStage<List<byte[]>> reply;
    try {
      reply = time.get();
    } catch (RuntimeException e) {
      measuredAt = localSent;
      measuring.set(false);
      return;
    }
    reply.whenComplete(
        (r, failure) -> {
          try {
            if (failure == null) {
              long roundTrip = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
              accept(redisMillis(r) - (localSent + roundTrip / 2));
            } else {
              measuredAt = localSent; // keep the last offset; try again in a minute
            }
          } catch (RuntimeException e) {
            measuredAt = localSent;
          } finally {
            measuring.set(false);
          }
        });
  }

  private void accept(long offset) {
    offsetMillis = offset;
    measuredAt = localMillis.getAsLong();
    if (Math.abs(offset) > SKEW_WORTH_A_WARNING_MILLIS && !warned) {
      warned = true;
      LOG.warn(
          "The clock of Redis at {} is {} ms {} this host's; Cascade judges expiry by Redis's"
              + " clock, but other programs on this host may not: check NTP on both",
          server,
          Math.abs(offset),
          offset > 0 ? "ahead of" : "behind");
    }
  }

  /** {@code TIME}'s reply (seconds, then microseconds) in milliseconds. */
  private static long redisMillis(List<byte[]> reply) {
    long seconds = Long.parseLong(new String(reply.get(0), StandardCharsets.US_ASCII));
    long micros = Long.parseLong(new String(reply.get(1), StandardCharsets.US_ASCII));
    return seconds * 1000 + micros / 1000;
  }
}
