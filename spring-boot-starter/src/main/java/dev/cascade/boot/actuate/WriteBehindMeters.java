package dev.cascade.boot.actuate;

import dev.cascade.CascadeCacheManager;
import dev.cascade.NearCacheStatistics;
import dev.cascade.writebehind.WriteBehindMXBean;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Meters of the application's Cascade caches beyond Boot's own {@code cache.*}, tagged {@code
 * cache=<name>}. Write-behind caches this JVM flushes: {@code cascade.write.behind.queue.depth},
 * {@code .oldest.age}, {@code .dead.letters}, {@code .partitions.held} (gauges; the first three
 * read Redis when sampled) and the counters {@code .flushed}, {@code .batches}, {@code .coalesced},
 * {@code .retries} (this JVM's flushers). Near caches: {@code cascade.near.cache.gets} ({@code
 * result=hit|miss}), {@code .invalidations}, {@code .size}.
 *
 * <p>Small on purpose, with the names of the {@code cascade-micrometer} module's {@code
 * CascadeMetrics}; not that binder itself, which also binds {@code cache.*}: beside Boot's {@code
 * JCacheMetrics} (other tag keys) a Prometheus registry would refuse the second set. To be
 * consolidated once {@code CascadeMetrics} can leave the statistics out.
 */
public class WriteBehindMeters implements MeterBinder {

  private final CascadeManagers managers;

  WriteBehindMeters(CascadeManagers managers) {
    this.managers = managers;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (CascadeCacheManager manager : managers.open()) {
      for (Map.Entry<String, WriteBehindMXBean> e :
          CascadeManagers.writeBehind(manager).entrySet()) {
        bind(registry, e.getKey(), e.getValue());
      }
      for (Map.Entry<String, NearCacheStatistics> e :
          CascadeManagers.nearCaches(manager).entrySet()) {
        bindNear(registry, e.getKey(), e.getValue());
      }
    }
  }

  private static void bindNear(MeterRegistry registry, String cache, NearCacheStatistics near) {
    Tags tags = Tags.of("cache", cache);
    FunctionCounter.builder("cascade.near.cache.gets", near, NearCacheStatistics::hits)
        .tags(tags)
        .tag("result", "hit")
        .description("Reads served from this JVM's near cache (hit) or sent to Redis (miss)")
        .register(registry);
    FunctionCounter.builder("cascade.near.cache.gets", near, NearCacheStatistics::misses)
        .tags(tags)
        .tag("result", "miss")
        .description("Reads served from this JVM's near cache (hit) or sent to Redis (miss)")
        .register(registry);
    FunctionCounter.builder(
            "cascade.near.cache.invalidations", near, NearCacheStatistics::invalidations)
        .tags(tags)
        .description("Near copies dropped because the entry changed")
        .register(registry);
    Gauge.builder("cascade.near.cache.size", near, NearCacheStatistics::size)
        .tags(tags)
        .description("Entries in this JVM's near cache")
        .strongReference(true)
        .register(registry);
  }

  private static void bind(MeterRegistry registry, String cache, WriteBehindMXBean wb) {
    Tags tags = Tags.of("cache", cache);
    Gauge.builder("cascade.write.behind.queue.depth", wb, WriteBehindMXBean::getQueueDepth)
        .tags(tags)
        .baseUnit("records")
        .description("Records queued in Redis, not yet written to the system of record")
        .strongReference(true)
        .register(registry);
    TimeGauge.builder(
            "cascade.write.behind.oldest.age",
            wb,
            TimeUnit.MILLISECONDS,
            WriteBehindMXBean::getOldestPendingAgeMillis)
        .tags(tags)
        .description("Age of the oldest queued record")
        .strongReference(true)
        .register(registry);
    Gauge.builder("cascade.write.behind.dead.letters", wb, WriteBehindMXBean::getDeadLetters)
        .tags(tags)
        .baseUnit("records")
        .description("Records the writer kept refusing, in the dead-letter stream")
        .strongReference(true)
        .register(registry);
    Gauge.builder("cascade.write.behind.partitions.held", wb, WriteBehindMXBean::getPartitionsHeld)
        .tags(tags)
        .description("Queue partitions this JVM holds the flush lease of")
        .strongReference(true)
        .register(registry);
    FunctionCounter.builder(
            "cascade.write.behind.flushed", wb, WriteBehindMXBean::getRecordsFlushed)
        .tags(tags)
        .baseUnit("records")
        .description(
            "Records this JVM's flushers took off the queue: written, coalesced or dead-lettered")
        .register(registry);
    FunctionCounter.builder(
            "cascade.write.behind.batches", wb, WriteBehindMXBean::getBatchesFlushed)
        .tags(tags)
        .description("Writer calls this JVM made that succeeded")
        .register(registry);
    FunctionCounter.builder(
            "cascade.write.behind.coalesced", wb, WriteBehindMXBean::getRecordsCoalesced)
        .tags(tags)
        .baseUnit("records")
        .description("Writes replaced by a later write of the same key before reaching the writer")
        .register(registry);
    FunctionCounter.builder("cascade.write.behind.retries", wb, WriteBehindMXBean::getRetries)
        .tags(tags)
        .description("Failed writer attempts this JVM retries")
        .register(registry);
  }
}
