package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.Await;
import dev.cascade.testing.LogCapture;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
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
 *
 * <p>And a writer that closes the manager itself while another thread's close waits for it: its
 * close returns at once instead of waiting for that close, which waits for the writer's call.
 */
@WithRedis
@Timeout(120)
class ManagerCloseCallsInFlightTest {

  /** The database. */
  static final Map<String, String> TABLE = new ConcurrentHashMap<>();

  static volatile CountDownLatch entered = new CountDownLatch(1);
  static volatile CountDownLatch release = new CountDownLatch(1);

  /** The manager {@link HoldingWriter} closes once released, when a test sets one. */
  static volatile CacheManager closeAfterRelease;

  /** Counted down when the writer's own close() returned. */
  static volatile CountDownLatch writerCloseReturned = new CountDownLatch(1);

  /** What the writer's own close() threw, if it threw. */
  static final AtomicReference<Throwable> writerCloseFailure = new AtomicReference<>();

  @AfterEach
  void reset() {
    release.countDown();
    closeAfterRelease = null;
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

  /**
   * Thread A closes the manager and waits for the calls in flight; one of them, on thread B, is in
   * its writer, which closes the manager too. A second close() waits for the first one to end, but
   * not on a thread inside a cache call: A waits for B's call, so each would wait for the other
   * until A's 30 s bound on calls in flight, after which A closes the connection under B's put and
   * logs a WARNING. Instead B's close returns at once, B's put ends as a put in flight does (the
   * new value in the database and in Redis, no lock left), and A's close ends with it.
   *
   * <p>No timing assertion: the stall would last 30 s ({@code CALLS_IN_FLIGHT_WAIT}), so the
   * {@code @Timeout} of 20 s fails it; and before that the test sees B parked in the wait for A's
   * close, which only a close that ignores the cache call can reach.
   */
  @Test
  @Timeout(20)
  void aWriterThatClosesTheManager_whileAnotherCloseWaitsForIt_returnsAndLetsThatCloseEnd(
      RedisServer redis) throws Exception {
    entered = new CountDownLatch(1);
    release = new CountDownLatch(1);
    writerCloseReturned = new CountDownLatch(1);
    writerCloseFailure.set(null);
    String name = Managers.uniqueName("selfClosingInFlight");
    CacheManager manager = Managers.open(redis);
    AtomicReference<Throwable> putFailure = new AtomicReference<>();
    Thread put = null;
    Thread close = null;
    try (LogCapture log = LogCapture.of("dev.cascade", Level.WARNING)) {
      Cache<String, String> cache = manager.createCache(name, config());
      cache.put("k", "v1");
      closeAfterRelease = manager;

      // thread B: its put's writer commits v2, waits for release, then closes the manager
      put =
          new Thread(
              () -> {
                try {
                  cache.put("k", "v2");
                } catch (Throwable t) {
                  putFailure.set(t);
                }
              },
              "put-v2-closing");
      put.start();
      assertTrue(entered.await(10, TimeUnit.SECONDS), "the writer was called with v2");

      // thread A: the first close, which must be waiting for B's call before B closes too;
      // otherwise B's close would be the first one and the case would not arise
      close = new Thread(manager::close, "close");
      close.start();
      Thread closing = close;
      Await.until(
          "close() returned or waits for the put",
          () -> closing.getState() == Thread.State.TERMINATED || waitsForCalls(closing));
      assertTrue(waitsForCalls(close), "the first close() waits for the put in its writer");

      release.countDown();
      // B's close either returns, or (the defect) waits for A's close: a thread parked in
      // awaitClosed's latch can only be one that did not see it runs inside a cache call
      Thread writing = put;
      Await.until(
          "the writer's close() returned or waits for the first close()",
          () -> writerCloseReturned.getCount() == 0 || waitsForTheFirstClose(writing));
      assertEquals(
          0,
          writerCloseReturned.getCount(),
          "the writer's close() returns at once, not waiting for the close that waits for its call");

      // bounded by @Timeout: without the fix both would stall for the 30 s of calls in flight
      put.join();
      close.join();

      assertNull(writerCloseFailure.get(), "the writer's close() returned without a failure");
      assertNull(putFailure.get(), "the put whose writer closed the manager ended normally");
      assertTrue(manager.isClosed(), "the manager is closed");
      assertEquals("v2", TABLE.get("k"), "the writer wrote v2 to the database");
      assertEquals(
          List.of(),
          log.messages(Level.WARNING, "still running after"),
          "the first close() did not give up waiting for the calls in flight" + log.describe());
    } finally {
      release.countDown();
      // a failing run leaves A in its wait for calls and B in its wait for A: an interrupt ends
      // both waits (and A then closes at once)
      for (Thread t : new Thread[] {put, close}) {
        if (t != null) {
          t.interrupt();
          t.join(10_000);
        }
      }
      manager.close();
    }

    // the put ended normally while the connection was still open: Redis holds v2, not v1, and
    // the key's lock was given back
    try (CacheManager other = Managers.open(redis)) {
      assertEquals("v2", other.getCache(name, String.class, String.class).get("k"));
    }
    assertEquals(
        List.of(), redis.command("KEYS", "cascade:" + name + "#lock:*"), "no lock remains");
  }

  /** True when {@code t} waits in {@code awaitClosed} for the first close to end. */
  private static boolean waitsForTheFirstClose(Thread t) {
    StackTraceElement[] frames = t.getStackTrace();
    for (int i = 1; i < frames.length; i++) {
      if (frames[i].getClassName().equals(CascadeCacheManager.class.getName())
          && frames[i].getMethodName().equals("awaitClosed")
          && frames[i - 1].getClassName().equals(CountDownLatch.class.getName())) {
        return true;
      }
    }
    return false;
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

  /**
   * Writes into {@link #TABLE}; after writing v2 it waits for {@link #release} (at most 60 s), then
   * closes {@link #closeAfterRelease} if a test set one.
   */
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
        CacheManager manager = closeAfterRelease;
        if (manager != null) {
          try {
            manager.close();
          } catch (Throwable t) {
            writerCloseFailure.set(t);
          } finally {
            writerCloseReturned.countDown();
          }
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
