package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import dev.cascade.testing.WithRedis;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.MutableEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The concurrency contract, each part with a test that would catch its breaking. */
@WithRedis
@Timeout(120)
class ConcurrencyTest {

  private static CacheManager first;
  private static CacheManager second;

  @BeforeAll
  static void open(RedisServer redis) {
    first = Managers.open(redis);
    second = Managers.open(redis);
  }

  @AfterAll
  static void close() {
    first.close();
    second.close();
  }

  /** Adds one to a Long, creating it at 1. */
  static final class Increment implements EntryProcessor<String, Long, Long>, Serializable {
    @Override
    public Long process(MutableEntry<String, Long> entry, Object... arguments) {
      long next = entry.exists() ? entry.getValue() + 1 : 1;
      entry.setValue(next);
      return next;
    }
  }

  @Test
  void invoke_incrementsFrom16ThreadsOfTwoManagers_loseNoUpdate() throws Exception {
    String name = Managers.uniqueName("counter");
    MutableConfiguration<String, Long> c =
        new MutableConfiguration<String, Long>().setTypes(String.class, Long.class);
    Cache<String, Long> a = first.createCache(name, c);
    Cache<String, Long> b = second.createCache(name, c);
    int threads = 16;
    int perThread = 150;
    runTogether(
        threads,
        i -> {
          Cache<String, Long> cache = i % 2 == 0 ? a : b;
          for (int n = 0; n < perThread; n++) {
            cache.invoke("hits", new Increment());
          }
        });
    assertEquals(threads * perThread, a.get("hits"));
  }

  /** Counts loads, and is slow enough that concurrent misses overlap. */
  public static final class SlowCountingLoader
      implements CacheLoader<String, String>, Serializable {
    static final AtomicInteger LOADS = new AtomicInteger();

    @Override
    public String load(String key) {
      LOADS.incrementAndGet();
      sleep(300);
      return "loaded-" + key;
    }

    @Override
    public Map<String, String> loadAll(Iterable<? extends String> keys) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void readThrough_concurrentMissesOfOneKey_callTheLoaderOnce() throws Exception {
    MutableConfiguration<String, String> c =
        new MutableConfiguration<String, String>()
            .setTypes(String.class, String.class)
            .setReadThrough(true)
            .setCacheLoaderFactory(FactoryBuilder.factoryOf(SlowCountingLoader.class));
    Cache<String, String> cache = first.createCache(Managers.uniqueName("single-flight"), c);
    SlowCountingLoader.LOADS.set(0);
    List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    runTogether(16, i -> seen.add(cache.get("k")));
    assertEquals(1, SlowCountingLoader.LOADS.get());
    assertEquals(16, seen.size());
    seen.forEach(v -> assertEquals("loaded-k", v));
  }

  /**
   * Writes to a real table; pauses between its statement and its return, so an unserialised pair of
   * puts would interleave as "A writes DB, B writes DB, B writes cache, A writes cache".
   */
  public static final class SlowTableWriter implements CacheWriter<String, String>, Serializable {
    static volatile String table;

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      sleep(ThreadLocalRandom.current().nextInt(3));
      TestDatabase.execute(
          "INSERT INTO " + table + " (k, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = VALUES(v)",
          entry.getKey(),
          entry.getValue());
      sleep(ThreadLocalRandom.current().nextInt(3));
    }

    @Override
    public void writeAll(
        java.util.Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      for (var it = entries.iterator(); it.hasNext(); ) {
        write(it.next());
        it.remove();
      }
    }

    @Override
    public void delete(Object key) {
      sleep(ThreadLocalRandom.current().nextInt(3));
      TestDatabase.execute("DELETE FROM " + table + " WHERE k = ?", key);
      sleep(ThreadLocalRandom.current().nextInt(3));
    }

    @Override
    public void deleteAll(java.util.Collection<?> keys) {
      for (var it = keys.iterator(); it.hasNext(); ) {
        delete(it.next());
        it.remove();
      }
    }
  }

  /**
   * Rounds of racing writes to one key from 8 threads of two managers; after every round the cache
   * and the database must hold the same value (or both none). Without the per-key lock a round ends
   * torn within a few dozen rounds (checked by disabling it).
   */
  @Test
  void writeThrough_racingPutsAndRemovesFromTwoManagers_leaveCacheEqualToDatabaseAfterEveryRound()
      throws Exception {
    String table = TestDatabase.uniqueTableName("wt_race");
    TestDatabase.execute(
        "CREATE TABLE " + table + " (k VARCHAR(64) PRIMARY KEY, v VARCHAR(64) NOT NULL)");
    SlowTableWriter.table = table;
    try {
      String name = Managers.uniqueName("write-through");
      MutableConfiguration<String, String> c =
          new MutableConfiguration<String, String>()
              .setTypes(String.class, String.class)
              .setWriteThrough(true)
              .setCacheWriterFactory(FactoryBuilder.factoryOf(SlowTableWriter.class));
      Cache<String, String> a = first.createCache(name, c);
      Cache<String, String> b = second.createCache(name, c);
      List<String> torn = java.util.Collections.synchronizedList(new ArrayList<>());
      int threads = 8;
      int rounds = 200;
      CyclicBarrier roundEnd =
          new CyclicBarrier(
              threads,
              () -> {
                Map<String, String> database =
                    TestDatabase.queryMap("SELECT k, v FROM " + table, String.class, String.class);
                String cached = a.get("k");
                if (!java.util.Objects.equals(database.get("k"), cached)) {
                  torn.add("database " + database.get("k") + ", cache " + cached);
                }
              });
      runTogether(
          threads,
          i -> {
            Cache<String, String> cache = i % 2 == 0 ? a : b;
            for (int round = 0; round < rounds; round++) {
              if (ThreadLocalRandom.current().nextInt(4) == 0) {
                cache.remove("k");
              } else {
                cache.put("k", "t" + i + "-r" + round);
              }
              roundEnd.await(30, TimeUnit.SECONDS);
            }
          });
      assertEquals(List.of(), torn, "rounds that ended with cache and database apart");
    } finally {
      TestDatabase.dropTable(table);
    }
  }

  interface Body {
    void run(int thread) throws Exception;
  }

  /** Starts {@code threads} bodies at the same instant and waits for all (rethrowing failures). */
  static void runTogether(int threads, Body body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CyclicBarrier start = new CyclicBarrier(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int thread = i;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  body.run(thread);
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(100, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
