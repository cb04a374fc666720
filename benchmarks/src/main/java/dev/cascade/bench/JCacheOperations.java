package dev.cascade.bench;

import dev.cascade.config.CascadeConfiguration;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.MutableEntry;
import javax.cache.spi.CachingProvider;

/**
 * A JCache provider under test, through the JCache API only: the same code drives Cascade and
 * Redisson. Each provider is looked up by its class name, so having both on the class path never
 * makes {@code Caching.getCachingProvider()} pick the wrong one.
 *
 * <p>Caches are plain {@code MutableConfiguration}s with declared types ({@code String → String},
 * and {@code String → Long} for invoke), eternal, no statistics, no loader or writer: the defaults
 * a user gets; only {@link Op#GET_HIT_NEAR} asks Cascade for its near cache.
 */
final class JCacheOperations implements Operations {

  /** The providers compared, by the class name their jar registers. */
  enum Provider {
    CASCADE("dev.cascade.CascadeCachingProvider"),
    REDISSON("org.redisson.jcache.JCachingProvider");

    final String className;

    Provider(String className) {
      this.className = className;
    }
  }

  private static final Increment INCREMENT = new Increment();

  private final CacheManager manager;
  private final Path configFile;
  private Cache<String, String> cache;
  private Cache<String, Long> counters;

  private JCacheOperations(CacheManager manager, Path configFile) {
    this.manager = manager;
    this.configFile = configFile;
  }

  /**
   * Opens {@code provider} on the Redis at {@code redisUri} with the caches {@code op} needs,
   * populated.
   */
  static JCacheOperations open(Provider provider, String redisUri, Op op) {
    CachingProvider p = Caching.getCachingProvider(provider.className);
    ClassLoader loader = JCacheOperations.class.getClassLoader();
    JCacheOperations ops;
    if (provider == Provider.CASCADE) {
      // Cascade's CacheManager URI is the Redis URI itself
      ops = new JCacheOperations(p.getCacheManager(URI.create(redisUri), loader), null);
    } else {
      // Redisson's CacheManager URI names a Redisson configuration file; everything but the address
      // is default
      Path yaml = redissonConfig(redisUri);
      ops = new JCacheOperations(p.getCacheManager(yaml.toUri(), loader), yaml);
    }
    try {
      ops.prepare(op);
      return ops;
    } catch (RuntimeException e) {
      ops.close();
      throw e;
    }
  }

  static Path redissonConfig(String redisUri) {
    try {
      Path yaml = Files.createTempFile("cascade-bench-redisson-", ".yaml");
      yaml.toFile().deleteOnExit();
      Files.writeString(
          yaml, "singleServerConfig:\n  address: \"" + redisUri + "\"\n", StandardCharsets.UTF_8);
      return yaml;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void prepare(Op op) {
    if (op == Op.INVOKE) {
      counters =
          manager.createCache(
              "counters",
              new MutableConfiguration<String, Long>().setTypes(String.class, Long.class));
      for (Map<String, String> chunk : Data.allEntries(1_000)) {
        Map<String, Long> zeros = new HashMap<>();
        chunk.keySet().forEach(k -> zeros.put(k, 0L));
        counters.putAll(zeros);
      }
      return;
    }
    if (op == Op.GET_HIT_NEAR) {
      if (!(manager.getCachingProvider().getClass().getName().equals(Provider.CASCADE.className))) {
        throw new IllegalArgumentException(op + " is a benchmark of Cascade's near cache only");
      }
      // room for every key: once warmed up, every get is served in this JVM
      cache =
          manager.createCache(
              "bench",
              new CascadeConfiguration<String, String>()
                  .setTypes(String.class, String.class)
                  .setNearCache(Data.KEYS));
    } else {
      cache =
          manager.createCache(
              "bench",
              new MutableConfiguration<String, String>().setTypes(String.class, String.class));
    }
    for (Map<String, String> chunk : Data.allEntries(1_000)) {
      cache.putAll(chunk);
    }
    // registered after populating, so the listener hears the timed puts only
    if (op == Op.PUT_ASYNC_LISTENER || op == Op.PUT_SYNC_LISTENER) {
      cache.registerCacheEntryListener(
          new MutableCacheEntryListenerConfiguration<>(
              FactoryBuilder.factoryOf(CountingListener.class),
              null,
              false,
              op == Op.PUT_SYNC_LISTENER));
    }
  }

  @Override
  public String getHit() {
    return cache.get(Data.randomKey());
  }

  @Override
  public String getMiss() {
    return cache.get(Data.randomMissingKey());
  }

  @Override
  public Object put() {
    cache.put(Data.randomKey(), Data.randomValue());
    return null;
  }

  @Override
  public Map<String, String> getAll() {
    return cache.getAll(Data.randomKeySet());
  }

  @Override
  public Object putAll() {
    cache.putAll(Data.randomEntries());
    return null;
  }

  @Override
  public Long invoke() {
    return counters.invoke(Data.randomKey(), INCREMENT);
  }

  /** Events the listeners of this JVM have heard so far (a check that they were called at all). */
  static long eventsHeard() {
    return CountingListener.EVENTS.sum();
  }

  @Override
  public void close() {
    try {
      manager.close();
    } finally {
      if (configFile != null) {
        try {
          Files.deleteIfExists(configFile);
        } catch (IOException ignored) {
          // deleteOnExit is the fallback
        }
      }
    }
  }

  /** The entry processor of the invoke benchmark: adds one, returns the new count. */
  static final class Increment implements EntryProcessor<String, Long, Long>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Long process(MutableEntry<String, Long> entry, Object... arguments) {
      long next = (entry.exists() ? entry.getValue() : 0L) + 1;
      entry.setValue(next);
      return next;
    }
  }

  /**
   * A listener that does nothing but count, so the benchmark measures the delivery, not the
   * listener.
   */
  public static final class CountingListener
      implements CacheEntryCreatedListener<String, String>,
          CacheEntryUpdatedListener<String, String>,
          Serializable {
    private static final long serialVersionUID = 1L;
    static final LongAdder EVENTS = new LongAdder();

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      count(events);
    }

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      count(events);
    }

    private static void count(
        Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      for (CacheEntryEvent<? extends String, ? extends String> ignored : events) {
        EVENTS.increment();
      }
    }
  }
}
