package dev.cascade.micrometer;

import dev.cascade.CascadeCache;
import dev.cascade.ListenerStatistics;
import dev.cascade.NearCacheStatistics;
import dev.cascade.writebehind.WriteBehindMXBean;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.management.CacheStatisticsMXBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds one Cascade cache's numbers to a Micrometer {@link MeterRegistry}, from plain Java: its
 * statistics under the names Micrometer's {@code JCacheMetrics} uses (so dashboards built for
 * Spring Boot Actuator's {@code cache.*} meters work), and, for a write-behind cache, its queue,
 * flushes and dead letters. Reads the counters directly, not through JMX, so it works for every
 * cache and manager name.
 *
 * <pre>{@code
 * MeterRegistry registry = new SimpleMeterRegistry();      // or Prometheus, OTLP, ...
 * CascadeMetrics.monitor(registry, users);                  // one cache
 * CascadeMetrics.monitorAll(registry, cacheManager, Tags.of("cache.manager", "main"));
 * }</pre>
 *
 * Every meter is tagged {@code cache=<name>} plus the tags given. docs/metrics.md lists them.
 *
 * <ul>
 *   <li>{@code cache.gets} ({@code result=hit|miss}), {@code cache.puts}, {@code cache.removals},
 *       {@code cache.evictions}: function counters over this JVM's JCache statistics of the cache,
 *       which count only while statistics are enabled ({@code setStatisticsEnabled(true)}).
 *   <li>{@code cascade.write.behind.*}: only when this JVM flushes the cache (it was opened with a
 *       write-behind writer). Queue depth, oldest age and dead letters are read from Redis (one
 *       round trip each) whenever the registry reads them; the counters are this JVM's.
 *   <li>{@code cascade.near.cache.*}: only when the cache has a near cache in this JVM.
 * </ul>
 *
 * <p><b>Beside {@code JCacheMetrics}</b> (Spring Boot Actuator binds it for every JCache cache),
 * bind only Cascade's own meters: the {@code cache.*} meters are then {@code JCacheMetrics}', and
 * binding them twice fails ({@code cache.removals} is a gauge there, a function counter here, and
 * Micrometer refuses two meters of different types under one name).
 *
 * <pre>{@code
 * new CascadeMetrics(users, Tags.empty()).withoutStatistics().bindTo(registry);
 * }</pre>
 *
 * <p>The meters follow the cache object bound (held weakly, as Micrometer's binders do). A registry
 * keeps the first meter of an ID and ignores any later one, so after a cache is destroyed (or
 * closed) and created again, binding the new cache alone changes nothing: its meters keep reading
 * the dead cache's objects. {@link #close()} the old binder first (it removes the meters it
 * registered), then bind the new cache:
 *
 * <pre>{@code
 * CascadeMetrics metrics = new CascadeMetrics(users, Tags.empty());
 * metrics.bindTo(registry);
 * ...
 * manager.destroyCache("users");
 * users = manager.createCache("users", configuration);
 * metrics.close();                                          // first: remove the old meters
 * metrics = new CascadeMetrics(users, Tags.empty());
 * metrics.bindTo(registry);                                 // then: the new cache's
 * }</pre>
 *
 * Thread-safe.
 */
public final class CascadeMetrics implements MeterBinder, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CascadeMetrics.class);

  private final CascadeCache<?, ?> cache;
  private final Tags tags;
  private final boolean statistics;

  /**
   * What {@link #bindTo} registered, where: {@link #close()} removes them. Only meters this binder
   * added: one the registry already held under the same ID (returned by {@code register}) is
   * someone else's, and stays.
   */
  private final List<Map.Entry<MeterRegistry, Meter>> registered = new CopyOnWriteArrayList<>();

  /**
   * @param cache a Cascade cache (any {@link Cache} that unwraps to {@link CascadeCache})
   * @param tags added to every meter, beside {@code cache=<name>}
   * @throws IllegalArgumentException when {@code cache} is not a Cascade cache
   */
  public CascadeMetrics(Cache<?, ?> cache, Iterable<Tag> tags) {
    Objects.requireNonNull(cache, "cache");
    this.cache = cascade(cache);
    this.tags = Tags.concat(tags == null ? Tags.empty() : tags, "cache", cache.getName());
    this.statistics = true;
  }

  private CascadeMetrics(CascadeMetrics of, boolean statistics) {
    this.cache = of.cache;
    this.tags = of.tags;
    this.statistics = statistics;
  }

  /**
   * A binder of the same cache and tags that leaves the JCache statistics meters ({@code
   * cache.gets}, {@code cache.puts}, {@code cache.removals}, {@code cache.evictions}) out and binds
   * only Cascade's own: {@code cascade.write.behind.*} and {@code cascade.near.cache.*}. For a
   * registry where Micrometer's {@code JCacheMetrics} measures the cache already, as Spring Boot
   * Actuator's does. A cache without write-behind in this JVM and without a near cache gets no
   * meter from it.
   */
  public CascadeMetrics withoutStatistics() {
    return statistics ? new CascadeMetrics(this, false) : this;
  }

  /** Binds {@code cache}'s meters to {@code registry}; returns {@code cache}. */
  public static <C extends Cache<?, ?>> C monitor(MeterRegistry registry, C cache, String... tags) {
    return monitor(registry, cache, Tags.of(tags));
  }

  /** Binds {@code cache}'s meters to {@code registry}; returns {@code cache}. */
  public static <C extends Cache<?, ?>> C monitor(
      MeterRegistry registry, C cache, Iterable<Tag> tags) {
    new CascadeMetrics(cache, tags).bindTo(registry);
    return cache;
  }

  /**
   * Binds the meters of every cache open in {@code manager} now (its {@code getCacheNames()});
   * caches created later need their own {@link #monitor} call. Returns {@code manager}.
   */
  public static <M extends CacheManager> M monitorAll(
      MeterRegistry registry, M manager, Iterable<Tag> tags) {
    for (String name : manager.getCacheNames()) {
      Cache<?, ?> cache = manager.getCache(name);
      if (cache != null) {
        monitor(registry, cache, tags);
      }
    }
    return manager;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    // Micrometer hands back the meter it already holds for an ID: that one belongs to whoever
    // registered it first (another binder of this cache), so close() must leave it
    Set<Meter> before = Collections.newSetFromMap(new IdentityHashMap<>());
    before.addAll(registry.getMeters());
    for (Map.Entry<MeterRegistry, Meter> e : registered) {
      before.remove(e.getValue()); // bound by this binder already: still its own
    }
    boolean bound = false;
    try {
      bindAll(registry);
      bound = true;
    } finally {
      int kept = registered.size();
      registered.removeIf(e -> e.getKey() == registry && before.contains(e.getValue()));
      if (bound && registered.size() < kept) {
        // the registry ignored this cache's meters: say so, or they read another cache forever
        LOG.warn(
            "Cache '{}': the registry already held {} of its meters, bound by another binder (of a"
                + " cache of this name since destroyed or closed?); they keep measuring that one."
                + " close() the old CascadeMetrics before binding the new cache",
            cache.getName(),
            kept - registered.size());
      }
    }
  }

  private void bindAll(MeterRegistry registry) {
    if (statistics) {
      bindStatistics(registry);
    }
    WriteBehindMXBean writeBehind = cache.writeBehind();
    if (writeBehind != null) {
      bindWriteBehind(registry, writeBehind);
    }
    NearCacheStatistics near = cache.nearCache();
    if (near != null) {
      bindNearCache(registry, near);
    }
    // bound for every cache: listeners may register at any time
    keep(
        registry,
        FunctionCounter.builder(
                "cascade.listener.events.dropped",
                cache.listeners(),
                ListenerStatistics::eventsDropped)
            .tags(tags)
            .baseUnit("events")
            .description(
                "Events this JVM's asynchronous listeners did not hear: the CacheManager's event"
                    + " queue (cascade.event-queue) was full")
            .register(registry));
  }

  private void bindStatistics(MeterRegistry registry) {
    if (!statisticsEnabled()) {
      LOG.warn(
          "Cache '{}' does not record statistics: its cache.gets, cache.puts, cache.removals and"
              + " cache.evictions meters stay at 0 until they are enabled"
              + " (MutableConfiguration.setStatisticsEnabled(true), or"
              + " CacheManager.enableStatistics(name, true))",
          cache.getName());
    }
    CacheStatisticsMXBean statistics = cache.statistics();
    String gets =
        "The number of times cache lookup methods have returned a cached (hit) or uncached (newly"
            + " loaded or null) value (miss).";
    counter(registry, "cache.gets", statistics, s -> s.getCacheHits(), gets, "result", "hit");
    counter(registry, "cache.gets", statistics, s -> s.getCacheMisses(), gets, "result", "miss");
    counter(
        registry,
        "cache.puts",
        statistics,
        s -> s.getCachePuts(),
        "The number of entries added to the cache");
    counter(registry, "cache.removals", statistics, s -> s.getCacheRemovals(), "Cache removals");
    counter(
        registry,
        "cache.evictions",
        statistics,
        s -> s.getCacheEvictions(),
        "The number of times the cache was evicted.");
  }

  private void bindWriteBehind(MeterRegistry registry, WriteBehindMXBean wb) {
    keep(
        registry,
        Gauge.builder("cascade.write.behind.queue.depth", wb, WriteBehindMXBean::getQueueDepth)
            .tags(tags)
            .baseUnit("records")
            .description("Changes queued in Redis and not yet written to the database (all JVMs)")
            .register(registry));
    keep(
        registry,
        TimeGauge.builder(
                "cascade.write.behind.oldest.age",
                wb,
                TimeUnit.MILLISECONDS,
                WriteBehindMXBean::getOldestPendingAgeMillis)
            .tags(tags)
            .description("Age of the oldest queued change, 0 when the queue is empty")
            .register(registry));
    keep(
        registry,
        Gauge.builder("cascade.write.behind.dead.letters", wb, WriteBehindMXBean::getDeadLetters)
            .tags(tags)
            .baseUnit("records")
            .description(
                "Changes in the dead-letter stream: the writer kept refusing them (all JVMs)")
            .register(registry));
    keep(
        registry,
        Gauge.builder(
                "cascade.write.behind.partitions.held", wb, WriteBehindMXBean::getPartitionsHeld)
            .tags(tags)
            .description("Queue partitions this JVM holds the flush lease of")
            .register(registry));
    writeBehindCounter(
        registry,
        "cascade.write.behind.flushed",
        wb,
        WriteBehindMXBean::getRecordsFlushed,
        "records",
        "Changes this JVM's flushers wrote (coalesced ones included; dead letters not)");
    writeBehindCounter(
        registry,
        "cascade.write.behind.batches",
        wb,
        WriteBehindMXBean::getBatchesFlushed,
        null,
        "Writer calls (writeAll/deleteAll) of this JVM that succeeded");
    writeBehindCounter(
        registry,
        "cascade.write.behind.coalesced",
        wb,
        WriteBehindMXBean::getRecordsCoalesced,
        "records",
        "Changes never written because a later change of the same key replaced them");
    writeBehindCounter(
        registry,
        "cascade.write.behind.retries",
        wb,
        WriteBehindMXBean::getRetries,
        null,
        "Failed writer attempts this JVM retries or retried");
  }

  private void bindNearCache(MeterRegistry registry, NearCacheStatistics near) {
    String gets = "Reads served from this JVM's near cache (hit) or sent to Redis (miss)";
    keep(
        registry,
        FunctionCounter.builder("cascade.near.cache.gets", near, NearCacheStatistics::hits)
            .tags(tags)
            .tag("result", "hit")
            .description(gets)
            .register(registry));
    keep(
        registry,
        FunctionCounter.builder("cascade.near.cache.gets", near, NearCacheStatistics::misses)
            .tags(tags)
            .tag("result", "miss")
            .description(gets)
            .register(registry));
    keep(
        registry,
        FunctionCounter.builder(
                "cascade.near.cache.invalidations", near, NearCacheStatistics::invalidations)
            .tags(tags)
            .description("Near copies dropped because the entry changed")
            .register(registry));
    keep(
        registry,
        Gauge.builder("cascade.near.cache.size", near, NearCacheStatistics::size)
            .tags(tags)
            .baseUnit(BaseUnits.OBJECTS)
            .description("Entries in this JVM's near cache")
            .register(registry));
  }

  private void counter(
      MeterRegistry registry,
      String name,
      CacheStatisticsMXBean statistics,
      ToDoubleFunction<CacheStatisticsMXBean> count,
      String description,
      String... extraTags) {
    keep(
        registry,
        FunctionCounter.builder(name, statistics, count)
            .tags(tags)
            .tags(extraTags)
            .description(description)
            .register(registry));
  }

  private void writeBehindCounter(
      MeterRegistry registry,
      String name,
      WriteBehindMXBean wb,
      ToDoubleFunction<WriteBehindMXBean> count,
      String unit,
      String description) {
    keep(
        registry,
        FunctionCounter.builder(name, wb, count)
            .tags(tags)
            .baseUnit(unit)
            .description(description)
            .register(registry));
  }

  /**
   * Removes from their registries the meters this binder registered ({@link #bindTo}), so that the
   * cache's meters can be bound again, to a cache created anew under the same name. Idempotent; the
   * binder may be bound again afterwards.
   */
  @Override
  public void close() {
    for (Map.Entry<MeterRegistry, Meter> e : registered) {
      e.getKey().remove(e.getValue());
    }
    registered.clear();
  }

  private void keep(MeterRegistry registry, Meter meter) {
    if (registered.stream().noneMatch(e -> e.getKey() == registry && e.getValue() == meter)) {
      registered.add(Map.entry(registry, meter));
    }
  }

  private boolean statisticsEnabled() {
    try {
      CompleteConfiguration<?, ?> c = cache.getConfiguration(CompleteConfiguration.class);
      return c.isStatisticsEnabled();
    } catch (IllegalArgumentException e) {
      return true;
    }
  }

  private static CascadeCache<?, ?> cascade(Cache<?, ?> cache) {
    try {
      return cache.unwrap(CascadeCache.class);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "CascadeMetrics binds Cascade caches; cache '"
              + cache.getName()
              + "' is a "
              + cache.getClass().getName()
              + " (for another provider's caches use Micrometer's JCacheMetrics)",
          e);
    }
  }
}
