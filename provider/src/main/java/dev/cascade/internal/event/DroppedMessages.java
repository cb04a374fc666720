package dev.cascade.internal.event;

import dev.cascade.internal.support.WarningWindow;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports the messages a channel's subscriber had to drop (malformed, or more than the listeners
 * can take): at most one WARNING per channel per period, which counts the drops it did not report.
 * Whoever may PUBLISH can send millions of bad messages; one line a minute tells the operator, a
 * line per message would make the log the attack. Every drop is logged at FINE. Thread-safe.
 */
final class DroppedMessages {

  static final long PERIOD_NANOS = TimeUnit.MINUTES.toNanos(1);

  private static final Logger LOG = LoggerFactory.getLogger(RemoteEvents.class);

  private final LongSupplier nanoTime;
  private final Map<String, WarningWindow> windows = new ConcurrentHashMap<>();

  DroppedMessages(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** Reports one dropped message; true when this one was logged as a WARNING. */
  boolean dropped(String cacheName, String channel, String reason) {
    return report(
        cacheName,
        channel,
        channel,
        reason,
        ". Cascade's own messages are never dropped: something else publishes on this channel"
            + " (see docs/security.md). At most one such warning per channel per minute.");
  }

  /**
   * Reports an event dropped because the asynchronous listeners already have {@code
   * cascade.event-queue} events waiting; true when this one was logged as a WARNING.
   */
  boolean droppedBehind(String cacheName, String channel) {
    return report(
        cacheName,
        channel,
        channel + BEHIND,
        "the asynchronous listeners of this CacheManager are behind (events from other JVMs may"
            + " fill half of cascade.event-queue)",
        ". A listener is blocked or slower than the changes of every JVM; this JVM's listeners"
            + " miss the changes other JVMs make until they catch up (docs/design.md, Events). At most"
            + " one such warning per channel per minute.");
  }

  /** Its own window: a flood of forged messages must not hide that the listeners fell behind. */
  private static final String BEHIND = " (listeners behind)";

  private boolean report(
      String cacheName, String channel, String window, String reason, String explanation) {
    long unreported =
        windows.computeIfAbsent(window, c -> new WarningWindow(PERIOD_NANOS, nanoTime)).admit();
    if (unreported < 0) {
      LOG.debug("Dropped a message on channel '{}' of cache '{}': {}", channel, cacheName, reason);
      return false;
    }
    LOG.warn(
        "Dropped a message on channel '"
            + channel
            + "' of cache '"
            + cacheName
            + "': "
            + reason
            + (unreported > 0 ? " (and " + unreported + " more since the last warning)" : "")
            + explanation);
    return true;
  }

  /** Forgets a channel nobody listens to any more. */
  void forget(String channel) {
    windows.remove(channel);
    windows.remove(channel + BEHIND);
  }
}
