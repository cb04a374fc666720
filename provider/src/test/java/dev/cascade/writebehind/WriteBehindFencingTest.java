package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cascade.CascadeCachingProvider;
import dev.cascade.jdbc.JdbcCacheWriter;
import dev.cascade.jdbc.TableMapping;
import dev.cascade.testing.ChildJvm;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import dev.cascade.testing.WithRedis;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The race the flush lease cannot close alone: a JVM is frozen (SIGSTOP) inside a writer call, past
 * its lease; another JVM takes the partition over, writes the same records and then newer values;
 * the frozen JVM resumes and its writer call commits the older values. With a revision column the
 * database keeps the newer values.
 */
@WithRedis
@Timeout(180)
class WriteBehindFencingTest {

  static final int KEYS = 10;

  static WriteBehind<String, String> settings(Factory<CacheWriter<String, String>> writer) {
    return WriteBehind.of(writer)
        .maxDelay(Duration.ofMillis(20))
        .partitions(1)
        .leaseTtl(Duration.ofSeconds(1))
        .claimIdle(Duration.ofSeconds(2))
        .writerTimeout(Duration.ofMillis(1_500));
  }

  static TableMapping<String, String> mapping(String table) {
    return TableMapping.scalar(table, "k", String.class, "v", String.class)
        .withRevisionColumn("revision");
  }

  /**
   * The frozen JVM's writer: says when it starts writing the old values, then gives the test time
   * to freeze it.
   */
  static final class PausingWriterFactory implements Factory<CacheWriter<String, String>> {
    private static final long serialVersionUID = 1L;
    private final String table;

    PausingWriterFactory(String table) {
      this.table = table;
    }

    @Override
    public CacheWriter<String, String> create() {
      return new PausingWriter(new JdbcCacheWriter<>(TestDatabase.dataSource(), mapping(table)));
    }
  }

  static final class PausingWriter implements RevisionedCacheWriter<String, String>, Serializable {
    private final transient JdbcCacheWriter<String, String> jdbc;

    PausingWriter(JdbcCacheWriter<String, String> jdbc) {
      this.jdbc = jdbc;
    }

    @Override
    public void writeAll(
        Collection<Cache.Entry<? extends String, ? extends String>> entries, Revisions revisions) {
      System.out.println("WRITING " + entries.size());
      System.out.flush();
      // the test SIGSTOPs this JVM here, before the write; like a hung driver call, this one does
      // not give up when the flusher's writer timeout interrupts it
      long until = System.currentTimeMillis() + 10_000;
      while (System.currentTimeMillis() < until) {
        try {
          Thread.sleep(until - System.currentTimeMillis());
        } catch (InterruptedException ignored) {
          // keep waiting
        }
      }
      jdbc.writeAll(entries, revisions);
      System.out.println("WROTE");
      System.out.flush();
    }

    @Override
    public void deleteAll(Collection<?> keys, Revisions revisions) {
      jdbc.deleteAll(keys, revisions);
    }

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      jdbc.write(entry);
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      throw new AssertionError("write-behind must hand revisions to a RevisionedCacheWriter");
    }

    @Override
    public void delete(Object key) {
      jdbc.delete(key);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      throw new AssertionError("write-behind must hand revisions to a RevisionedCacheWriter");
    }
  }

  /** The JVM that is frozen: puts the old values and keeps flushing. */
  public static final class Child {
    public static void main(String[] args) {
      CacheManager manager =
          new CascadeCachingProvider()
              .getCacheManager(URI.create(args[0]), Child.class.getClassLoader());
      Cache<String, String> cache =
          manager.createCache(
              args[2], WriteBehindTest.writeBehind(settings(new PausingWriterFactory(args[1]))));
      for (int i = 0; i < KEYS; i++) {
        cache.put("k" + i, "old");
      }
      System.out.println("PUT");
      System.out.flush();
      TableFixture.sleep(600_000);
    }
  }

  /** The survivor's writer: the same table through the same mapping. */
  static final class TableWriterFactory implements Factory<CacheWriter<String, String>> {
    private static final long serialVersionUID = 1L;
    private final String table;

    TableWriterFactory(String table) {
      this.table = table;
    }

    @Override
    public CacheWriter<String, String> create() {
      return new JdbcCacheWriter<>(TestDatabase.dataSource(), mapping(table));
    }
  }

  @Test
  void flusherFrozenPastItsLease_resumesAfterANewerWrite_theDatabaseKeepsTheNewerValues(
      RedisServer redis) throws Exception {
    String table = TestDatabase.uniqueTableName("wb_fence");
    TestDatabase.execute(
        "CREATE TABLE "
            + table
            + " (k VARCHAR(64) PRIMARY KEY, v VARCHAR(255) NOT NULL, revision BIGINT NOT NULL)");
    String cacheName = WriteBehindTest.name("fence");
    try (ChildJvm frozen =
        ChildJvm.builder(Child.class)
            .args(redis.uri(), table, cacheName)
            .systemProperty(TestDatabase.PROPERTY, TestDatabase.jdbcUrl())
            .start()) {
      // frozen only once every put returned: a flush may start before the last puts are made
      frozen.awaitOutputLine("WRITING", Duration.ofSeconds(60));
      frozen.awaitOutputLine("PUT", Duration.ofSeconds(60));
      signal(frozen.pid(), "STOP");
      CacheManager survivor =
          new CascadeCachingProvider()
              .getCacheManager(URI.create(redis.uri()), getClass().getClassLoader());
      try {
        Cache<String, String> cache =
            survivor.createCache(
                cacheName, WriteBehindTest.writeBehind(settings(new TableWriterFactory(table))));
        // the survivor takes the partition once the lease expired and the records idled for
        // claimIdle
        awaitRows(table, "old");
        for (int i = 0; i < KEYS; i++) {
          cache.put("k" + i, "new");
        }
        awaitRows(table, "new");
      } finally {
        survivor.close();
      }
      signal(frozen.pid(), "CONT");
      frozen.awaitOutputLine("WROTE", Duration.ofSeconds(60));
      Map<String, String> expected = new TreeMap<>();
      for (int i = 0; i < KEYS; i++) {
        expected.put("k" + i, "new");
      }
      assertEquals(
          expected, rows(table), "the frozen JVM's late batch did not overwrite the newer rows");
    } finally {
      TestDatabase.dropTable(table);
    }
  }

  private static Map<String, String> rows(String table) {
    return new TreeMap<>(
        TestDatabase.queryMap("SELECT k, v FROM " + table, String.class, String.class));
  }

  private static void awaitRows(String table, String value) {
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      Map<String, String> rows = rows(table);
      if (rows.size() == KEYS && rows.values().stream().allMatch(value::equals)) {
        return;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("rows did not all become '" + value + "' within 60 s: " + rows);
      }
      TableFixture.sleep(50);
    }
  }

  private static void signal(long pid, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill -" + signal + " " + pid);
  }
}
