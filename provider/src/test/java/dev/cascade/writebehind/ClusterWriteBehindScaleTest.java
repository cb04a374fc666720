package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.testing.RedisCluster;
import dev.cascade.testing.WithRedisCluster;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three CacheManagers with connections of their own (like three JVMs) write and flush one cache on
 * a Redis Cluster: they share the 16 partitions, whose streams and leases live on all three
 * masters, every key reaches the database in the order it was written, and database equals cache
 * after the drain.
 */
@WithRedisCluster
@Timeout(240)
class ClusterWriteBehindScaleTest {

  @Test
  void threeFlushingManagers_onACluster_keepPerKeyOrder_andDatabaseEqualsCache(RedisCluster cluster)
      throws Exception {
    List<CacheManager> managers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      managers.add(
          new CascadeCachingProvider()
              .getCacheManager(URI.create(cluster.seedUri()), getClass().getClassLoader()));
    }
    try (TableFixture t = new TableFixture("wb_cluster_scale")) {
      String name = WriteBehindTest.name("cluster-scale");
      WriteBehind<String, String> wb =
          WriteBehind.of(WriteBehindScaleTest.SequenceLoggingWriter.factory(t.table))
              .leaseTtl(Duration.ofMillis(900))
              .claimIdle(Duration.ofSeconds(2))
              .writerTimeout(Duration.ofSeconds(1))
              .maxDelay(Duration.ofMillis(50));
      List<Cache<String, String>> caches = new ArrayList<>();
      for (CacheManager m : managers) {
        caches.add(m.createCache(name, WriteBehindTest.writeBehind(wb)));
      }

      // the partitions' streams and leases are spread over every master
      KeyLayout layout = new KeyLayout(name, CascadeConfiguration.DEFAULT_PARTITIONS);
      Set<Integer> streamMasters = new HashSet<>();
      for (int p = 0; p < layout.partitions(); p++) {
        int slot = RedisCluster.slot(layout.streamKey(p));
        assertEquals(
            slot, RedisCluster.slot(layout.leaseKey(p)), "lease and stream of partition " + p);
        streamMasters.add(cluster.masterForSlot(slot).port());
      }
      assertEquals(3, streamMasters.size(), "write-behind streams on every master");

      // each thread owns its keys and writes them increasing numbers; two threads per manager
      int threads = 6;
      int keys = 300;
      String prefix = name + ":";
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> futures = new ArrayList<>();
      for (int thread = 0; thread < threads; thread++) {
        int id = thread;
        Cache<String, String> cache = caches.get(id % 3);
        futures.add(
            pool.submit(
                () -> {
                  int[] next = new int[keys];
                  for (int n = 0; n < 1500; n++) {
                    int k = id + threads * ThreadLocalRandom.current().nextInt(keys / threads);
                    cache.put(prefix + k, Integer.toString(++next[k]));
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get(150, TimeUnit.SECONDS);
      }
      pool.shutdown();

      Map<String, String> rows = t.drained(caches.get(0), Duration.ofSeconds(90));
      List<String> all = new ArrayList<>();
      for (int k = 0; k < keys; k++) {
        all.add(prefix + k);
      }
      assertEquals(
          TableFixture.contents(caches.get(0), all), rows, "database equals cache after the drain");
      int checked = 0;
      for (Map.Entry<String, List<Integer>> e :
          WriteBehindScaleTest.SequenceLoggingWriter.APPLIED.entrySet()) {
        if (!e.getKey().startsWith(prefix)) {
          continue;
        }
        List<Integer> seen = new ArrayList<>(e.getValue());
        for (int i = 1; i < seen.size(); i++) {
          assertTrue(
              seen.get(i) >= seen.get(i - 1),
              "key " + e.getKey() + " was written out of order: " + seen);
        }
        checked++;
      }
      assertEquals(rows.size(), checked, "every written key's order was checked");

      long held = 0;
      StringBuilder summary = new StringBuilder("three flushers on a cluster:");
      for (Cache<String, String> cache : caches) {
        WriteBehindMXBean stats = cache.unwrap(CascadeCache.class).writeBehind();
        summary.append(
            String.format(
                " [flushed %d records, holds %d partitions]",
                stats.getRecordsFlushed(), stats.getPartitionsHeld()));
        assertTrue(stats.getRecordsFlushed() > 0, "every manager flushed: " + summary);
        held += stats.getPartitionsHeld();
      }
      System.out.println(summary);
      assertEquals(16, held, "every partition has one flusher: " + summary);
    } finally {
      managers.forEach(CacheManager::close);
    }
  }
}
