package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.testing.MapDatabase;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis stops answering for a few seconds (SIGSTOP: a long fork, a VM pause) while a {@code putAll}
 * of a write-through cache holds some of its keys' locks and waits for another: the call fails, and
 * afterwards, with Redis healthy again, every key can be written; nothing waits forever on a lock
 * the failed call left behind.
 */
@WithRedis
@Timeout(120)
class WriteLocksHiccupTest {

  @Test
  void putAll_redisPausedWhileWaitingForALock_failsWithTheLockError_andLaterPutsOfItsKeysWork(
      RedisServer redis) throws Exception {
    CacheManager manager = Managers.open(redis.uri() + "?timeout=1s");
    ExecutorService threads = Executors.newFixedThreadPool(2);
    String name = Managers.uniqueName("hiccup");
    try {
      Cache<String, String> cache =
          manager.createCache(
              name,
              new MutableConfiguration<String, String>()
                  .setTypes(String.class, String.class)
                  .setWriteThrough(true)
                  .setCacheWriterFactory(MapDatabase.<String, String>writerFactory("hiccup")));
      // another JVM holds k2's lock: putAll takes k1's (keys are locked in byte order) and waits
      // for k2's
      KeyLayout layout = new KeyLayout(name, CascadeConfiguration.DEFAULT_PARTITIONS);
      String k1Lock = new String(layout.lockKey(ascii("k1")), StandardCharsets.UTF_8);
      String k2Lock = new String(layout.lockKey(ascii("k2")), StandardCharsets.UTF_8);
      redis.command("SET", k2Lock, "another-jvm", "PX", "60000");

      Future<?> putAll = threads.submit(() -> cache.putAll(Map.of("k1", "a", "k2", "b")));
      long deadline = System.currentTimeMillis() + 10_000;
      while (redis.command("EXISTS", k1Lock).equals(0L)) {
        assertTrue(System.currentTimeMillis() < deadline, "putAll never took k1's lock");
        Thread.sleep(5);
      }
      redis.pause();
      try {
        Thread.sleep(
            3_000); // longer than the command timeout: the lock poll and the unlock both time out
      } finally {
        redis.resume();
      }
      Exception failure = assertThrows(Exception.class, () -> putAll.get(60, TimeUnit.SECONDS));
      Throwable cause = failure.getCause();
      assertTrue(cause instanceof CacheException, "putAll failed with " + cause);
      assertTrue(
          cause.getMessage().contains("while locking"),
          "the first error, about taking the lock, is the one reported: " + cause.getMessage());

      redis.command("DEL", k2Lock);
      redis.command(
          "DEL", k1Lock); // k1's lock may have been left: its unlock timed out; it would expire
      // from another thread: a stripe the failed call kept would block it forever
      Future<?> put = threads.submit(() -> cache.put("k1", "c"));
      try {
        put.get(30, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError(
            "put(k1) still waiting 30 s after Redis came back: a local lock was never released");
      }
      assertEquals("c", cache.get("k1"));
      assertEquals("c", MapDatabase.table("hiccup").get("k1"));
    } finally {
      threads.shutdownNow();
      manager.close();
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
