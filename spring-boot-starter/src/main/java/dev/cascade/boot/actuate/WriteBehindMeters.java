package dev.cascade.boot.actuate;

import dev.cascade.CascadeCacheManager;
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
 * Write-behind meters of every write-behind cache the application's Cascade CacheManagers flush,
 * tagged {@code cache=<name>}: {@code cascade.writebehind.queue.depth}, {@code
 * cascade.writebehind.oldest.age}, {@code cascade.writebehind.dead.letters}, {@code
 * cascade.writebehind.partitions.held} (gauges; the first three read Redis when sampled) and the
 * counters {@code cascade.writebehind.flushed}, {@code .batches}, {@code .coalesced}, {@code
 * .retries} (this JVM's flushers).
 *
 * <p>Small on purpose: the same numbers as {@code WriteBehindMXBean}; to be replaced by the {@code
 * cascade-micrometer} module's binder once that exists, keeping these names.
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
    }
  }

  private static void bind(MeterRegistry registry, String cache, WriteBehindMXBean wb) {
    Tags tags = Tags.of("cache", cache);
    Gauge.builder("cascade.writebehind.queue.depth", wb, WriteBehindMXBean::getQueueDepth)
        .tags(tags)
        .baseUnit("records")
        .description("Records queued in Redis, not yet written to the system of record")
        .strongReference(true)
        .register(registry);
    TimeGauge.builder(
            "cascade.writebehind.oldest.age",
            wb,
            TimeUnit.MILLISECONDS,
            WriteBehindMXBean::getOldestPendingAgeMillis)
        .tags(tags)
        .description("Age of the oldest queued record")
        .strongReference(true)
        .register(registry);
    Gauge.builder("cascade.writebehind.dead.letters", wb, WriteBehindMXBean::getDeadLetters)
        .tags(tags)
        .baseUnit("records")
        .description("Records the writer kept refusing, in the dead-letter stream")
        .strongReference(true)
        .register(registry);
    Gauge.builder("cascade.writebehind.partitions.held", wb, WriteBehindMXBean::getPartitionsHeld)
        .tags(tags)
        .description("Queue partitions this JVM holds the flush lease of")
        .strongReference(true)
        .register(registry);
    FunctionCounter.builder("cascade.writebehind.flushed", wb, WriteBehindMXBean::getRecordsFlushed)
        .tags(tags)
        .baseUnit("records")
        .description("Records this JVM wrote to the system of record")
        .register(registry);
    FunctionCounter.builder("cascade.writebehind.batches", wb, WriteBehindMXBean::getBatchesFlushed)
        .tags(tags)
        .description("Writer calls this JVM made that succeeded")
        .register(registry);
    FunctionCounter.builder(
            "cascade.writebehind.coalesced", wb, WriteBehindMXBean::getRecordsCoalesced)
        .tags(tags)
        .baseUnit("records")
        .description("Writes replaced by a later write of the same key before reaching the writer")
        .register(registry);
    FunctionCounter.builder("cascade.writebehind.retries", wb, WriteBehindMXBean::getRetries)
        .tags(tags)
        .description("Failed writer attempts this JVM retries")
        .register(registry);
  }
}
