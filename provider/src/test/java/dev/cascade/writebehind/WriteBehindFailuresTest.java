package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.config.CascadeConfiguration;
import dev.cascade.jdbc.Dialect;
import dev.cascade.jdbc.JdbcCacheWriter;
import dev.cascade.jdbc.TableMapping;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import dev.cascade.testing.WithRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;
import org.apache.commons.dbcp2.BasicDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The writer fails: a value it always rejects, and a database that rejects everything for a while.
 */
@WithRedis
@Timeout(180)
class WriteBehindFailuresTest {

  private static RedisServer redis;
  private static CacheManager manager;

  @BeforeAll
  static void open(RedisServer server) {
    redis = server;
    manager =
        new CascadeCachingProvider()
            .getCacheManager(
                URI.create(server.uri()), WriteBehindFailuresTest.class.getClassLoader());
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @Test
  void poisonRecord_endsInTheDeadLetters_andEveryOtherRecordIsFlushed() {
    try (TableFixture t = new TableFixture("wb_poison", ", CHECK (v <> 'poison')")) {
      String name = WriteBehindTest.name("poison");
      Cache<String, String> cache =
          manager.createCache(
              name,
              WriteBehindTest.writeBehind(
                  WriteBehind.of(t.writerFactory())
                      .retryLimit(3)
                      .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
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
        List<StreamMessage<String, String>> dead =
            c.sync().xrange("cascade:" + name + "#dead", io.lettuce.core.Range.create("-", "+"));
        assertEquals(1, dead.size());
        Map<String, String> letter = dead.get(0).getBody();
        assertEquals("k500", letter.get("k"));
        assertEquals("poison", letter.get("v"));
        assertTrue(letter.get("error").toLowerCase().contains("constraint"), letter.get("error"));
        assertEquals("3", letter.get("attempts"));
      }
      // closing joins the flushers, so the counter is final: the 999 written records, not the
      // dead-lettered one (counted by getDeadLetters)
      cache.close();
      assertEquals(999, wb.getRecordsFlushed());
    }
  }

  @Test
  void databaseRejectingWritesFor20Seconds_losesNothing_andDrainsAfterwards() throws Exception {
    try (TableFixture t = new TableFixture("wb_outage")) {
      Cache<String, String> cache =
          manager.createCache(
              WriteBehindTest.name("outage"),
              WriteBehindTest.writeBehind(
                  WriteBehind.of(t.writerFactory())
                      .maxDelay(Duration.ofMillis(100))
                      .backoff(Duration.ofMillis(100), Duration.ofSeconds(2))));
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong puts = new AtomicLong();
      List<Throwable> failures = new ArrayList<>();
      Thread load =
          new Thread(
              () -> {
                while (running.get()) {
                  try {
                    cache.put(
                        "k" + ThreadLocalRandom.current().nextInt(1000),
                        "v" + puts.incrementAndGet());
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
      System.out.printf(
          "outage: %d puts, %d rows written, %d retries, %d dead letters%n",
          puts.get(), t.rowsWritten(), wb.getRetries(), wb.getDeadLetters());
      assertTrue(wb.getRetries() > 0, "the failed attempts are counted");
      assertEquals(0, wb.getDeadLetters(), "an outage sends nothing to the dead letters");
    }
  }

  /**
   * A change that failed on its own once (a suspect) is the only thing left to write when the
   * database stops accepting connections: the refused connections are not its fault, so it is
   * retried, never dead-lettered, and reaches the database once it can be written. (With only
   * suspects in a batch there is no other change to tell an outage from a bad change by.)
   */
  @Test
  void aSuspectChange_isNotDeadLettered_whileTheDatabaseCannotBeReached() throws Exception {
    try (TableFixture t =
        new TableFixture("wb_suspect", ", CONSTRAINT held_back CHECK (v <> 'held back')")) {
      CascadeConfiguration<String, String> config =
          new CascadeConfiguration<String, String>().setPartitions(1);
      config
          .setTypes(String.class, String.class)
          .setWriteThrough(true)
          .setCacheWriterFactory(
              WriteBehind.of(new SwitchableWriterFactory(t.table))
                  .retryLimit(3)
                  .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
                  .maxDelay(Duration.ofMillis(50))
                  .build());
      Cache<String, String> cache = manager.createCache(WriteBehindTest.name("suspect"), config);
      WriteBehindMXBean wb = cache.unwrap(CascadeCache.class).writeBehind();
      cache.put("a", "1");
      cache.put("k", "held back");
      // k fails beside a, which is written: k is a suspect now, one failure charged
      awaitUntil(
          () -> t.rows().containsKey("a") && wb.getRetries() >= 1, "a written and k refused once");

      SwitchableWriterFactory.UNREACHABLE.add(t.table);
      long retriesBefore = wb.getRetries();
      awaitUntil(
          () -> wb.getDeadLetters() > 0 || wb.getRetries() >= retriesBefore + 5,
          "k retried while the database is unreachable");
      assertEquals(
          0,
          wb.getDeadLetters(),
          "refused connections sent k to the dead letters: " + wb.getLastError());

      TestDatabase.execute("ALTER TABLE " + t.table + " DROP CONSTRAINT held_back");
      SwitchableWriterFactory.UNREACHABLE.remove(t.table);
      Map<String, String> rows = t.drained(cache, Duration.ofSeconds(60));
      assertEquals(Map.of("a", "1", "k", "held back"), rows);
      assertEquals(0, wb.getDeadLetters());
    }
  }

  /**
   * A writer that throws an Error (not an exception) for one value fails that change like any
   * other.
   */
  @Test
  void aWriterThrowingAnError_forOneValue_deadLettersIt_andFlushesTheRest() {
    try (TableFixture t = new TableFixture("wb_error")) {
      Cache<String, String> cache =
          manager.createCache(
              WriteBehindTest.name("error"),
              WriteBehindTest.writeBehind(
                  WriteBehind.of(new ErrorOnValueWriterFactory(t.table, "overflow"))
                      .retryLimit(3)
                      .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
                      .maxDelay(Duration.ofMillis(50))));
      for (int i = 0; i < 100; i++) {
        cache.put("k" + i, i == 50 ? "overflow" : "v" + i);
      }
      Map<String, String> rows = t.drained(cache, Duration.ofSeconds(60));
      assertEquals(99, rows.size());
      assertFalse(rows.containsKey("k50"));
      WriteBehindMXBean wb = cache.unwrap(CascadeCache.class).writeBehind();
      assertEquals(1, wb.getDeadLetters());
      assertTrue(wb.getLastError().contains("StackOverflowError"), wb.getLastError());
    }
  }

  /** The table's JDBC writer, throwing a StackOverflowError for a batch that holds one value. */
  static final class ErrorOnValueWriterFactory implements Factory<CacheWriter<String, String>> {
    private static final long serialVersionUID = 1L;
    private final String table;
    private final String value;

    ErrorOnValueWriterFactory(String table, String value) {
      this.table = table;
      this.value = value;
    }

    @Override
    public CacheWriter<String, String> create() {
      CacheWriter<String, String> jdbc = new TableFixture.CountingWriterFactory(table).create();
      return new CacheWriter<String, String>() {
        @Override
        public void write(Cache.Entry<? extends String, ? extends String> entry) {
          writeAll(new ArrayList<>(List.of(entry)));
        }

        @Override
        public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
          for (Cache.Entry<? extends String, ? extends String> e : entries) {
            if (value.equals(e.getValue())) {
              throw new StackOverflowError("writing " + e.getKey());
            }
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
  }

  private static void awaitUntil(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!condition.getAsBoolean()) {
      assertTrue(System.currentTimeMillis() < deadline, "not within 30 s: " + what);
      TableFixture.sleep(20);
    }
  }

  /**
   * The JDBC writer of a table, or, while the table is in {@link #UNREACHABLE}, the same writer
   * over a pool whose server refuses connections (a closed port): what an outage looks like to a
   * writer.
   */
  static final class SwitchableWriterFactory implements Factory<CacheWriter<String, String>> {
    private static final long serialVersionUID = 1L;
    static final Set<String> UNREACHABLE = ConcurrentHashMap.newKeySet();
    private final String table;

    SwitchableWriterFactory(String table) {
      this.table = table;
    }

    @Override
    public CacheWriter<String, String> create() {
      TableMapping<String, String> mapping =
          TableMapping.scalar(table, "k", String.class, "v", String.class);
      JdbcCacheWriter<String, String> reachable =
          new JdbcCacheWriter<>(TestDatabase.dataSource(), mapping);
      BasicDataSource refused = new BasicDataSource();
      refused.setUrl(
          "jdbc:mysql://127.0.0.1:" + closedPort() + "/test?user=root&connectTimeout=2000");
      JdbcCacheWriter<String, String> unreachable =
          new JdbcCacheWriter<>(refused, mapping, Dialect.MYSQL);
      return new CacheWriter<String, String>() {
        private CacheWriter<String, String> now() {
          return UNREACHABLE.contains(table) ? unreachable : reachable;
        }

        @Override
        public void write(Cache.Entry<? extends String, ? extends String> entry) {
          now().write(entry);
        }

        @Override
        public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
          now().writeAll(entries);
        }

        @Override
        public void delete(Object key) {
          now().delete(key);
        }

        @Override
        public void deleteAll(Collection<?> keys) {
          now().deleteAll(keys);
        }
      };
    }

    private static int closedPort() {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
