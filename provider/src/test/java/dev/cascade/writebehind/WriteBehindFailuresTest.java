package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import dev.cascade.testing.WithRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The writer fails: a value it always rejects, and a database that rejects everything for a while. */
@WithRedis
@Timeout(180)
class WriteBehindFailuresTest {

  private static RedisServer redis;
  private static CacheManager manager;

  @BeforeAll
  static void open(RedisServer server) {
    redis = server;
    manager = new CascadeCachingProvider().getCacheManager(URI.create(server.uri()), WriteBehindFailuresTest.class.getClassLoader());
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @Test
  void poisonRecord_endsInTheDeadLetters_andEveryOtherRecordIsFlushed() {
    try (TableFixture t = new TableFixture("wb_poison", ", CHECK (v <> 'poison')")) {
      String name = WriteBehindTest.name("poison");
      Cache<String, String> cache = manager.createCache(name, WriteBehindTest.writeBehind(
          WriteBehind.of(t.writerFactory()).retryLimit(3).backoff(Duration.ofMillis(20), Duration.ofMillis(200))
              .maxDelay(Duration.ofMillis(50))));
      for (int i = 0; i < 1000; i++) {
        cache.put("k" + i, i == 500 ? "poison" : "v" + i);
      }
      Map<String, String> rows = t.drained(cache, Duration.ofSeconds(60));
      assertEquals(999, rows.size());
      assertFalse(rows.containsKey("k500"));
      assertEquals("v999", rows.get("k999"));
      WriteBehindMXBean wb = cache.unwrap(CascadeCache.class).writeBehind();
      assertEquals(1, wb.getDeadLetters());
      assertTrue(wb.getRetries() >= 1);
      try (RedisClient client = RedisClient.create(redis.uri());
           StatefulRedisConnection<String, String> c = client.connect()) {
        List<StreamMessage<String, String>> dead = c.sync().xrange("cascade:" + name + "#dead",
            io.lettuce.core.Range.create("-", "+"));
        assertEquals(1, dead.size());
        Map<String, String> letter = dead.get(0).getBody();
        assertEquals("k500", letter.get("k"));
        assertEquals("poison", letter.get("v"));
        assertTrue(letter.get("error").toLowerCase().contains("constraint"), letter.get("error"));
        assertEquals("3", letter.get("attempts"));
      }
    }
  }

  @Test
  void databaseRejectingWritesFor20Seconds_losesNothing_andDrainsAfterwards() throws Exception {
    try (TableFixture t = new TableFixture("wb_outage")) {
      Cache<String, String> cache = manager.createCache(WriteBehindTest.name("outage"), WriteBehindTest.writeBehind(
          WriteBehind.of(t.writerFactory()).maxDelay(Duration.ofMillis(100))
              .backoff(Duration.ofMillis(100), Duration.ofSeconds(2))));
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong puts = new AtomicLong();
      List<Throwable> failures = new ArrayList<>();
      Thread load = new Thread(() -> {
        while (running.get()) {
          try {
            cache.put("k" + ThreadLocalRandom.current().nextInt(1000), "v" + puts.incrementAndGet());
          } catch (Throwable e) {
            failures.add(e);
            return;
          }
          TableFixture.sleep(1);
        }
      });
      load.start();
      TableFixture.sleep(3_000);
      // the database rejects every write: the table is gone for 20 seconds
      TestDatabase.execute("RENAME TABLE " + t.table + " TO " + t.table + "_away");
      TableFixture.sleep(20_000);
      TestDatabase.execute("RENAME TABLE " + t.table + "_away TO " + t.table);
      TableFixture.sleep(3_000);
      running.set(false);
      load.join(10_000);
      assertEquals(List.of(), failures, "puts kept succeeding through the outage");
      Map<String, String> rows = t.drained(cache, Duration.ofSeconds(60));
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        keys.add("k" + i);
      }
      assertEquals(TableFixture.contents(cache, keys), rows);
      WriteBehindMXBean wb = cache.unwrap(CascadeCache.class).writeBehind();
      System.out.printf("outage: %d puts, %d rows written, %d retries, %d dead letters%n",
          puts.get(), t.rowsWritten(), wb.getRetries(), wb.getDeadLetters());
      assertTrue(wb.getRetries() > 0, "the failed attempts are counted");
      assertEquals(0, wb.getDeadLetters(), "an outage sends nothing to the dead letters");
    }
  }
}
