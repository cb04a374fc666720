package dev.cascade.boot.actuate;

import dev.cascade.CascadeCacheManager;
import dev.cascade.boot.autoconfigure.CascadeProperties;
import dev.cascade.boot.autoconfigure.CascadeProperties.Threshold;
import dev.cascade.writebehind.WriteBehindMXBean;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/**
 * The {@code cascade} health: DOWN when Redis does not answer a {@code PING} within {@code
 * cascade.health.timeout}; else, for each write-behind cache this JVM flushes, its queue depth,
 * oldest record age and dead letters, and OUT_OF_SERVICE or DOWN when one of them reaches the
 * threshold set under {@code cascade.health.*} (none by default). The worst cache decides.
 *
 * <p>With one Cascade CacheManager the details are flat; with several, one entry per manager URI.
 */
public class CascadeHealthIndicator extends AbstractHealthIndicator {

  private static final Pattern USER_INFO =
      Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://)([^@/?#]*)@");

  private final CascadeManagers managers;
  private final CascadeProperties.Health settings;

  CascadeHealthIndicator(CascadeManagers managers, CascadeProperties.Health settings) {
    super("Cascade health check failed");
    Duration timeout = settings.getTimeout();
    if (timeout == null || timeout.isZero() || timeout.isNegative()) {
      // a PING that may not wait at all always fails: the indicator would report Redis
      // unreachable forever, so refuse it at start-up, naming the key
      throw new IllegalStateException(
          "cascade.health.timeout must be a positive duration, not " + timeout);
    }
    this.managers = managers;
    this.settings = settings;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    List<CascadeCacheManager> open = managers.open();
    if (open.isEmpty()) {
      builder.unknown().withDetail("reason", "no Cascade CacheManager is open");
      return;
    }
    Status worst = Status.UP;
    for (CascadeCacheManager manager : open) {
      Map<String, Object> details = new LinkedHashMap<>();
      Status status = check(manager, details);
      worst = worse(worst, status);
      if (open.size() == 1) {
        builder.withDetails(details);
      } else {
        details.put("status", status.getCode());
        builder.withDetail(redacted(manager.getURI().toString()), details);
      }
    }
    builder.status(worst);
  }

  private Status check(CascadeCacheManager manager, Map<String, Object> details) {
    details.put("manager", redacted(manager.getURI().toString()));
    Duration roundTrip;
    try {
      roundTrip = manager.ping(settings.getTimeout());
    } catch (RuntimeException e) {
      details.put("redis", "unreachable");
      details.put("error", e.getMessage());
      return Status.DOWN;
    }
    details.put("redis", "reachable");
    details.put("pingMillis", Math.round(roundTrip.toNanos() / 10_000.0) / 100.0);
    Status worst = Status.UP;
    Map<String, Object> caches = new LinkedHashMap<>();
    for (Map.Entry<String, WriteBehindMXBean> e : CascadeManagers.writeBehind(manager).entrySet()) {
      Map<String, Object> cache = new LinkedHashMap<>();
      Status status = checkQueue(e.getValue(), cache);
      cache.put("status", status.getCode());
      caches.put(e.getKey(), cache);
      worst = worse(worst, status);
    }
    if (!caches.isEmpty()) {
      details.put("writeBehind", caches);
    }
    return worst;
  }

  private Status checkQueue(WriteBehindMXBean wb, Map<String, Object> cache) {
    long depth;
    long oldest;
    long dead;
    try {
      depth = wb.getQueueDepth();
      oldest = wb.getOldestPendingAgeMillis();
      dead = wb.getDeadLetters();
    } catch (RuntimeException e) {
      cache.put("error", e.getMessage());
      return Status.DOWN;
    }
    cache.put("queueDepth", depth);
    cache.put("oldestPendingAgeMillis", oldest);
    cache.put("deadLetters", dead);
    cache.put("partitionsHeld", wb.getPartitionsHeld());
    cache.put("recordsFlushed", wb.getRecordsFlushed());
    String lastError = wb.getLastError();
    if (lastError != null && !lastError.isEmpty()) {
      cache.put("lastError", lastError);
    }
    StringBuilder reasons = new StringBuilder();
    Status status = Status.UP;
    status = worse(status, judge("queueDepth", depth, settings.getQueueDepth(), reasons));
    status = worse(status, judgeAge(oldest, settings.getOldestAge(), reasons));
    status = worse(status, judge("deadLetters", dead, settings.getDeadLetters(), reasons));
    if (reasons.length() > 0) {
      cache.put("reason", reasons.toString());
    }
    return status;
  }

  private static Status judge(
      String what, long value, Threshold<Long> threshold, StringBuilder reasons) {
    if (threshold.getDown() != null && value >= threshold.getDown()) {
      note(reasons, what + " " + value + " >= down threshold " + threshold.getDown());
      return Status.DOWN;
    }
    if (threshold.getOutOfService() != null && value >= threshold.getOutOfService()) {
      note(
          reasons,
          what + " " + value + " >= out-of-service threshold " + threshold.getOutOfService());
      return Status.OUT_OF_SERVICE;
    }
    return Status.UP;
  }

  private static Status judgeAge(long ageMillis, Threshold<Duration> t, StringBuilder reasons) {
    Threshold<Long> millis = new Threshold<>();
    millis.setDown(t.getDown() == null ? null : t.getDown().toMillis());
    millis.setOutOfService(t.getOutOfService() == null ? null : t.getOutOfService().toMillis());
    return judge("oldestPendingAgeMillis", ageMillis, millis, reasons);
  }

  private static void note(StringBuilder reasons, String reason) {
    if (reasons.length() > 0) {
      reasons.append("; ");
    }
    reasons.append(reason);
  }

  /** DOWN is worse than OUT_OF_SERVICE, which is worse than UP. */
  private static Status worse(Status a, Status b) {
    return rank(b) > rank(a) ? b : a;
  }

  private static int rank(Status s) {
    return Status.DOWN.equals(s) ? 2 : Status.OUT_OF_SERVICE.equals(s) ? 1 : 0;
  }

  /** The URI with its password replaced by {@code ***}: health details are shown to operators. */
  static String redacted(String uri) {
    Matcher m = USER_INFO.matcher(uri);
    if (!m.find()) {
      return uri;
    }
    String info = m.group(2);
    int colon = info.indexOf(':');
    String shown = colon >= 0 ? info.substring(0, colon) + ":***" : "***";
    return m.group(1) + shown + "@" + uri.substring(m.end());
  }
}
