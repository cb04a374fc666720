package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import dev.cascade.testing.WithRedis;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression: a batch in which many changes are refused (one in two, one in six) stalled its
 * partition. Bisecting with a budget of about 2·log2 n calls met only halves that failed, nothing
 * succeeded, so nothing was charged ("a lone failure could be an outage") and the partition retried
 * forever; the good records in and behind those batches never reached the database. Here every good
 * record must reach the table and every refused one the dead letters, while a real outage
 * (connections refused, the table gone) still sends nothing there.
 */
@WithRedis
@Timeout(300)
class WriteBehindDenseRefusalsTest {

  private static final int KEYS = 2_000;
  private static final Duration DRAIN = Duration.ofSeconds(90);

  private static RedisServer redis;
  private static CacheManager manager;

  @BeforeAll
  static void open(RedisServer server) {
    redis = server;
    manager =
        new CascadeCachingProvider()
            .getCacheManager(
                URI.create(server.uri()), WriteBehindDenseRefusalsTest.class.getClassLoader());
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  /** Batches of 500 in which a CHECK constraint refuses every second value. */
  @Test
  void halfTheValuesRefusedByACheck_goodRowsWritten_refusedOnesDeadLettered() {
    try (TableFixture t = new TableFixture("wb_dense_check", ", CHECK (v NOT LIKE 'bad%')")) {
      String name = WriteBehindTest.name("dense-check");
      Cache<String, String> cache = manager.createCache(name, config(t.writerFactory()));
      assertEveryGoodWritten_everyBadDeadLettered(name, cache, t, fill(cache, 2), "check");
    }
  }

  /**
   * A writer that refuses some keys with a plain exception (nothing says whose fault it is): one in
   * six, charged because the others of the same round are written.
   */
  @Test
  void oneKeyInSixRefusedByTheWriter_goodRowsWritten_refusedOnesDeadLettered() {
    try (TableFixture t = new TableFixture("wb_dense_refuse")) {
      String name = WriteBehindTest.name("dense-refuse");
      Cache<String, String> cache =
          manager.createCache(name, config(new RefusingWriterFactory(t.table)));
      assertEveryGoodWritten_everyBadDeadLettered(name, cache, t, fill(cache, 6), "refusing");
    }
  }

  /**
   * One value in two is refused, and the writer's connections are refused: nothing is charged, so
   * nothing is dead-lettered, however long it lasts; once the database answers, all drains.
   */
  @Test
  void denseRefusals_whileConnectionsAreRefused_deadLetterNothing_thenDrain() {
    try (TableFixture t = new TableFixture("wb_dense_unreach", ", CHECK (v NOT LIKE 'bad%')")) {
      String name = WriteBehindTest.name("dense-unreach");
      WriteBehindFailuresTest.SwitchableWriterFactory.UNREACHABLE.add(t.table);
      try {
        Cache<String, String> cache =
            manager.createCache(
                name, config(new WriteBehindFailuresTest.SwitchableWriterFactory(t.table)));
        Set<String> bad = fill(cache, 2);
        WriteBehindMXBean wb = cache.unwrap(CascadeCache.class).writeBehind();
        // every change failed in more rounds than the retry limit allows
        awaitUntil(() -> wb.getRetries() >= 6L * KEYS, "retried while unreachable");
        assertEquals(0, wb.getDeadLetters(), "an outage dead-lettered: " + wb.getLastError());
        assertEquals(Map.of(), t.rows());
        WriteBehindFailuresTest.SwitchableWriterFactory.UNREACHABLE.remove(t.table);
        assertEveryGoodWritten_everyBadDeadLettered(name, cache, t, bad, "unreachable, then back");
      } finally {
        WriteBehindFailuresTest.SwitchableWriterFactory.UNREACHABLE.remove(t.table);
      }
    }
  }

  /**
   * One value in two is refused, and the table is gone (every write fails, with an error that does
   * not say the database is unreachable): nothing succeeds, so nothing is charged.
   */
  @Test
  void denseRefusals_whileTheTableIsGone_deadLetterNothing_thenDrain() {
    try (TableFixture t = new TableFixture("wb_dense_gone", ", CHECK (v NOT LIKE 'bad%')")) {
      String name = WriteBehindTest.name("dense-gone");
      TestDatabase.execute("RENAME TABLE " + t.table + " TO " + t.table + "_away");
      Set<String> bad;
      Cache<String, String> cache;
      try {
        cache = manager.createCache(name, config(t.writerFactory()));
        bad = fill(cache, 2);
        WriteBehindMXBean wb = cache.unwrap(CascadeCache.class).writeBehind();
        awaitUntil(() -> wb.getRetries() >= 6L * KEYS, "retried while the table is gone");
        assertEquals(0, wb.getDeadLetters(), "an outage dead-lettered: " + wb.getLastError());
        System.out.printf(
            "dense refusals, table gone: %d writer calls for %d failed change attempts%n",
            TableFixture.CALLS.get(t.table).get(), wb.getRetries());
      } finally {
        TestDatabase.execute("RENAME TABLE " + t.table + "_away TO " + t.table);
      }
      assertEveryGoodWritten_everyBadDeadLettered(name, cache, t, bad, "table gone, then back");
    }
  }

  private static javax.cache.configuration.MutableConfiguration<String, String> config(
      Factory<CacheWriter<String, String>> writer) {
    return WriteBehindTest.writeBehind(
        WriteBehind.of(writer)
            .partitions(4)
            .batchSize(500)
            // long enough that 500 records of a partition are queued before its batch is due
            .maxDelay(Duration.ofSeconds(3))
            .retryLimit(3)
            .backoff(Duration.ofMillis(20), Duration.ofMillis(500)));
  }

  /** Puts {@link #KEYS} keys, one in {@code every} with a value the writer refuses. */
  private static Set<String> fill(Cache<String, String> cache, int every) {
    Set<String> bad = new HashSet<>();
    for (int i = 0; i < KEYS; i++) {
      String key = "k" + i;
      if (i % every == 0) {
        cache.put(key, "bad" + i);
        bad.add(key);
      } else {
        cache.put(key, "v" + i);
      }
    }
    return bad;
  }

  private static void assertEveryGoodWritten_everyBadDeadLettered(
      String name, Cache<String, String> cache, TableFixture t, Set<String> bad, String scenario) {
    long start = System.currentTimeMillis();
    Map<String, String> rows = t.drained(cache, DRAIN);
    long millis = System.currentTimeMillis() - start;
    Map<String, String> good = new TreeMap<>();
    for (int i = 0; i < KEYS; i++) {
      if (!bad.contains("k" + i)) {
        good.put("k" + i, "v" + i);
      }
    }
    WriteBehindMXBean wb = cache.unwrap(CascadeCache.class).writeBehind();
    System.out.printf(
        "dense refusals (%s): %d rows, %d dead letters of %d refused, %d retries, drained in %d"
            + " ms%n",
        scenario, rows.size(), wb.getDeadLetters(), bad.size(), wb.getRetries(), millis);
    assertEquals(good, new TreeMap<>(rows));
    try (RedisClient client = RedisClient.create(redis.uri());
        StatefulRedisConnection<String, String> c = client.connect()) {
      Set<String> lettered = new HashSet<>();
      for (StreamMessage<String, String> m :
          c.sync().xrange("cascade:" + name + "#dead", Range.create("-", "+"))) {
        assertTrue(lettered.add(m.getBody().get("k")), "two letters for " + m.getBody().get("k"));
      }
      assertEquals(bad, lettered);
    }
    manager.destroyCache(name);
  }

  private static void awaitUntil(BooleanSupplier condition, String what) {
    long deadline = System.currentTimeMillis() + 60_000;
    while (!condition.getAsBoolean()) {
      assertTrue(System.currentTimeMillis() < deadline, "not within 60 s: " + what);
      TableFixture.sleep(20);
    }
  }

  /**
   * The table's writer, refusing a whole call (writing nothing) when it holds a value starting with
   * "bad", with a plain {@link CacheWriterException}: the way a writer validating its input fails.
   */
  static final class RefusingWriterFactory implements Factory<CacheWriter<String, String>> {
    private static final long serialVersionUID = 1L;
    private final String table;

    RefusingWriterFactory(String table) {
      this.table = table;
    }

    @Override
    public CacheWriter<String, String> create() {
      CacheWriter<String, String> jdbc = new TableFixture.CountingWriterFactory(table).create();
      return new CacheWriter<String, String>() {
        @Override
        public void write(Cache.Entry<? extends String, ? extends String> entry) {
          refuse(entry);
          jdbc.write(entry);
        }

        @Override
        public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
          for (Cache.Entry<? extends String, ? extends String> e : entries) {
            refuse(e);
          }
          jdbc.writeAll(entries);
        }

        @Override
        public void delete(Object key) {
          jdbc.delete(key);
        }

        @Override
        public void deleteAll(Collection<?> keys) {
          jdbc.deleteAll(keys);
        }
      };
    }

    private static void refuse(Cache.Entry<? extends String, ? extends String> e) {
      if (e.getValue().startsWith("bad")) {
        throw new CacheWriterException("refusing the value of key " + e.getKey());
      }
    }
  }
}
