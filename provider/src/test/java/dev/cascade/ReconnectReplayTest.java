package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.testing.MapDatabase;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
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
 * The client's connections are killed every 15 ms ({@code CLIENT KILL TYPE normal}) while threads
 * change entries. Lettuce sends a command whose reply was lost again after it reconnects; a change
 * must still take effect once and report what it did: counters end at the number of increments that
 * returned, a {@code putIfAbsent} of a key nobody else writes answers true, and a write-through put
 * never waits for the lock its own first send took.
 */
@WithRedis
@Timeout(180)
class ReconnectReplayTest {

  private static final long RUN_MILLIS = 8_000;

  /**
   * Threads that change entries of one cache at once where their changes must share {@code
   * changes.lua} calls: more than the sixteen calls a lane has on the wire while Redis does not
   * queue ({@code CallsInFlight.WIDE}), so some changes always wait and go together, and a resend
   * repeats the changes of several threads.
   */
  private static final int SHARING_THREADS = 24;

  /** Counters the sharing threads increment: several threads race on each. */
  private static final int COUNTERS = 4;

  @Test
  void invokeAndPutIfAbsent_connectionsKilledInALoop_eachTakesEffectOnceAndSaysSo(RedisServer redis)
      throws Exception {
    CacheManager manager = Managers.open(redis.uri() + "?timeout=10s");
    ExecutorService threads = Executors.newFixedThreadPool(SHARING_THREADS + 3);
    try {
      Cache<String, Long> counters =
          manager.createCache(
              Managers.uniqueName("replay-counter"),
              new MutableConfiguration<String, Long>().setTypes(String.class, Long.class));
      Cache<String, String> fresh =
          manager.createCache(
              Managers.uniqueName("replay-fresh"),
              new MutableConfiguration<String, String>().setTypes(String.class, String.class));
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong increments = new AtomicLong();
      AtomicInteger failedIncrements = new AtomicInteger();
      // failed without saying whether Redis ran it (a timeout, say): it may count
      AtomicInteger mayHaveIncremented = new AtomicInteger();
      AtomicInteger falseAbsent = new AtomicInteger();
      AtomicInteger createdAbsent = new AtomicInteger();
      Map<String, String> failures = new ConcurrentHashMap<>();
      List<Future<?>> running = new ArrayList<>();
      // their compare-and-sets share calls: one may fail behind another of its call
      for (int t = 0; t < SHARING_THREADS; t++) {
        String counter = "counter-" + t % COUNTERS;
        running.add(
            threads.submit(
                () -> {
                  while (!stop.get()) {
                    try {
                      counters.invoke(counter, new ConcurrencyTest.Increment());
                      increments.incrementAndGet();
                    } catch (CacheException e) {
                      failedIncrements.incrementAndGet();
                      if (!changedNothing(e)) {
                        mayHaveIncremented.incrementAndGet();
                      }
                      failures.putIfAbsent(String.valueOf(e.getMessage()), e.toString());
                    }
                  }
                }));
      }
      for (int t = 0; t < 2; t++) {
        int thread = t;
        running.add(
            threads.submit(
                () -> {
                  for (int i = 0; !stop.get(); i++) {
                    try {
                      if (fresh.putIfAbsent("k-" + thread + "-" + i, "v")) {
                        createdAbsent.incrementAndGet();
                      } else {
                        falseAbsent.incrementAndGet();
                      }
                    } catch (CacheException e) {
                      failures.putIfAbsent(String.valueOf(e.getMessage()), e.toString());
                    }
                  }
                }));
      }
      AtomicInteger kills = new AtomicInteger();
      running.add(threads.submit(() -> killConnections(redis, kills, stop)));
      for (Future<?> f : running) {
        f.get(120, TimeUnit.SECONDS);
      }
      String seen =
          increments
              + " increments returned, "
              + failedIncrements
              + " failed, "
              + kills
              + " kills; failures: "
              + failures.values();
      assertTrue(increments.get() > 100, seen);
      long counted = 0;
      for (int c = 0; c < COUNTERS; c++) {
        Long value = counters.get("counter-" + c);
        counted += value == null ? 0 : value;
      }
      String counts = "the counters count each returned increment once: " + counted + ", " + seen;
      assertTrue(counted >= increments.get(), counts);
      assertTrue(counted <= increments.get() + mayHaveIncremented.get(), counts);
      assertEquals(
          0,
          falseAbsent.get(),
          "putIfAbsent of never-used keys answered false ("
              + createdAbsent
              + " answered true): "
              + seen);
    } finally {
      threads.shutdownNow();
      manager.close();
    }
  }

  @Test
  void writeThroughPut_connectionsKilledInALoop_neverWaitsForItsOwnLock(RedisServer redis)
      throws Exception {
    CacheManager manager = Managers.open(redis.uri() + "?timeout=10s");
    ExecutorService threads = Executors.newFixedThreadPool(3);
    try {
      // a lock lease far longer than the wait: a put that found its own lock would fail, not wait
      // it out
      CascadeConfiguration<String, String> config =
          new CascadeConfiguration<String, String>()
              .setLockLease(Duration.ofMinutes(5))
              .setLockWait(Duration.ofSeconds(3));
      config
          .setTypes(String.class, String.class)
          .setWriteThrough(true)
          .setCacheWriterFactory(MapDatabase.<String, String>writerFactory("replay-lock"));
      Cache<String, String> cache = manager.createCache(Managers.uniqueName("replay-lock"), config);
      Storm storm =
          putWhileKillingConnections(
              redis, threads, 2, (thread, i) -> cache.put("w-" + thread + "-" + (i % 20), "v" + i));
      AtomicInteger puts = storm.puts;
      Map<String, String> failures = storm.failures;
      List<String> lockWaits = new ArrayList<>();
      failures.forEach(
          (message, e) -> {
            if (message.contains("waiting for the write-through lock")) {
              lockWaits.add(e);
            }
          });
      assertEquals(List.of(), lockWaits, "a put waited for a lock after " + puts + " puts");
      assertTrue(puts.get() > 100, puts + " puts, failures: " + failures.values());
    } finally {
      threads.shutdownNow();
      manager.close();
    }
  }

  @Test
  void plainGetsAndGetAlls_connectionsKilledInALoop_neverFail(RedisServer redis) throws Exception {
    CacheManager manager = Managers.open(redis.uri() + "?timeout=10s");
    ExecutorService threads = Executors.newFixedThreadPool(9);
    try {
      Cache<String, String> cache =
          manager.createCache(
              Managers.uniqueName("replay-get"),
              new MutableConfiguration<String, String>().setTypes(String.class, String.class));
      for (int k = 0; k < 100; k++) {
        cache.put("k" + k, "v" + k);
      }
      // a read changes nothing, so a read lost with its connection is sent again, never failed
      Storm storm =
          putWhileKillingConnections(
              redis,
              threads,
              8,
              (thread, i) -> {
                if (i % 2 == 0) {
                  Map<String, String> some = cache.getAll(Set.of("k1", "k2", "k3"));
                  assertEquals(Map.of("k1", "v1", "k2", "v2", "k3", "v3"), some);
                } else {
                  assertEquals("v" + i % 100, cache.get("k" + i % 100));
                }
              });
      assertTrue(storm.puts.get() > 100, storm.puts + " gets and getAlls");
      assertEquals(Map.of(), storm.failures, "reads failed after " + storm.puts + " reads");
    } finally {
      threads.shutdownNow();
      manager.close();
    }
  }

  @Test
  void putWithAListener_connectionsKilledInALoop_aNewKeyIsAlwaysReportedCreated(RedisServer redis)
      throws Exception {
    CacheManager manager = Managers.open(redis.uri() + "?timeout=10s");
    ExecutorService threads = Executors.newFixedThreadPool(SHARING_THREADS + 1);
    try {
      Cache<String, String> cache =
          manager.createCache(
              Managers.uniqueName("replay-listened"),
              new MutableConfiguration<String, String>().setTypes(String.class, String.class));
      TypeCounter heard = new TypeCounter();
      // synchronous: every event is counted before its put returns
      cache.registerCacheEntryListener(
          new MutableCacheEntryListenerConfiguration<>(
              new FactoryBuilder.SingletonFactory<>(heard), null, false, true));
      // their puts share changes.lua calls (ListenedPutsTest), resent as a whole
      Storm storm =
          putWhileKillingConnections(
              redis,
              threads,
              SHARING_THREADS,
              (thread, i) -> cache.put("new-" + thread + "-" + i, "v"));
      AtomicInteger puts = storm.puts;
      Map<String, String> failures = storm.failures;
      String seen = puts + " puts of new keys; failures: " + failures.values();
      assertTrue(puts.get() > 100, seen);
      assertEquals(0, heard.updated.get(), "a put of a new key was reported as an update: " + seen);
      assertTrue(heard.created.get() >= puts.get(), heard.created + " created events, " + seen);
    } finally {
      threads.shutdownNow();
      manager.close();
    }
  }

  /**
   * Kills every normal client connection every 15 ms for {@link #RUN_MILLIS}, counting the kills,
   * then sets {@code stop} (also if a kill fails, so the threads it stops do not run on).
   */
  private static void killConnections(RedisServer redis, AtomicInteger kills, AtomicBoolean stop) {
    try {
      long end = System.currentTimeMillis() + RUN_MILLIS;
      while (System.currentTimeMillis() < end) {
        redis.command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
        kills.incrementAndGet();
        sleep(15);
      }
    } finally {
      stop.set(true);
    }
  }

  /**
   * Whether a failed change is known to have changed nothing: it gave up after changes of others
   * kept winning, or it was never sent.
   */
  private static boolean changedNothing(CacheException e) {
    String message = String.valueOf(e.getMessage());
    return message.contains("Gave up changing") || message.contains("was not sent to Redis");
  }

  /** What the threads putting through a storm of killed connections saw. */
  private record Storm(AtomicInteger puts, Map<String, String> failures) {}

  /**
   * {@code putters} threads call {@code put(thread, i)} for i = 0, 1, … while every normal client
   * connection is killed every 15 ms for {@link #RUN_MILLIS}: counts the puts that returned, and
   * keeps one failure per message. {@code threads} needs {@code putters} + 1 threads.
   */
  private static Storm putWhileKillingConnections(
      RedisServer redis, ExecutorService threads, int putters, BiConsumer<Integer, Integer> put)
      throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    Storm storm = new Storm(new AtomicInteger(), new ConcurrentHashMap<>());
    List<Future<?>> running = new ArrayList<>();
    for (int t = 0; t < putters; t++) {
      int thread = t;
      running.add(
          threads.submit(
              () -> {
                for (int i = 0; !stop.get(); i++) {
                  try {
                    put.accept(thread, i);
                    storm.puts.incrementAndGet();
                  } catch (CacheException e) {
                    storm.failures.putIfAbsent(String.valueOf(e.getMessage()), e.toString());
                  }
                }
              }));
    }
    running.add(threads.submit(() -> killConnections(redis, new AtomicInteger(), stop)));
    for (Future<?> f : running) {
      f.get(120, TimeUnit.SECONDS);
    }
    return storm;
  }

  /** Counts created and updated events. */
  static final class TypeCounter
      implements CacheEntryCreatedListener<String, String>,
          CacheEntryUpdatedListener<String, String> {
    final AtomicInteger created = new AtomicInteger();
    final AtomicInteger updated = new AtomicInteger();

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      events.forEach(e -> created.incrementAndGet());
    }

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      events.forEach(e -> updated.incrementAndGet());
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
