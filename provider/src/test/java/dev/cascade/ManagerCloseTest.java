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
import java.util.List;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
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
