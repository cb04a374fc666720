package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.testing.MapDatabase;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.io.Closeable;
import java.io.Serializable;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryListener;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@code createCache} whose writer factory throws must leave nothing behind: no registry entry in
 * Redis (which refused the corrected configuration as "other settings" until the cache was
 * destroyed), and the loader already made from its factory is closed. A cache refused for its
 * settings runs no factory at all; one that fails later (a listener factory) closes what it made.
 */
@WithRedis
@Timeout(60)
class FailedCreateCacheTest {

  static final RuntimeException NO_DATABASE = new IllegalStateException("no database here");
  static final Map<String, Boolean> LOADERS_CLOSED = new ConcurrentHashMap<>();
  static final Set<String> CLOSED = ConcurrentHashMap.newKeySet();
  static final Map<String, Integer> LOADERS_MADE = new ConcurrentHashMap<>();

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

  @Test
  void aCacheRefusedForOtherSettings_runsNoFactory(RedisServer redis) {
    String name = Managers.uniqueName("refused");
    try (CacheManager first = Managers.open(redis);
        CacheManager second = Managers.open(redis)) {
      first.createCache(
          name,
          new CascadeConfiguration<String, String>()
              .setTypes(String.class, String.class)
              .setPartitions(4));
      CascadeConfiguration<String, String> other =
          new CascadeConfiguration<String, String>()
              .setTypes(String.class, String.class)
              .setPartitions(16);
      other.setReadThrough(true).setCacheLoaderFactory(new ClosingLoaderFactory(name));
      CacheException e = assertThrows(CacheException.class, () -> second.createCache(name, other));
      assertTrue(e.getMessage().contains("other settings"), e.getMessage());
      assertEquals(
          0,
          LOADERS_MADE.getOrDefault(name, 0),
          "no loader made (and closed: it might be shared) for a refused cache");
    }
  }

  @Test
  void aListenerFactoryThatThrows_closesTheLoaderAlreadyMade(RedisServer redis) {
    String name = Managers.uniqueName("failedListener");
    try (CacheManager manager = Managers.open(redis)) {
      CascadeConfiguration<String, String> c =
          new CascadeConfiguration<String, String>().setTypes(String.class, String.class);
      c.setReadThrough(true).setCacheLoaderFactory(new ClosingLoaderFactory(name));
      c.addCacheEntryListenerConfiguration(
          new MutableCacheEntryListenerConfiguration<String, String>(
              new ThrowingListenerFactory(), null, false, false));
      assertThrows(RuntimeException.class, () -> manager.createCache(name, c));
      assertEquals(1, LOADERS_MADE.getOrDefault(name, 0));
      assertTrue(LOADERS_CLOSED.getOrDefault(name, false), "the loader made was closed");
      assertEquals(
          0L,
          redis.command("EXISTS", "cascade:" + name + ":meta"),
          "the listener was made before the cache was recorded: no registry entry left");

      // corrected, and with other settings: accepted
      manager
          .createCache(
              name,
              new CascadeConfiguration<String, String>()
                  .setTypes(String.class, String.class)
                  .setPartitions(4))
          .put("k", "v");
    }
  }

  /**
   * Redis refuses a command while the cache opens, after the cache was recorded: here {@code
   * SUBSCRIBE}, refused to an ACL user without channel rights (the default for new users since
   * Redis 7.0). The failed attempt takes its registry entry back and closes what it opened, so the
   * cache opens with other settings once the operator granted the right.
   */
  @Test
  void aCacheRedisRefusesWhileOpening_takesItsRegistryEntryBack(RedisServer redis) {
    String name = Managers.uniqueName("refusedOpen");
    String user = "u" + name.hashCode();
    try (RedisServer.TemporaryUser app = redis.userRefusing(user, "pw", "subscribe");
        CacheManager manager = Managers.open(redis.uri(user, "pw"))) {
      CascadeConfiguration<String, String> first =
          new CascadeConfiguration<String, String>()
              .setTypes(String.class, String.class)
              .setPartitions(16);
      first.setReadThrough(true).setCacheLoaderFactory(new ClosingLoaderFactory(name));
      CacheException e = assertThrows(CacheException.class, () -> manager.createCache(name, first));
      assertTrue(e.getMessage().contains(name), e.getMessage());
      assertEquals(
          0L, redis.command("EXISTS", "cascade:" + name + ":meta"), "no registry entry left");
      assertTrue(LOADERS_CLOSED.getOrDefault(name, false), "the loader made was closed");
      assertFalse(
          manager.getCacheNames().iterator().hasNext(), "the manager does not list the cache");

      redis.command("ACL", "SETUSER", user, "+subscribe");
      Cache<String, String> cache =
          manager.createCache(
              name,
              new CascadeConfiguration<String, String>()
                  .setTypes(String.class, String.class)
                  .setPartitions(4));
      cache.put("k", "v");
      assertEquals("v", cache.get("k"));
    }
  }

  /**
   * A cache with a listener whose listener marks Redis refuses (an ACL that forgot the cache's
   * {@code #listen} keys) fails in its last step, after it subscribed to its announcements: the
   * failed attempt unsubscribes, closes its writer and listener, and takes its registry entry back.
   */
  @Test
  void aCacheThatFailsInItsLastStep_unsubscribesAndClosesWhatItMade(RedisServer redis) {
    String name = Managers.uniqueName("refusedMarks");
    String user = "u" + name.hashCode();
    String control = "cascade:" + name + "#control";
    try (RedisServer.TemporaryUser app = redis.userRefusing(user, "pw");
        CacheManager manager = Managers.open(redis.uri(user, "pw"))) {
      String keys = "~cascade:" + name;
      redis.command("ACL", "SETUSER", user, "resetkeys", keys + ":*", keys + "#ops:*");
      CascadeConfiguration<String, String> listened =
          new CascadeConfiguration<String, String>()
              .setTypes(String.class, String.class)
              .setPartitions(16);
      listened.setWriteThrough(true).setCacheWriterFactory(new ClosingWriterFactory(name));
      listened.addCacheEntryListenerConfiguration(
          new MutableCacheEntryListenerConfiguration<String, String>(
              new ClosingListenerFactory(name), null, false, false));

      CacheException e =
          assertThrows(CacheException.class, () -> manager.createCache(name, listened));
      assertTrue(e.getMessage().contains(name), e.getMessage());
      assertEquals(
          0L, redis.command("EXISTS", "cascade:" + name + ":meta"), "no registry entry left");
      assertEquals(
          List.of(control, 0L),
          redis.command("PUBSUB", "NUMSUB", control),
          "the announcements' subscription was given back");
      assertTrue(CLOSED.contains(name + " writer"), "the writer was closed");
      assertTrue(CLOSED.contains(name + " listener"), "the listener was closed");

      redis.command("ACL", "SETUSER", user, "~*");
      CascadeConfiguration<String, String> fewer =
          new CascadeConfiguration<String, String>()
              .setTypes(String.class, String.class)
              .setPartitions(4);
      manager.createCache(name, fewer).put("k", "v");
      assertEquals(List.of(control, 1L), redis.command("PUBSUB", "NUMSUB", control));
    }
  }

  /** A listener factory that fails. */
  public static final class ThrowingListenerFactory
      implements Factory<CacheEntryListener<String, String>>, Serializable {
    @Override
    public CacheEntryListener<String, String> create() {
      throw new IllegalStateException("no listener today");
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

  /** Makes a listener that records its close under the cache's name. */
  public static final class ClosingListenerFactory
      implements Factory<CacheEntryListener<String, String>>, Serializable {
    private final String cacheName;

    ClosingListenerFactory(String cacheName) {
      this.cacheName = cacheName;
    }

    @Override
    public CacheEntryListener<String, String> create() {
      return new ClosingListener(cacheName);
    }
  }

  static final class ClosingListener
      implements CacheEntryCreatedListener<String, String>, Closeable {
    private final String cacheName;

    ClosingListener(String cacheName) {
      this.cacheName = cacheName;
    }

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {}

    @Override
    public void close() {
      CLOSED.add(cacheName + " listener");
    }
  }

  /** Makes a writer that records its close under the cache's name. */
  public static final class ClosingWriterFactory
      implements Factory<CacheWriter<String, String>>, Serializable {
    private final String cacheName;

    ClosingWriterFactory(String cacheName) {
      this.cacheName = cacheName;
    }

    @Override
    public CacheWriter<String, String> create() {
      return new ClosingWriter(cacheName);
    }
  }

  static final class ClosingWriter implements CacheWriter<String, String>, Closeable {
    private final String cacheName;

    ClosingWriter(String cacheName) {
      this.cacheName = cacheName;
    }

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {}

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      entries.clear();
    }

    @Override
    public void delete(Object key) {}

    @Override
    public void deleteAll(Collection<?> keys) {
      keys.clear();
    }

    @Override
    public void close() {
      CLOSED.add(cacheName + " writer");
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
      LOADERS_MADE.merge(cacheName, 1, Integer::sum);
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
