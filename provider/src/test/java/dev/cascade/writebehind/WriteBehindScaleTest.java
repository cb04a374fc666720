package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.jdbc.JdbcCacheWriter;
import dev.cascade.jdbc.TableMapping;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import dev.cascade.testing.WithRedis;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two CacheManagers (like two JVMs) flush one cache together: they share the partitions, order
 * holds.
 */
@WithRedis
@Timeout(180)
class WriteBehindScaleTest {

  /**
   * Writes to the table and logs, per key, the sequence numbers in the order the database got them.
   */
  static final class SequenceLoggingWriter implements CacheWriter<String, String> {
    static final Map<String, List<Integer>> APPLIED = new ConcurrentHashMap<>();
    private final JdbcCacheWriter<String, String> jdbc;

    SequenceLoggingWriter(String table) {
      jdbc =
          new JdbcCacheWriter<>(
              TestDatabase.dataSource(),
              TableMapping.scalar(table, "k", String.class, "v", String.class));
    }

    static Factory<CacheWriter<String, String>> factory(String table) {
      return () -> new SequenceLoggingWriter(table);
    }

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      writeAll(new ArrayList<>(List.of(entry)));
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      List<Cache.Entry<? extends String, ? extends String>> batch = new ArrayList<>(entries);
      jdbc.writeAll(entries);
      for (Cache.Entry<? extends String, ? extends String> e : batch) {
        APPLIED
            .computeIfAbsent(e.getKey(), k -> Collections.synchronizedList(new ArrayList<>()))
            .add(Integer.parseInt(e.getValue()));
      }
    }

    @Override
    public void delete(Object key) {
      jdbc.delete(key);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      jdbc.deleteAll(keys);
    }
  }

  @Test
  void twoFlushingManagers_sharePartitions_andEveryKeyIsWrittenInOrder(RedisServer redis)
      throws Exception {
    CacheManager a =
        new CascadeCachingProvider()
            .getCacheManager(URI.create(redis.uri()), getClass().getClassLoader());
    CacheManager b =
        new CascadeCachingProvider()
            .getCacheManager(URI.create(redis.uri()), getClass().getClassLoader());
    try (TableFixture t = new TableFixture("wb_scale")) {
      String name = WriteBehindTest.name("scale");
      WriteBehind<String, String> wb =
          WriteBehind.of(SequenceLoggingWriter.factory(t.table))
              .leaseTtl(Duration.ofMillis(900))
              .claimIdle(Duration.ofSeconds(2))
              .writerTimeout(Duration.ofSeconds(1))
              .maxDelay(Duration.ofMillis(50));
      Cache<String, String> cacheA = a.createCache(name, WriteBehindTest.writeBehind(wb));
      Cache<String, String> cacheB = b.createCache(name, WriteBehindTest.writeBehind(wb));
      WriteBehindMXBean statsA = cacheA.unwrap(CascadeCache.class).writeBehind();
      WriteBehindMXBean statsB = cacheB.unwrap(CascadeCache.class).writeBehind();

      // each thread owns its keys and writes them increasing numbers; half the threads use each
      // manager
      int threads = 8;
      int keys = 200;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> futures = new ArrayList<>();
      for (int thread = 0; thread < threads; thread++) {
        int id = thread;
        Cache<String, String> cache = id % 2 == 0 ? cacheA : cacheB;
        futures.add(
            pool.submit(
                () -> {
                  int[] next = new int[keys];
                  for (int n = 0; n < 1500; n++) {
                    int k = id + threads * ThreadLocalRandom.current().nextInt(keys / threads);
                    cache.put("k" + k, Integer.toString(++next[k]));
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
      pool.shutdown();
      Map<String, String> rows = t.drained(cacheA, Duration.ofSeconds(60));
      List<String> all = new ArrayList<>();
      for (int k = 0; k < keys; k++) {
        all.add("k" + k);
      }
      assertEquals(
          TableFixture.contents(cacheA, all), rows, "database equals cache after the drain");
      for (Map.Entry<String, List<Integer>> e : SequenceLoggingWriter.APPLIED.entrySet()) {
        List<Integer> seen = new ArrayList<>(e.getValue());
        for (int i = 1; i < seen.size(); i++) {
          assertTrue(
              seen.get(i) >= seen.get(i - 1),
              "key " + e.getKey() + " was written out of order: " + seen);
        }
      }
      System.out.printf(
          "two flushers: A flushed %d records, B flushed %d; held %d + %d partitions at the end%n",
          statsA.getRecordsFlushed(),
          statsB.getRecordsFlushed(),
          statsA.getPartitionsHeld(),
          statsB.getPartitionsHeld());
      assertTrue(
          statsA.getRecordsFlushed() > 0 && statsB.getRecordsFlushed() > 0,
          "both managers flushed");
      assertEquals(
          16,
          statsA.getPartitionsHeld() + statsB.getPartitionsHeld(),
          "every partition has one flusher");
      assertTrue(
          statsA.getPartitionsHeld() >= 4 && statsB.getPartitionsHeld() >= 4,
          "the partitions are shared");
    } finally {
      a.close();
      b.close();
    }
  }
}
