package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCachingProvider;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.internal.store.QueueStore;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis freezes (SIGSTOP: a long fork, a VM pause) again and again, each time for longer than the
 * client's command timeout, while records are queued and flushed. Calls in flight time out, and
 * some of them still run when Redis wakes up, on connections the client gave up on: a flusher's
 * fenced read whose {@code EXEC} was already sent (records moved into its name unseen), an
 * acknowledgement, a put. Where each freeze lands is left to chance; whatever it hits, once Redis
 * answers again and the queue drains, the table equals the cache, every put that returned is there
 * (or a later one of its key), and nothing stays queued or pending.
 */
@WithRedis
@Timeout(180)
class WriteBehindFreezesTest {

  private static final int KEYS = 100;

  @Test
  void freezesPastTheCommandTimeout_loseNoWrite_andTheTableEndsEqualToTheCache(RedisServer redis)
      throws Exception {
    CacheManager manager =
        new CascadeCachingProvider()
            .getCacheManager(
                URI.create(redis.uri() + "?timeout=300ms"),
                WriteBehindFreezesTest.class.getClassLoader());
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (TableFixture t = new TableFixture("wb_freezes")) {
      String name = WriteBehindTest.name("freezes");
      Cache<String, String> cache =
          manager.createCache(
              name,
              WriteBehindTest.writeBehind(
                  WriteBehind.<String, String>of(t.writerFactory())
                      .partitions(4)
                      .batchSize(20)
                      .maxDelay(Duration.ofMillis(5))
                      .backoff(Duration.ofMillis(10), Duration.ofMillis(200))));

      // the newest put of each key that returned: the table must end with it or a later one
      Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
      AtomicInteger failedPuts = new AtomicInteger();
      AtomicBoolean freezing = new AtomicBoolean(true);
      Future<?> writes =
          threads.submit(
              () -> {
                // keep writing through the freezes, then a while after the last one
                for (int i = 0; freezing.get() || i % 500 != 0; i++) {
                  String key = "k" + i % KEYS;
                  try {
                    cache.put(key, "v" + i);
                    acknowledged.put(key, i);
                  } catch (CacheException timedOut) {
                    failedPuts.incrementAndGet(); // in doubt: it may still have been applied
                  }
                }
                return null;
              });
      Future<?> freezes =
          threads.submit(
              () -> {
                Random random = new Random();
                try {
                  for (int n = 0; n < 6; n++) {
                    Thread.sleep(100 + random.nextInt(300));
                    redis.pause();
                    try {
                      Thread.sleep(500 + random.nextInt(400)); // past the 300 ms timeout
                    } finally {
                      redis.resume();
                    }
                  }
                } finally {
                  freezing.set(false);
                }
                return null;
              });
      freezes.get(60, TimeUnit.SECONDS);
      writes.get(60, TimeUnit.SECONDS);
      assertTrue(failedPuts.get() > 0, "no put met a freeze: the test froze nothing that mattered");

      Map<String, String> table = new TreeMap<>(t.drained(cache, Duration.ofSeconds(60)));
      Map<String, String> cached = new TreeMap<>(TableFixture.contents(cache, table.keySet()));
      assertEquals(KEYS, table.size(), "every key written reaches the table");
      assertEquals(cached, table, "the table equals the cache once the queue drained");
      acknowledged.forEach(
          (key, i) ->
              assertTrue(
                  Integer.parseInt(table.get(key).substring(1)) >= i,
                  key + ": the put of v" + i + " returned, the table holds " + table.get(key)));
      KeyLayout layout = new KeyLayout(name, 4);
      for (int p = 0; p < 4; p++) {
        String stream = new String(layout.streamKey(p), StandardCharsets.UTF_8);
        List<?> pending = (List<?>) redis.command("XPENDING", stream, QueueStore.GROUP);
        assertEquals(0L, pending.get(0), "records left pending in partition " + p + ": " + pending);
      }
    } finally {
      threads.shutdownNow();
      manager.close();
    }
  }
}
