package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.testing.MapDatabase;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import dev.cascade.writebehind.WriteBehind;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.integration.CacheWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code CacheManager.close()} with six caches (write-behind, listeners, a near cache): while Redis
 * is up it gives back what it holds; while Redis is down it must not wait a command timeout per
 * cleanup command (leases, listener marks and heartbeats expire by themselves).
 */
@WithRedis
@Timeout(180)
class ManagerCloseTest {

  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);

  @Test
  void close_whileRedisIsDown_returnsWithinOneCommandTimeout(RedisServer redis) {
    CacheManager manager =
        Managers.open(redis.uri() + "?timeout=" + COMMAND_TIMEOUT.toSeconds() + "s");
    try {
      List<String> names = openSixCaches(manager);
      redis.kill();
      long started = System.nanoTime();
      manager.close();
      long millis = (System.nanoTime() - started) / 1_000_000;
      System.out.printf(
          "closing %d caches with Redis down took %d ms (command timeout %d ms)%n",
          names.size(), millis, COMMAND_TIMEOUT.toMillis());
      assertTrue(
          millis < 2 * COMMAND_TIMEOUT.toMillis(),
          "close() returned within two command timeouts: " + millis + " ms");
    } finally {
      manager.close();
      redis.restart();
    }
  }

  @Test
  void close_whileRedisIsPaused_returnsWithinTwoCommandTimeouts(RedisServer redis)
      throws Exception {
    CacheManager manager =
        Managers.open(redis.uri() + "?timeout=" + COMMAND_TIMEOUT.toSeconds() + "s");
    try {
      openSixCaches(manager);
      // unlike a killed server, a paused one keeps its connections open: only timeouts tell
      signal(redis, "-STOP");
      long started = System.nanoTime();
      manager.close();
      long millis = (System.nanoTime() - started) / 1_000_000;
      System.out.printf(
          "closing 6 caches with Redis paused took %d ms (command timeout %d ms)%n",
          millis, COMMAND_TIMEOUT.toMillis());
      assertTrue(
          millis < 2 * COMMAND_TIMEOUT.toMillis(),
          "close() returned within two command timeouts: " + millis + " ms");
    } finally {
      signal(redis, "-CONT");
      manager.close();
    }
  }

  private static void signal(RedisServer redis, String signal) throws Exception {
    Process kill =
        new ProcessBuilder("kill", signal, Long.toString(redis.pid())).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill " + signal);
  }

  @Test
  void close_whileRedisIsUp_givesBackLeasesListenerMarksAndHeartbeats(RedisServer redis) {
    CacheManager manager = Managers.open(redis.uri());
    List<String> names;
    try {
      names = openSixCaches(manager);
    } finally {
      manager.close();
    }
    for (String name : names) {
      assertEquals(
          List.of(), redis.command("KEYS", "cascade:" + name + "#lease:*"), "leases of " + name);
      assertEquals(
          List.of(),
          redis.command("KEYS", "cascade:" + name + "#listen:*"),
          "listener marks of " + name);
      assertEquals(
          0L, redis.command("HLEN", "cascade:" + name + "#flushers"), "heartbeats of " + name);
    }
    for (String name : names) {
      if (name.startsWith("behind")) {
        assertEquals(
            "v",
            MapDatabase.<String, String>table(name).get("k"),
            "what was queued in " + name + " was drained");
      }
    }
  }

  /**
   * A manager drains its write-behind caches side by side: each cache's writer waits (at most 20 s,
   * longer than the drain timeout) until the other cache's writer was called too. Drained one after
   * another, the first cache's drain gave up while its writer waited for a cache that had not
   * started draining, and its records stayed queued.
   */
  @Test
  void close_drainsWriteBehindCachesSideBySide(RedisServer redis) {
    List<String> names = new ArrayList<>();
    CacheManager manager = Managers.open(redis.uri());
    try {
      CountDownLatch bothCalled = new CountDownLatch(2);
      RENDEZVOUS.put("latch", bothCalled);
      for (int i = 0; i < 2; i++) {
        String name = Managers.uniqueName("sideBySide");
        names.add(name);
        MutableConfiguration<String, String> c =
            new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class)
                .setWriteThrough(true)
                .setCacheWriterFactory(
                    WriteBehind.of(new RendezvousWriterFactory(name))
                        // nothing flushes before the close
                        .maxDelay(Duration.ofMinutes(10))
                        .drainTimeout(Duration.ofSeconds(5))
                        .build());
        manager.createCache(name, c).put("k", "v");
      }
    } finally {
      manager.close();
      RENDEZVOUS.clear();
    }
    for (String name : names) {
      assertEquals(
          Boolean.TRUE, MET.get(name), name + "'s writer met the other cache's writer in time");
      assertEquals("v", MapDatabase.<String, String>table(name).get("k"), name + " drained");
      assertEquals(0L, queuedRecords(redis, name), name + "'s queue is empty after close");
    }
  }

  /**
   * A write-behind cache closed right after it opened drains what it wrote: its flusher took its
   * share of the partitions when it started, not later on a thread of its own, which a close could
   * overtake (then the drain found nothing held, and the records waited in Redis).
   */
  @Test
  void aWriteBehindCacheClosedRightAfterItOpened_drainsWhatItWrote(RedisServer redis) {
    try (CacheManager manager = Managers.open(redis.uri())) {
      for (int i = 0; i < 5; i++) {
        String name = Managers.uniqueName("shortLived");
        Cache<String, String> cache =
            manager.createCache(
                name,
                new MutableConfiguration<String, String>()
                    .setTypes(String.class, String.class)
                    .setWriteThrough(true)
                    .setCacheWriterFactory(
                        WriteBehind.of(MapDatabase.<String, String>writerFactory(name))
                            .maxDelay(Duration.ofMinutes(10))
                            .build()));
        cache.put("k", "v");
        cache.close();
        assertEquals("v", MapDatabase.<String, String>table(name).get("k"), name + " drained");
        assertEquals(0L, queuedRecords(redis, name), name + "'s queue is empty after close");
      }
    }
  }

  /** Records still in the cache's write-behind streams. */
  private static long queuedRecords(RedisServer redis, String name) {
    long total = 0;
    for (Object stream : (List<?>) redis.command("KEYS", "cascade:" + name + "#wb:*")) {
      total += (Long) redis.command("XLEN", stream.toString());
    }
    return total;
  }

  static final Map<String, CountDownLatch> RENDEZVOUS = new ConcurrentHashMap<>();
  static final Map<String, Boolean> MET = new ConcurrentHashMap<>();

  /** A MapDatabase writer whose first call waits until the other cache's writer was called. */
  public static final class RendezvousWriterFactory
      implements Factory<CacheWriter<String, String>>, Serializable {
    private final String name;

    RendezvousWriterFactory(String name) {
      this.name = name;
    }

    @Override
    public CacheWriter<String, String> create() {
      CacheWriter<String, String> table = MapDatabase.<String, String>writerFactory(name).create();
      return new CacheWriter<>() {
        @Override
        public void write(Cache.Entry<? extends String, ? extends String> entry) {
          meet();
          table.write(entry);
        }

        @Override
        public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
          meet();
          table.writeAll(entries);
        }

        @Override
        public void delete(Object key) {
          table.delete(key);
        }

        @Override
        public void deleteAll(Collection<?> keys) {
          table.deleteAll(keys);
        }
      };
    }

    private void meet() {
      CountDownLatch latch = RENDEZVOUS.get("latch");
      if (latch == null || MET.containsKey(name)) {
        return;
      }
      latch.countDown();
      try {
        MET.put(name, latch.await(20, TimeUnit.SECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        MET.put(name, false);
      }
    }
  }

  /**
   * Three write-behind caches (one with a listener), two caches with listeners, one with a near
   * cache too.
   */
  private static List<String> openSixCaches(CacheManager manager) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String name = Managers.uniqueName("behind");
      MutableConfiguration<String, String> c =
          new MutableConfiguration<String, String>()
              .setTypes(String.class, String.class)
              .setWriteThrough(true)
              .setCacheWriterFactory(
                  WriteBehind.of(MapDatabase.<String, String>writerFactory(name))
                      .maxDelay(Duration.ofSeconds(30))
                      .build());
      if (i == 0) {
        c.addCacheEntryListenerConfiguration(listener());
      }
      names.add(name);
      manager.createCache(name, c).put("k", "v");
    }
    for (int i = 0; i < 3; i++) {
      String name = Managers.uniqueName("listened");
      CascadeConfiguration<String, String> c =
          new CascadeConfiguration<String, String>().setTypes(String.class, String.class);
      c.addCacheEntryListenerConfiguration(listener());
      if (i == 2) {
        c.setNearCache(100);
      }
      names.add(name);
      Cache<String, String> cache = manager.createCache(name, c);
      cache.put("k", "v");
      cache.get("k");
    }
    return names;
  }

  private static MutableCacheEntryListenerConfiguration<String, String> listener() {
    return new MutableCacheEntryListenerConfiguration<>(
        FactoryBuilder.factoryOf(Created.class), null, false, false);
  }

  /** A listener that does nothing: it only makes the cache listen. */
  public static final class Created
      implements CacheEntryCreatedListener<String, String>, Serializable {
    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {}
  }
}
