package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.testing.MapDatabase;
import dev.cascade.testing.RedisCluster;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedisCluster;
import dev.cascade.writebehind.WriteBehind;
import dev.cascade.writebehind.WriteBehindMXBean;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryRemovedListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cache on a Redis Cluster of three masters: its entries spread over every master, and the
 * operations that touch many keys (bulk calls, iteration, clear, events) work across the nodes.
 */
@WithRedisCluster
@Timeout(120)
class ClusterCacheTest {

  private static RedisCluster cluster;
  private static CacheManager first;
  private static CacheManager second;

  @BeforeAll
  static void open(RedisCluster redisCluster) {
    cluster = redisCluster;
    first = Managers.open(cluster.seedUri());
    second = Managers.open(cluster.seedUri());
  }

  @AfterAll
  static void close() {
    first.close();
    second.close();
  }

  private static MutableConfiguration<String, String> strings() {
    return new MutableConfiguration<String, String>().setTypes(String.class, String.class);
  }

  @Test
  void thirtyThousandEntries_spreadOverEveryMaster() {
    String name = Managers.uniqueName("spread");
    Cache<String, String> cache = first.createCache(name, strings());
    int total = 30_000;
    Map<String, String> chunk = new HashMap<>();
    for (int i = 0; i < total; i++) {
      chunk.put("key-" + i, "value-" + i);
      if (chunk.size() == 1_000) {
        cache.putAll(chunk);
        chunk.clear();
      }
    }

    List<RedisServer> masters = cluster.masters();
    assertEquals(3, masters.size(), "masters");
    Map<Integer, Long> entriesPerMaster = new LinkedHashMap<>();
    long sum = 0;
    for (RedisServer master : masters) {
      long entries = countKeys(master, entryPattern(name));
      entriesPerMaster.put(master.port(), entries);
      System.out.printf(
          "master %d: DBSIZE %s, entries of the cache %d%n",
          master.port(), master.command("DBSIZE"), entries);
      sum += entries;
      assertTrue(
          entries > 0,
          "master " + master.port() + " holds entries of the cache: " + entriesPerMaster);
    }
    assertEquals(total, sum, "every entry is on exactly one master: " + entriesPerMaster);
  }

  @Test
  void bulkOperationsIterationAndClear_workAcrossNodes() {
    String name = Managers.uniqueName("bulk");
    Cache<String, String> cache = first.createCache(name, strings());
    Map<String, String> all = new HashMap<>();
    for (int i = 0; i < 3_000; i++) {
      all.put("k" + i, "v" + i);
    }
    cache.putAll(all);
    assertEquals(all, cache.getAll(all.keySet()), "getAll across nodes");

    Map<String, String> iterated = new HashMap<>();
    for (Cache.Entry<String, String> e : cache) {
      iterated.put(e.getKey(), e.getValue());
    }
    assertEquals(all, iterated, "iteration visits every node once");

    Set<String> some = new HashSet<>();
    for (int i = 0; i < 3_000; i += 3) {
      some.add("k" + i);
    }
    cache.removeAll(some);
    assertEquals(2_000, cache.getAll(all.keySet()).size(), "removeAll(keys) across nodes");

    cache.removeAll();
    assertEquals(0, cache.getAll(all.keySet()).size(), "removeAll() across nodes");
    assertEquals(0, totalKeys(entryPattern(name)), "no entry left on any master");

    cache.putAll(all);
    cache.clear();
    assertEquals(0, totalKeys(entryPattern(name)), "clear() leaves no entry on any master");
    assertNull(cache.get("k1"));

    first.destroyCache(name);
    assertEquals(
        1,
        totalKeys("cascade:" + name + "*"),
        "destroyCache leaves no key of the cache on any master but the mark of a destroyed cache");
    assertEquals(1, totalKeys("cascade:" + name + ":meta"), "which is the registry entry's key");
  }

  /**
   * {@code clear()} of a write-behind cache keeps the queued-write markers of its entries on every
   * master (one script per slot, as a script's keys must share one), and the queued writes still
   * reach the writer.
   */
  @Test
  void clearOfAWriteBehindCache_keepsQueuedWrites_onEveryNode() {
    String name = Managers.uniqueName("wbclear");
    Map<String, String> table = MapDatabase.table(name);
    MutableConfiguration<String, String> config =
        strings()
            .setWriteThrough(true)
            .setCacheWriterFactory(
                WriteBehind.<String, String>of(MapDatabase.writerFactory(name))
                    .maxDelay(java.time.Duration.ofSeconds(2))
                    .build());
    Cache<String, String> cache = first.createCache(name, config);
    Map<String, String> all = new HashMap<>();
    for (int i = 0; i < 2_000; i++) {
      all.put("k" + i, "v" + i);
    }
    cache.putAll(all);
    cache.clear();
    assertEquals(Map.of(), cache.getAll(all.keySet()), "cleared on every master");
    WriteBehindMXBean queue = cache.unwrap(CascadeCache.class).writeBehind();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (queue.getQueueDepth() > 0 && System.nanoTime() < deadline) {
      sleep(50);
    }
    assertEquals(all, table, "every write queued before clear() reached the writer");
    assertEquals(0, totalKeys(entryPattern(name)), "the flush removed the emptied entries");
    first.destroyCache(name);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void listenedPutsFromManyThreads_eachKeyIsCreatedOnce_onEveryNode() throws Exception {
    // puts into a listened cache go to changes.lua calls per partition here (a call's keys share a
    // slot); they share a call when the partition's lane has more waiting than on the wire
    Cache<String, String> cache = first.createCache(Managers.uniqueName("listened"), strings());
    ListenedPutsTest.Heard heard = ListenedPutsTest.putTheSameKeysFromThreads(cache, 8, 1_000);
    heard.assertEachKeyCreatedOnce(8, 1_000);
  }

  @Test
  void events_reachListenersOfAnotherManager_fromEveryNode() throws Exception {
    String name = Managers.uniqueName("events");
    Cache<String, String> writer = first.createCache(name, strings());
    Cache<String, String> listening = second.getCache(name, String.class, String.class);
    QueueListener.EVENTS.clear();
    listening.registerCacheEntryListener(
        new MutableCacheEntryListenerConfiguration<>(
            FactoryBuilder.factoryOf(QueueListener.class), null, false, false));
    // the writing manager learns that another one listens from the control channel (at worst its 5
    // s check)
    long deadline = System.currentTimeMillis() + 10_000;
    boolean heard = false;
    for (int probe = 0; !heard && System.currentTimeMillis() < deadline; probe++) {
      writer.put("probe-" + probe, "p");
      String event = QueueListener.EVENTS.poll(200, TimeUnit.MILLISECONDS);
      heard = event != null && event.startsWith("CREATED probe-");
    }
    assertTrue(heard, "the other manager hears changes within 10 s of registering its listener");
    QueueListener.EVENTS.clear();

    int keys = 300;
    KeyLayout layout = new KeyLayout(name, CascadeConfiguration.DEFAULT_PARTITIONS);
    Set<Integer> slots = new HashSet<>();
    for (int i = 0; i < keys; i++) {
      writer.put("e" + i, "x" + i);
      slots.add(RedisCluster.slot(layout.entryKey(("e" + i).getBytes(StandardCharsets.UTF_8))));
    }
    Set<String> created = new HashSet<>();
    Set<String> removed = new HashSet<>();
    for (int i = 0; i < keys; i++) {
      writer.remove("e" + i);
    }
    long until = System.currentTimeMillis() + 20_000;
    while ((created.size() < keys || removed.size() < keys) && System.currentTimeMillis() < until) {
      String event = QueueListener.EVENTS.poll(500, TimeUnit.MILLISECONDS);
      // a probe's event may still arrive late: only the e<i> keys count
      if (event != null && event.substring(event.indexOf(' ') + 1).startsWith("e")) {
        (event.startsWith("CREATED ") ? created : removed)
            .add(event.substring(event.indexOf(' ') + 1));
      }
    }
    assertEquals(keys, created.size(), "CREATED events heard from the other manager");
    assertEquals(keys, removed.size(), "REMOVED events heard from the other manager");
    Set<Integer> mastersWritten = new HashSet<>();
    for (int slot : slots) {
      mastersWritten.add(cluster.masterForSlot(slot).port());
    }
    assertEquals(3, mastersWritten.size(), "the keys lived on every master");
  }

  private static String entryPattern(String cacheName) {
    return "cascade:" + cacheName + ":{" + cacheName + "#*";
  }

  private static long totalKeys(String pattern) {
    long n = 0;
    for (RedisServer master : cluster.masters()) {
      n += countKeys(master, pattern);
    }
    return n;
  }

  /** {@code SCAN MATCH} over one node. */
  static long countKeys(RedisServer node, String pattern) {
    long n = 0;
    String cursor = "0";
    do {
      List<?> reply = (List<?>) node.command("SCAN", cursor, "MATCH", pattern, "COUNT", "1000");
      cursor = (String) reply.get(0);
      n += ((List<?>) reply.get(1)).size();
    } while (!"0".equals(cursor));
    return n;
  }

  /** Hands events to the test thread. */
  public static final class QueueListener
      implements CacheEntryCreatedListener<String, String>,
          CacheEntryRemovedListener<String, String>,
          Serializable {
    private static final long serialVersionUID = 1L;
    static final BlockingQueue<String> EVENTS = new LinkedBlockingQueue<>();

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      for (CacheEntryEvent<? extends String, ? extends String> e : events) {
        EVENTS.add("CREATED " + e.getKey());
      }
    }

    @Override
    public void onRemoved(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      for (CacheEntryEvent<? extends String, ? extends String> e : events) {
        EVENTS.add("REMOVED " + e.getKey());
      }
    }
  }
}
