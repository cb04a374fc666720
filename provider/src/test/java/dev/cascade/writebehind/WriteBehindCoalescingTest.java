package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import dev.cascade.testing.Zipf;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A skewed (Zipf) update stream: most writes hit few keys, and the database sees one write per key
 * per flush window. The window here is a minute (how a view counter is usually flushed), longer
 * than the stream, so the ratio does not depend on how fast this machine issues the updates;
 * closing the manager drains the queue.
 */
@WithRedis
@Timeout(300)
class WriteBehindCoalescingTest {

  static final int KEYS = 10_000;
  static final int UPDATES = 100_000;
  static final double SKEW = 1.2;

  @Test
  void zipfStreamOf100kUpdatesOver10kKeys_writesAtMostOneRowInTen(RedisServer redis)
      throws Exception {
    CacheManager manager =
        new CascadeCachingProvider()
            .getCacheManager(URI.create(redis.uri()), getClass().getClassLoader());
    try (TableFixture t = new TableFixture("wb_zipf")) {
      Cache<String, String> cache =
          manager.createCache(
              WriteBehindTest.name("zipf"),
              WriteBehindTest.writeBehind(
                  WriteBehind.of(t.writerFactory())
                      .maxDelay(Duration.ofMinutes(1))
                      .batchSize(10_000)
                      .drainTimeout(Duration.ofMinutes(1))));
      Zipf zipf = new Zipf(KEYS, SKEW);
      long started = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> done = new ArrayList<>();
      for (int thread = 0; thread < 4; thread++) {
        int id = thread;
        done.add(
            pool.submit(
                () -> {
                  for (int n = 0; n < UPDATES / 4; n++) {
                    cache.put("k" + zipf.next(), "t" + id + "-" + n);
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get(200, TimeUnit.SECONDS);
      }
      pool.shutdown();
      double seconds = (System.nanoTime() - started) / 1e9;
      WriteBehindMXBean wb = cache.unwrap(CascadeCache.class).writeBehind();
      manager.close(); // drains the queue: the end of the flush window
      long coalesced = wb.getRecordsCoalesced();
      Map<String, String> rows = t.rows();
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < KEYS; i++) {
        keys.add("k" + i);
      }
      CacheManager reader =
          new CascadeCachingProvider()
              .getCacheManager(URI.create(redis.uri()), getClass().getClassLoader());
      try {
        assertEquals(
            TableFixture.contents(
                reader.getCache(cache.getName(), String.class, String.class), keys),
            rows);
      } finally {
        reader.close();
      }
      long written = t.rowsWritten();
      System.out.printf(
          "coalescing: %d updates in %.1f s over %d keys (Zipf s=%.1f, %d keys touched) -> %d rows"
              + " written (%.1f%%), %d coalesced%n",
          UPDATES, seconds, KEYS, SKEW, rows.size(), written, 100.0 * written / UPDATES, coalesced);
      assertEquals(UPDATES, written + coalesced, "every update was written or coalesced");
      assertTrue(
          written <= UPDATES / 10, "rows written " + written + " of " + UPDATES + " updates");
    } finally {
      manager.close();
    }
  }
}
