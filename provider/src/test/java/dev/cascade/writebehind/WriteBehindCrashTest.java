package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cascade.CascadeCachingProvider;
import dev.cascade.testing.ChildJvm;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import dev.cascade.testing.WithRedis;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A JVM writing behind is killed with SIGKILL in the middle of its flushes; another JVM opens the
 * cache, claims what the dead one left, and drains: every key ends with its last acknowledged
 * write.
 */
@WithRedis
@Timeout(240)
class WriteBehindCrashTest {

  static final int UPDATES = 20_000;
  static final int KEYS = 1_000;

  static WriteBehind<String, String> settings(Factory<CacheWriter<String, String>> writer) {
    return WriteBehind.of(writer)
        .batchSize(200)
        .maxDelay(Duration.ofMillis(20))
        .leaseTtl(Duration.ofSeconds(2))
        .claimIdle(Duration.ofSeconds(2))
        .writerTimeout(Duration.ofSeconds(1));
  }

  /**
   * The dying JVM's writer: the table's, slowed down so that a flush is nearly always in progress.
   */
  static final class SlowWriterFactory implements Factory<CacheWriter<String, String>> {
    private static final long serialVersionUID = 1L;
    private final String table;

    SlowWriterFactory(String table) {
      this.table = table;
    }

    @Override
    public CacheWriter<String, String> create() {
      CacheWriter<String, String> inner = new TableFixture.CountingWriterFactory(table).create();
      return new CacheWriter<>() {
        @Override
        public void write(Cache.Entry<? extends String, ? extends String> entry) {
          inner.write(entry);
        }

        @Override
        public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
          TableFixture.sleep(30);
          inner.writeAll(entries);
        }

        @Override
        public void delete(Object key) {
          inner.delete(key);
        }

        @Override
        public void deleteAll(Collection<?> keys) {
          inner.deleteAll(keys);
        }
      };
    }
  }

  /** The JVM that dies: writes UPDATES puts over KEYS keys, printing each acknowledged one. */
  public static final class Child {
    public static void main(String[] args) {
      String uri = args[0];
      String table = args[1];
      String cacheName = args[2];
      TableFixture.ROWS_WRITTEN.put(table, new java.util.concurrent.atomic.AtomicLong());
      TableFixture.CALLS.put(table, new java.util.concurrent.atomic.AtomicLong());
      CacheManager manager =
          new CascadeCachingProvider()
              .getCacheManager(URI.create(uri), Child.class.getClassLoader());
      Cache<String, String> cache =
          manager.createCache(
              cacheName, WriteBehindTest.writeBehind(settings(new SlowWriterFactory(table))));
      System.out.println("READY");
      for (int i = 0; i < UPDATES; i++) {
        cache.put("k" + (i % KEYS), "v" + i);
        System.out.println("ACK " + i);
        System.out.flush();
      }
      System.out.println("DONE");
      System.out.flush();
      TableFixture.sleep(600_000);
    }
  }

  @Test
  void jvmKilledWhileFlushing_leavesNothingBehind_anotherJvmDrainsEveryLastAcknowledgedWrite(
      RedisServer redis) throws IOException {
    try (TableFixture t = new TableFixture("wb_crash")) {
      String cacheName = WriteBehindTest.name("crash");
      int lastAck;
      try (ChildJvm child =
          ChildJvm.builder(Child.class)
              .args(redis.uri(), t.table, cacheName)
              .systemProperty(TestDatabase.PROPERTY, TestDatabase.jdbcUrl())
              .start()) {
        child.awaitOutputLine("ACK " + UPDATES / 2, Duration.ofSeconds(120));
        child.kill();
        lastAck = lastAcknowledged(Files.readAllLines(child.logFile()));
      }
      int rowsBefore = t.rows().size();

      CacheManager survivor =
          new CascadeCachingProvider()
              .getCacheManager(URI.create(redis.uri()), getClass().getClassLoader());
      try {
        Cache<String, String> cache =
            survivor.createCache(
                cacheName, WriteBehindTest.writeBehind(settings(t.writerFactory())));
        Map<String, String> rows = t.drained(cache, Duration.ofSeconds(90));
        Map<String, String> expected = new HashMap<>();
        for (int i = 0; i <= lastAck; i++) {
          expected.put("k" + (i % KEYS), "v" + i);
        }
        // the put the child was making when it died may or may not have landed: both are acceptable
        String inFlightKey = "k" + ((lastAck + 1) % KEYS);
        if (("v" + (lastAck + 1)).equals(rows.get(inFlightKey))) {
          expected.put(inFlightKey, "v" + (lastAck + 1));
        }
        System.out.printf(
            "crash: killed after %d acknowledged puts; %d rows before, %d after the survivor drained%n",
            lastAck + 1, rowsBefore, rows.size());
        assertEquals(expected, rows, "every key's row is its last acknowledged write");
        List<String> keys = new ArrayList<>(expected.keySet());
        assertEquals(TableFixture.contents(cache, keys), rows, "and the cache agrees");
      } finally {
        survivor.close();
      }
    }
  }

  private static int lastAcknowledged(List<String> lines) {
    int last = -1;
    for (String line : lines) {
      if (line.startsWith("ACK ")) {
        last = Math.max(last, Integer.parseInt(line.substring(4).trim()));
      }
    }
    return last;
  }
}
