package dev.cascade.internal.event;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports the messages a channel's subscriber had to drop: at most one WARNING per channel per
 * period, which counts the drops it did not report. Whoever may PUBLISH can send millions of bad
 * messages; one line a minute tells the operator, a line per message would make the log the attack.
 * Every drop is logged at FINE. Thread-safe.
 */
final class DroppedMessages {

  static final long PERIOD_NANOS = TimeUnit.MINUTES.toNanos(1);

  private static final Logger LOG = LoggerFactory.getLogger(RemoteEvents.class);

  private final LongSupplier nanoTime;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  private static final class Window {
    boolean reported;
    long reportedAt;
    long unreported;
  }

  DroppedMessages(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** Reports one dropped message; true when this one was logged as a WARNING. */
  boolean dropped(String cacheName, String channel, String reason) {
    Window w = windows.computeIfAbsent(channel, c -> new Window());
    long unreported;
    synchronized (w) {
      long now = nanoTime.getAsLong();
      if (w.reported && now - w.reportedAt < PERIOD_NANOS) {
        w.unreported++;
        LOG.debug(
            "Dropped a message on channel '{}' of cache '{}': {}", channel, cacheName, reason);
        return false;
      }
      unreported = w.unreported;
      w.reported = true;
      w.reportedAt = now;
      w.unreported = 0;
    }
    LOG.warn(
        "Dropped a message on channel '"
            + channel
            + "' of cache '"
            + cacheName
            + "': "
            + reason
            + (unreported > 0 ? " (and " + unreported + " more since the last warning)" : "")
            + ". Cascade's own messages are never dropped: something else publishes on this channel"
            + " (see docs/security.md). At most one such warning per channel per minute.");
    return true;
  }

  /** Forgets a channel nobody listens to any more. */
  void forget(String channel) {
    windows.remove(channel);
  }
}
