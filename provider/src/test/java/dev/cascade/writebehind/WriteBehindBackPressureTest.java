package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCachingProvider;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
 * Each overflow policy at the bound. The flushers are held up by a writer whose batch calls wait
 * for a latch, so the queue fills: one partition, a bound of 5 records.
 */
@WithRedis
@Timeout(120)
class WriteBehindBackPressureTest {

  private static CacheManager manager;

  @BeforeAll
  static void open(RedisServer server) {
    manager =
        new CascadeCachingProvider()
            .getCacheManager(
                URI.create(server.uri()), WriteBehindBackPressureTest.class.getClassLoader());
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  /** A writer into a map, whose batch calls wait until its test opens the gate. */
  static final class GatedWriter implements CacheWriter<String, String> {
    static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();
    static final Map<String, Map<String, String>> TABLES = new ConcurrentHashMap<>();
    private final String id;

    GatedWriter(String id) {
      this.id = id;
    }

    static Factory<CacheWriter<String, String>> factory(String id) {
      GATES.put(id, new CountDownLatch(1));
      TABLES.put(id, new ConcurrentHashMap<>());
      return () -> new GatedWriter(id);
    }

    private void awaitGate() {
      try {
        GATES.get(id).await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      TABLES.get(id).put(entry.getKey(), entry.getValue());
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      awaitGate();
      for (var it = entries.iterator(); it.hasNext(); ) {
        write(it.next());
        it.remove();
      }
    }

    @Override
    public void delete(Object key) {
      TABLES.get(id).remove(key);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      awaitGate();
      for (var it = keys.iterator(); it.hasNext(); ) {
        delete(it.next());
        it.remove();
      }
    }
  }

  private static Cache<String, String> cache(String id, Overflow overflow, Duration timeout) {
    return manager.createCache(
        WriteBehindTest.name(id),
        WriteBehindTest.writeBehind(
            WriteBehind.of(GatedWriter.factory(id))
                .partitions(1)
                .maxQueueLength(5)
                .batchSize(1)
                .maxDelay(Duration.ofMillis(10))
                .overflow(overflow, timeout)));
  }

  /**
   * Fills the queue to its bound: the first record is taken by the (stuck) flusher, but stays in
   * the queue until it is written, so 4 more reach the bound of 5.
   */
  private static void fill(Cache<String, String> cache) {
    cache.put("k0", "v");
    TableFixture.sleep(300); // the flusher takes k0 and waits at the gate
    for (int i = 1; i <= 4; i++) {
      cache.put("k" + i, "v");
    }
  }

  @org.junit.jupiter.api.AfterEach
  void openEveryGate() {
    GatedWriter.GATES.values().forEach(CountDownLatch::countDown);
  }

  @Test
  void fail_refusesTheChangeAtTheBound_andChangesNothing() {
    Cache<String, String> cache = cache("fail", Overflow.FAIL, Duration.ofSeconds(1));
    fill(cache);
    CacheWriterException e = assertThrows(CacheWriterException.class, () -> cache.put("over", "v"));
    assertTrue(e.getMessage().contains("is full"), e.getMessage());
    assertNull(cache.get("over"));
    GatedWriter.GATES.get("fail").countDown();
  }

  /**
   * At the bound, a change of a key whose record no flusher has read yet replaces that record (the
   * queue keeps one unread record per key) and does not grow the queue: it is accepted. A key whose
   * record a flusher already read needs a new one: refused.
   */
  @Test
  void fail_acceptsAChangeThatOnlyReplacesItsKeysUnreadRecord() throws Exception {
    Cache<String, String> cache = cache("replace", Overflow.FAIL, Duration.ofSeconds(1));
    fill(cache);
    cache.put("k2", "v2");
    cache.remove("k3");
    assertThrows(CacheWriterException.class, () -> cache.put("k0", "again"), "k0 was read");
    assertEquals("v2", cache.get("k2"));
    GatedWriter.GATES.get("replace").countDown();
    Map<String, String> table = GatedWriter.TABLES.get("replace");
    long deadline = System.currentTimeMillis() + 20_000;
    while (!table.keySet().equals(Set.of("k0", "k1", "k2", "k4"))
        && System.currentTimeMillis() < deadline) {
      TableFixture.sleep(20);
    }
    assertEquals(Map.of("k0", "v", "k1", "v", "k2", "v2", "k4", "v"), Map.copyOf(table));
  }

  @Test
  void block_waitsForRoom_andFailsAfterItsTimeout() throws Exception {
    Cache<String, String> cache = cache("block", Overflow.BLOCK, Duration.ofMillis(500));
    fill(cache);
    CacheWriterException e = assertThrows(CacheWriterException.class, () -> cache.put("over", "v"));
    assertTrue(e.getMessage().contains("after waiting 500 ms"), e.getMessage());
    assertFalse(cache.containsKey("over"));
    // with room made while it waits, the same change goes through
    CompletableFuture<Void> blocked =
        CompletableFuture.runAsync(
            () -> {
              Cache<String, String> patient = cache;
              patient.put("later", "v");
            });
    TableFixture.sleep(100);
    assertFalse(blocked.isDone(), "the put waits while the queue is full");
    GatedWriter.GATES.get("block").countDown();
    blocked.get(30, TimeUnit.SECONDS);
    assertEquals("v", cache.get("later"));
  }

  @Test
  void writeThrough_writesTheDatabaseAtOnce_andStillQueuesTheRecord() {
    Cache<String, String> cache = cache("through", Overflow.WRITE_THROUGH, Duration.ofSeconds(1));
    fill(cache);
    cache.put("over", "direct");
    assertEquals(
        "direct",
        GatedWriter.TABLES.get("through").get("over"),
        "written synchronously at the bound");
    assertEquals("direct", cache.get("over"));
    GatedWriter.GATES.get("through").countDown();
    long deadline = System.currentTimeMillis() + 20_000;
    while (GatedWriter.TABLES.get("through").size() < 6 && System.currentTimeMillis() < deadline) {
      TableFixture.sleep(20);
    }
    assertEquals(
        6,
        GatedWriter.TABLES.get("through").size(),
        "every queued record flushed after the gate opened");
  }
}
