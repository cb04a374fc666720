package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.testing.Await;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The writer's side of the limits: very large batches, a writer call that hangs, timeouts that
 * contradict each other.
 */
@WithRedis
@Timeout(180)
class WriteBehindWriterLimitsTest {

  private static CacheManager manager;

  @BeforeAll
  static void open(RedisServer redis) {
    manager =
        new CascadeCachingProvider()
            .getCacheManager(
                URI.create(redis.uri()), WriteBehindWriterLimitsTest.class.getClassLoader());
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @Test
  void batchSizeTenThousand_withTwentyThousandQueuedRecords_drains() {
    try (TableFixture t = new TableFixture("wb_big")) {
      // one partition, so each batch holds 10,000 records: more than Lua can unpack at once (about
      // 8,000)
      Cache<String, String> cache =
          manager.createCache(
              WriteBehindTest.name("big"),
              WriteBehindTest.writeBehind(
                  WriteBehind.of(t.writerFactory())
                      .partitions(1)
                      .batchSize(10_000)
                      .maxDelay(Duration.ofSeconds(20))));
      Map<String, String> acknowledged = new HashMap<>();
      for (int chunk = 0; chunk < 20; chunk++) {
        Map<String, String> puts = new HashMap<>();
        for (int i = chunk * 1_000; i < (chunk + 1) * 1_000; i++) {
          puts.put("k" + i, "v" + i);
        }
        cache.putAll(puts);
        acknowledged.putAll(puts);
      }
      long started = System.currentTimeMillis();
      Map<String, String> rows = t.drained(cache, Duration.ofSeconds(60));
      System.out.printf(
          "20,000 records in batches of 10,000 drained in %d ms, %d writer calls%n",
          System.currentTimeMillis() - started, TableFixture.CALLS.get(t.table).get());
      assertEquals(acknowledged, rows, "every record reached the table");
      assertEquals(20_000, cache.unwrap(CascadeCache.class).writeBehind().getRecordsFlushed());
    }
  }

  @Test
  void writerHangsOnOnePartitionsKey_theWorkersOtherPartitionsKeepFlushing() throws Exception {
    String name = WriteBehindTest.name("hang");
    // one flush thread serves all four partitions: a worker stuck with one of them would stall all
    Cache<String, String> cache =
        manager.createCache(
            name,
            WriteBehindTest.writeBehind(
                WriteBehind.of(HangingWriter.factory())
                    .partitions(4)
                    .flushThreads(1)
                    .maxDelay(Duration.ofMillis(50))
                    .writerTimeout(Duration.ofMillis(500))
                    .claimIdle(Duration.ofSeconds(2))));
    KeyLayout layout = new KeyLayout(name, 4);
    int hungPartition = layout.partition(HangingWriter.HANG.getBytes(StandardCharsets.UTF_8));
    cache.put(HangingWriter.HANG, "stuck");
    assertTrue(
        HangingWriter.ENTERED.await(10, java.util.concurrent.TimeUnit.SECONDS),
        "the writer got the key");

    List<String> others = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String key = "k" + i;
      cache.put(key, "v" + i);
      if (layout.partition(key.getBytes(StandardCharsets.UTF_8)) != hungPartition) {
        others.add(key);
      }
    }
    long started = System.currentTimeMillis();
    long deadline = started + 10_000;
    while (!HangingWriter.WRITTEN.keySet().containsAll(others)
        && System.currentTimeMillis() < deadline) {
      TableFixture.sleep(20);
    }
    long othersMillis = System.currentTimeMillis() - started;
    WriteBehindMXBean stats = cache.unwrap(CascadeCache.class).writeBehind();
    String lastError = stats.getLastError();
    System.out.printf(
        "while partition %d hangs, the %d keys of the other partitions were written in %d ms%n",
        hungPartition, others.size(), othersMillis);
    assertTrue(
        HangingWriter.WRITTEN.keySet().containsAll(others),
        "the other partitions flushed while one call"
            + " hangs; written: "
            + HangingWriter.WRITTEN.keySet()
            + ", last error: "
            + lastError);
    assertFalse(
        HangingWriter.WRITTEN.containsKey(HangingWriter.HANG), "the hung call has not returned");
    assertTrue(
        String.valueOf(lastError).contains("did not return within 500 ms"),
        "reported: " + lastError);

    HangingWriter.RELEASE.countDown();
    deadline = System.currentTimeMillis() + 30_000;
    while (stats.getQueueDepth() > 0 && System.currentTimeMillis() < deadline) {
      TableFixture.sleep(20);
    }
    assertEquals(0, stats.getQueueDepth(), "the hung partition flushes once the call returned");
    assertEquals("stuck", HangingWriter.WRITTEN.get(HangingWriter.HANG));
    for (int i = 0; i < 40; i++) {
      assertEquals("v" + i, HangingWriter.WRITTEN.get("k" + i));
    }
  }

  @Test
  void writerTimeoutNotBelowClaimIdle_isRefusedNamingBoth() {
    WriteBehind<String, String> wb =
        WriteBehind.of(HangingWriter.factory()).writerTimeout(Duration.ofSeconds(20));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, wb::build);
    assertTrue(
        e.getMessage().contains("writerTimeout") && e.getMessage().contains("claimIdle"),
        e.getMessage());
    WriteBehind.of(HangingWriter.factory())
        .writerTimeout(Duration.ofSeconds(20))
        .claimIdle(Duration.ofSeconds(30))
        .build();
  }

  @Test
  void defaults_writerTimeoutBelowClaimIdle() {
    assertTrue(
        WriteBehindSettings.DEFAULT_WRITER_TIMEOUT.compareTo(WriteBehindSettings.DEFAULT_CLAIM_IDLE)
            < 0,
        "writer calls must end before another flusher may claim their records");
    WriteBehind.of(HangingWriter.factory()).build();
  }

  /**
   * Writes to a map; a batch with the key {@link #HANG} hangs, deaf to interrupts, until released.
   */
  static final class HangingWriter implements CacheWriter<String, String>, Serializable {
    static final String HANG = "hang";
    static final Map<String, String> WRITTEN = new ConcurrentHashMap<>();
    static final CountDownLatch ENTERED = new CountDownLatch(1);
    static final CountDownLatch RELEASE = new CountDownLatch(1);

    static Factory<CacheWriter<String, String>> factory() {
      return (Factory<CacheWriter<String, String>> & Serializable) HangingWriter::new;
    }

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      List<Cache.Entry<? extends String, ? extends String>> one = new ArrayList<>(List.of(entry));
      writeAll(one);
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      for (Cache.Entry<? extends String, ? extends String> e : entries) {
        if (HANG.equals(e.getKey())) {
          ENTERED.countDown();
          Await.throughInterrupts(RELEASE);
        }
      }
      for (Cache.Entry<? extends String, ? extends String> e : entries) {
        WRITTEN.put(e.getKey(), e.getValue());
      }
      entries.clear();
    }

    @Override
    public void delete(Object key) {
      WRITTEN.remove(key);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      keys.forEach(WRITTEN::remove);
      keys.clear();
    }
  }
}
