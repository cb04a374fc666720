package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.Await;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A manager closing while a write-through put is in its writer: the close waits for the put, which
 * then writes the new value to Redis (or takes the entry out) and gives its lock back. Before, the
 * close closed the connection under the put: the database had v2, Redis kept v1, and the key's lock
 * stayed for its lease.
 */
@WithRedis
@Timeout(120)
class ManagerCloseCallsInFlightTest {

  /** The database. */
  static final Map<String, String> TABLE = new ConcurrentHashMap<>();

  static volatile CountDownLatch entered = new CountDownLatch(1);
  static volatile CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void reset() {
    release.countDown();
    TABLE.clear();
  }

  @Test
  void aPutInItsWriter_whenTheManagerCloses_endsWithTheDatabasesValueInRedis(RedisServer redis)
      throws Exception {
    entered = new CountDownLatch(1);
    release = new CountDownLatch(1);
    String name = Managers.uniqueName("inFlight");
    CacheManager manager = Managers.open(redis);
    AtomicReference<Throwable> putFailure = new AtomicReference<>();
    try {
      Cache<String, String> cache = manager.createCache(name, config());
      cache.put("k", "v1");

      Thread put =
          new Thread(
              () -> {
                try {
                  cache.put("k", "v2"); // the writer commits v2, then waits
                } catch (Throwable t) {
                  putFailure.set(t);
                }
              },
              "put-v2");
      put.start();
      assertTrue(entered.await(60, TimeUnit.SECONDS), "the writer was called with v2");

      Thread close = new Thread(manager::close, "close");
      close.start();
      // either it closed already (the defect) or it waits for the calls in flight
      Await.until(
          "close() returned or waits for the put",
          () -> close.getState() == Thread.State.TERMINATED || waitsForCalls(close));
      assertThrows(
          IllegalStateException.class,
          () -> cache.put("k", "v3"),
          "a call that starts once the close started fails");
      release.countDown();
      put.join(60_000);
      close.join(60_000);

      assertEquals("v2", TABLE.get("k"));
    } finally {
      manager.close();
    }

    try (CacheManager other = Managers.open(redis)) {
      String cached = other.getCache(name, String.class, String.class).get("k");
      assertNotEquals("v1", cached, "Redis never keeps the value the database replaced");
    }
    assertEquals(
        List.of(), redis.command("KEYS", "cascade:" + name + "#lock:*"), "no lock remains");
    assertNull(putFailure.get(), "the put that was in flight ended without a failure");
  }

  private static boolean waitsForCalls(Thread t) {
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getClassName().equals(CascadeCacheManager.class.getName())
          && e.getMethodName().equals("awaitCallsInFlight")) {
        return true;
      }
    }
    return false;
  }

  private static MutableConfiguration<String, String> config() {
    return new MutableConfiguration<String, String>()
        .setTypes(String.class, String.class)
        .setWriteThrough(true)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(HoldingWriter.class));
  }

  /** Writes into {@link #TABLE}; after writing v2 it waits for {@link #release} (at most 60 s). */
  public static final class HoldingWriter implements CacheWriter<String, String> {
    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      TABLE.put(entry.getKey(), entry.getValue());
      if ("v2".equals(entry.getValue())) {
        entered.countDown();
        try {
          release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      entries.forEach(this::write);
      entries.clear();
    }

    @Override
    public void delete(Object key) {
      TABLE.remove(key);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      keys.forEach(this::delete);
      keys.clear();
    }
  }
}
