package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.Await;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryUpdatedListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Puts into a cache with a listener, from many threads at once. Such puts share {@code changes.lua}
 * calls (threads that put while a call is on the wire go together in the next): each put must still
 * report exactly what it did. Every thread puts the same keys, so each key is created once and
 * updated by every other put, however the puts were gathered into calls. {@link ClusterCacheTest}
 * runs the same check on a cluster, and {@link ReconnectReplayTest} through killed connections.
 */
@WithRedis
@Timeout(120)
class ListenedPutsTest {

  /**
   * Threads that put at once in the tests that need their puts to share calls: more than the
   * sixteen calls a lane has on the wire while Redis does not queue ({@code CallsInFlight.WIDE}),
   * so puts share calls even on a machine where Redis never queues.
   */
  private static final int THREADS = 24;

  @Test
  void manyThreadsPutTheSameKeys_eachKeyIsCreatedOnceAndUpdatedByEveryOtherPut(RedisServer redis)
      throws Exception {
    CacheManager manager = Managers.open(redis.uri());
    try {
      Cache<String, String> cache =
          manager.createCache(Managers.uniqueName("listened-puts"), strings());
      long scriptsBefore = scriptCalls(redis);

      Heard heard = putTheSameKeysFromThreads(cache, THREADS, 2_000);

      long scripts = scriptCalls(redis) - scriptsBefore;
      heard.assertEachKeyCreatedOnce(THREADS, 2_000);
      // the puts did go together: otherwise this test would not test what it is for
      assertTrue(
          scripts < THREADS * 2_000, scripts + " script calls for " + THREADS * 2_000 + " puts");
      for (int k = 0; k < 2_000; k++) {
        assertTrue(cache.get("key-" + k).startsWith("from-"), "key-" + k);
      }
    } finally {
      manager.close();
    }
  }

  @Test
  void oneThread_eachPutIsAloneAndReportsWhatItDid(RedisServer redis) {
    CacheManager manager = Managers.open(redis.uri());
    try {
      Cache<String, String> cache =
          manager.createCache(Managers.uniqueName("listened-alone"), strings());
      Heard heard = listen(cache);
      cache.put("a", "1");
      cache.put("a", "2");
      cache.put("b", "1");
      assertEquals(Map.of("a", 1, "b", 1), heard.created);
      assertEquals(Map.of("a", 1), heard.updated);
      assertEquals("2", cache.get("a"));
    } finally {
      manager.close();
    }
  }

  @Test
  void aKeyOfAnotherTypeInAnEntrysPlace_failsThatPutAlone(RedisServer redis) throws Exception {
    CacheManager manager = Managers.open(redis.uri());
    try {
      Cache<String, String> cache =
          manager.createCache(Managers.uniqueName("listened-planted"), strings());
      listen(cache);
      cache.put("planted", "soon not an entry");
      long scriptsBefore = scriptCalls(redis);
      List<String> entry = keysEndingIn(redis, "planted");
      assertEquals(1, entry.size(), entry.toString());
      redis.command("DEL", entry.get(0));
      redis.command("SET", entry.get(0), "a string");
      AtomicInteger refused = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          running.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < 500; i++) {
                      if (i % 50 == thread) {
                        CacheException e =
                            assertThrows(CacheException.class, () -> cache.put("planted", "v"));
                        assertTrue(e.getMessage().contains("another type"), e.getMessage());
                        refused.incrementAndGet();
                      } else {
                        cache.put("key-" + thread + "-" + i, "v");
                      }
                    }
                    return null;
                  }));
        }
        for (Future<?> f : running) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(THREADS * 10, refused.get());
      long scripts = scriptCalls(redis) - scriptsBefore;
      // some puts did share calls, or the planted key's failure could not have touched others
      assertTrue(scripts < THREADS * 500, scripts + " script calls for " + THREADS * 500 + " puts");
      for (int t = 0; t < THREADS; t++) {
        for (int i = 0; i < 500; i++) {
          if (i % 50 != t) {
            assertEquals("v", cache.get("key-" + t + "-" + i), "key-" + t + "-" + i);
          }
        }
      }
      assertEquals("a string", redis.command("GET", entry.get(0)));
    } finally {
      manager.close();
    }
  }

  /**
   * Redis stops (SIGSTOP) past the command timeout while threads put one after another: the first
   * sixteen (CallsInFlight.WIDE) go out as calls of their own and time out; the puts behind them
   * have waited longer than half the timeout when those end, so they are not sent at all, and say
   * so. A put that its caller gave up on must never be sent after it (it could land after the
   * caller's next change).
   */
  @Test
  void putsWaitingBehindCallsThatTimeOut_areNotSent(RedisServer redis) throws Exception {
    int sent = CALLS_ON_THE_WIRE;
    int queued = 4;
    CacheManager manager = Managers.open(redis.uri() + "?timeout=2s");
    ExecutorService pool = Executors.newFixedThreadPool(sent + queued);
    try {
      Cache<String, String> cache =
          manager.createCache(Managers.uniqueName("listened-paused"), strings());
      listen(cache);
      cache.put("before", "v"); // Redis knows the script before it stops
      Map<String, Future<String>> puts = new LinkedHashMap<>();
      redis.pause();
      try {
        for (int t = 0; t < sent + queued; t++) {
          String key = "paused-" + t;
          puts.put(
              key,
              pool.submit(
                  () -> {
                    try {
                      cache.put(key, "v");
                      return "put";
                    } catch (CacheException e) {
                      return e.getMessage();
                    }
                  }));
          Thread.sleep(30); // each put waits before the next starts: sixteen calls, then a queue
        }
        for (Future<String> put : puts.values()) {
          put.get(60, TimeUnit.SECONDS);
        }
      } finally {
        redis.resume();
      }
      List<String> timedOut = new ArrayList<>();
      List<String> notSent = new ArrayList<>();
      for (Map.Entry<String, Future<String>> put : puts.entrySet()) {
        String said = put.getValue().get();
        if (said.contains("did not answer in time")) {
          timedOut.add(put.getKey());
        } else {
          assertTrue(said.contains("was not sent"), put.getKey() + ": " + said);
          notSent.add(put.getKey());
        }
      }
      assertEquals(sent, timedOut.size(), "sent, then timed out: " + timedOut);
      assertEquals(queued, notSent.size(), "not sent: " + notSent);
      for (String key : timedOut) {
        // sent before the timeout: Redis runs them once it runs again
        Await.until(key + " arrives", () -> cache.containsKey(key));
      }
      for (String key : notSent) {
        assertFalse(cache.containsKey(key), key + " was not sent");
      }
    } finally {
      pool.shutdownNow();
      manager.close();
    }
  }

  /**
   * A put that waits in its lane behind the calls on the wire is not yet in Lettuce's queue: had an
   * interrupt ended its caller's wait there, the caller's next change (sent at once when it does
   * not go through the lane, here a {@code getAndPut}) could reach Redis first, and the put would
   * land after it. The put waits for its reply through the interrupt instead, which stays set for
   * the caller's next blocking call.
   */
  @Test
  void aPutInterruptedWhileItWaitsInItsLane_landsBeforeTheThreadsNextChange(RedisServer redis)
      throws Exception {
    CacheManager manager = Managers.open(redis.uri() + "?timeout=10s");
    ExecutorService pool = Executors.newFixedThreadPool(CALLS_ON_THE_WIRE + 1);
    try {
      Cache<String, String> cache = listenedWithScriptsLoaded(manager, "listened-interrupted");
      AtomicReference<Thread> putting = new AtomicReference<>();
      Future<Boolean> thread;
      redis.pause();
      try {
        fillTheWire(cache, pool);
        thread =
            pool.submit(
                () -> {
                  putting.set(Thread.currentThread());
                  try {
                    cache.put("k", "first"); // waits in the lane: sixteen calls are on the wire
                  } catch (CacheException interruptedBeforeTheFix) {
                    // the change stays queued
                  }
                  boolean interrupted = Thread.interrupted();
                  cache.getAndPut("k", "second"); // mutate.lua, not the lane: sent at once
                  return interrupted;
                });
        Await.until("the put started", () -> putting.get() != null);
        Thread.sleep(200);
        putting.get().interrupt();
        Thread.sleep(
            300); // long enough for the next change to be on the wire, had the put given up
      } finally {
        redis.resume();
      }
      assertTrue(thread.get(30, TimeUnit.SECONDS), "the interrupt stays set for the caller");
      assertEquals("second", cache.get("k"), "the put landed before its thread's next change");
    } finally {
      pool.shutdownNow();
      manager.close();
    }
  }

  /**
   * The same for {@code invoke}: its apply step (a compare-and-set after the processor ran on what
   * it read) waits in the same lane. The processor waits until sixteen calls are on the wire, so
   * that its read went out before Redis stopped and only its apply step waits. Before the fix the
   * interrupt made the invoke throw while its change stayed queued; the thread's next change then
   * found no entry, and the queued compare-and-set failed after it (its guard saw the entry
   * changed): no value was lost, but the invoke's caller was told it failed while it was still to
   * be sent. Now it returns, applied, and its thread's next change comes after it.
   */
  @Test
  void anInvokeInterruptedWhileItsApplyStepWaitsInItsLane_isAppliedBeforeTheThreadsNextChange(
      RedisServer redis) throws Exception {
    CacheManager manager = Managers.open(redis.uri() + "?timeout=10s");
    ExecutorService pool = Executors.newFixedThreadPool(CALLS_ON_THE_WIRE + 1);
    try {
      Cache<String, String> cache = listenedWithScriptsLoaded(manager, "listened-invoked");
      CountDownLatch read = new CountDownLatch(1);
      CountDownLatch apply = new CountDownLatch(1);
      AtomicReference<Thread> invoking = new AtomicReference<>();
      Future<List<Object>> thread =
          pool.submit(
              () -> {
                invoking.set(Thread.currentThread());
                String outcome = "returned";
                try {
                  cache.invoke(
                      "k",
                      (entry, args) -> {
                        read.countDown();
                        Await.throughInterrupts(apply); // an early interrupt is for the apply step
                        entry.setValue("first");
                        return null;
                      });
                } catch (CacheException interruptedBeforeTheFix) {
                  outcome = "threw " + interruptedBeforeTheFix;
                }
                boolean interrupted = Thread.interrupted();
                // mutate.lua, not the lane: sent at once
                String previous = cache.getAndPut("k", "second");
                return List.of(outcome, interrupted, String.valueOf(previous));
              });
      assertTrue(read.await(30, TimeUnit.SECONDS), "the processor ran on what invoke read");
      redis.pause();
      try {
        fillTheWire(cache, pool);
        apply.countDown(); // the apply step now waits in the lane
        Thread.sleep(200);
        invoking.get().interrupt();
        Thread.sleep(300); // long enough for the next change to be on the wire, had it given up
      } finally {
        redis.resume();
      }
      List<Object> seen = thread.get(30, TimeUnit.SECONDS);
      assertEquals(
          List.of("returned", true, "first"),
          seen,
          "the invoke returns applied, the interrupt stays set, and the next change comes after");
      assertEquals("second", cache.get("k"));
    } finally {
      pool.shutdownNow();
      manager.close();
    }
  }

  /** {@code CallsInFlight.WIDE}: calls on the wire at once while Redis does not answer. */
  private static final int CALLS_ON_THE_WIRE = 16;

  /**
   * A listened cache whose scripts Redis has loaded (put, getAndPut, invoke), so that no call of a
   * test that stops Redis goes out twice (NOSCRIPT, then EVAL) and changes its order.
   */
  private static Cache<String, String> listenedWithScriptsLoaded(
      CacheManager manager, String prefix) {
    Cache<String, String> cache = manager.createCache(Managers.uniqueName(prefix), strings());
    listen(cache);
    cache.put("before", "v");
    cache.getAndPut("before", "w");
    cache.invoke(
        "before",
        (entry, args) -> {
          entry.setValue("x");
          return null;
        });
    return cache;
  }

  /** With Redis stopped: puts until as many calls are on the wire as may be at once. */
  private static void fillTheWire(Cache<String, String> cache, ExecutorService pool)
      throws InterruptedException {
    for (int t = 0; t < CALLS_ON_THE_WIRE; t++) {
      String key = "on-the-wire-" + t;
      pool.submit(() -> cache.put(key, "v"));
      Thread.sleep(30); // each put goes out before the next starts
    }
  }

  private static List<String> keysEndingIn(RedisServer redis, String suffix) {
    List<String> found = new ArrayList<>();
    for (Object key : (List<?>) redis.command("KEYS", "*" + suffix)) {
      found.add(key.toString());
    }
    return found;
  }

  static MutableConfiguration<String, String> strings() {
    return new MutableConfiguration<String, String>().setTypes(String.class, String.class);
  }

  /** A synchronous listener on {@code cache}: every event is counted before its put returns. */
  static Heard listen(Cache<String, String> cache) {
    Heard heard = new Heard();
    cache.registerCacheEntryListener(
        new MutableCacheEntryListenerConfiguration<>(
            new FactoryBuilder.SingletonFactory<>(heard), null, false, true));
    return heard;
  }

  /**
   * {@code threads} threads each put {@code keys} keys ({@code key-0} …), the same keys in an order
   * of their own, starting together; returns what a listener heard.
   */
  static Heard putTheSameKeysFromThreads(Cache<String, String> cache, int threads, int keys)
      throws Exception {
    Heard heard = listen(cache);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(threads);
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        List<Integer> order = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
          order.add(k);
        }
        Collections.shuffle(order, new Random(t));
        String value = "from-" + t;
        running.add(
            pool.submit(
                () -> {
                  start.countDown();
                  start.await();
                  for (int k : order) {
                    cache.put("key-" + k, value);
                  }
                  return null;
                }));
      }
      for (Future<?> f : running) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    return heard;
  }

  private static long scriptCalls(RedisServer redis) {
    String stats = redis.info("commandstats").getOrDefault("cmdstat_evalsha", "calls=0,");
    return Long.parseLong(stats.substring("calls=".length(), stats.indexOf(',')));
  }

  /** Created and updated events per key. */
  static final class Heard
      implements CacheEntryCreatedListener<String, String>,
          CacheEntryUpdatedListener<String, String> {
    final Map<String, Integer> created = new ConcurrentHashMap<>();
    final Map<String, Integer> updated = new ConcurrentHashMap<>();
    final AtomicInteger events = new AtomicInteger();

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      events.forEach(e -> count(created, e.getKey()));
    }

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      events.forEach(e -> count(updated, e.getKey()));
    }

    private void count(Map<String, Integer> into, String key) {
      into.merge(key, 1, Integer::sum);
      events.incrementAndGet();
    }

    /** Each of {@code keys} keys created once and updated by each of the other puts of it. */
    void assertEachKeyCreatedOnce(int threads, int keys) {
      assertEquals(threads * keys, events.get(), "events for " + threads * keys + " puts");
      for (int k = 0; k < keys; k++) {
        String key = "key-" + k;
        assertEquals(1, created.getOrDefault(key, 0), "created events of " + key);
        assertEquals(threads - 1, updated.getOrDefault(key, 0), "updated events of " + key);
      }
    }
  }
}
