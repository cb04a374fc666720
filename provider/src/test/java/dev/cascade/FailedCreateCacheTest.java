package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.testing.MapDatabase;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.io.Closeable;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@code createCache} whose writer factory throws must leave nothing behind: no registry entry in
 * Redis (which refused the corrected configuration as "other settings" until the cache was
 * destroyed), and the loader already made from its factory is closed.
 */
@WithRedis
@Timeout(60)
class FailedCreateCacheTest {

  static final RuntimeException NO_DATABASE = new IllegalStateException("no database here");
  static final Map<String, Boolean> LOADERS_CLOSED = new ConcurrentHashMap<>();

  @Test
  void aWriterFactoryThatThrows_recordsNothing_andTheCorrectedConfigurationOpens(
      RedisServer redis) {
    String name = Managers.uniqueName("failed");
    try (CacheManager manager = Managers.open(redis)) {
      CascadeConfiguration<String, String> broken =
          new CascadeConfiguration<String, String>()
              .setTypes(String.class, String.class)
              .setPartitions(16);
      broken.setReadThrough(true).setCacheLoaderFactory(new ClosingLoaderFactory(name));
      broken.setWriteThrough(true).setCacheWriterFactory(new ThrowingWriterFactory());

      RuntimeException e =
          assertThrows(RuntimeException.class, () -> manager.createCache(name, broken));
      assertSame(NO_DATABASE, e, "the factory's own exception reaches the caller");
      assertEquals(
          0L, redis.command("EXISTS", "cascade:" + name + ":meta"), "no registry entry left");
      assertTrue(LOADERS_CLOSED.getOrDefault(name, false), "the loader made first was closed");

      // corrected, and with other settings: accepted, as nothing of the failed attempt remains
      CascadeConfiguration<String, String> fixed =
          new CascadeConfiguration<String, String>()
              .setTypes(String.class, String.class)
              .setPartitions(4);
      fixed.setWriteThrough(true).setCacheWriterFactory(MapDatabase.writerFactory(name));
      Cache<String, String> cache = manager.createCache(name, fixed);
      cache.put("k", "v");
      assertEquals("v", MapDatabase.<String, String>table(name).get("k"));
    }
  }

  /** A writer factory that fails, as one whose database is unreachable does. */
  public static final class ThrowingWriterFactory
      implements Factory<CacheWriter<String, String>>, Serializable {
    @Override
    public CacheWriter<String, String> create() {
      throw NO_DATABASE;
    }
  }

  /** Makes a loader that records its close under the cache's name. */
  public static final class ClosingLoaderFactory
      implements Factory<CacheLoader<String, String>>, Serializable {
    private final String cacheName;

    ClosingLoaderFactory(String cacheName) {
      this.cacheName = cacheName;
    }

    @Override
    public CacheLoader<String, String> create() {
      return new ClosingLoader(cacheName);
    }
  }

  static final class ClosingLoader implements CacheLoader<String, String>, Closeable {
    private final String cacheName;

    ClosingLoader(String cacheName) {
      this.cacheName = cacheName;
    }

    @Override
    public String load(String key) {
      return null;
    }

    @Override
    public Map<String, String> loadAll(Iterable<? extends String> keys) {
      return Map.of();
    }

    @Override
    public void close() {
      LOADERS_CLOSED.put(cacheName, true);
    }
  }
}
