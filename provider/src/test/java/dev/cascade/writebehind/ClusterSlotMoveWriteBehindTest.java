package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCachingProvider;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.internal.store.QueueStore;
import dev.cascade.testing.RedisCluster;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedisCluster;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The slot of a write-behind partition (its entries, its stream with the consumer group and the
 * pending records, its lease) moves to another master while records are written and flushed, as a
 * reshard does. The flusher's fenced reads run inside {@code MULTI} on a connection of its own to
 * the partition's master, where the move shows as {@code ASK}, then {@code MOVED} for commands
 * queued in the transaction; a put's script meets {@code TRYAGAIN} while the slot's keys are split
 * between the two masters, and is sent again until they are together. No put fails; once the queue
 * drains on the new master, the table equals the cache, every put (or a later one of its key) is in
 * it, and nothing stays pending.
 */
@WithRedisCluster
@Timeout(180)
class ClusterSlotMoveWriteBehindTest {

  private static final int KEYS = 100;

  /**
   * @param replicaAcks 0: changes go through the shared cluster connection; 1: each waits for a
   *     replica ({@code WriteBehind.replicaAck}) on a connection of its own to the slot's master
   */
  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void aPartitionsSlotMovesWhileFlushing_noWriteIsLost_andTheTableEndsEqualToTheCache(
      int replicaAcks, RedisCluster cluster) throws Exception {
    CacheManager manager =
        new CascadeCachingProvider()
            .getCacheManager(
                URI.create(cluster.seedUri() + "?timeout=2s"), getClass().getClassLoader());
    ExecutorService threads = Executors.newFixedThreadPool(1);
    try (TableFixture t = new TableFixture("wb_slot_move")) {
      String name = WriteBehindTest.name("slot-move");
      Cache<String, String> cache =
          manager.createCache(
              name,
              WriteBehindTest.writeBehind(
                  WriteBehind.<String, String>of(t.writerFactory())
                      .partitions(1)
                      .batchSize(20)
                      .maxDelay(Duration.ofMillis(10))
                      .backoff(Duration.ofMillis(10), Duration.ofMillis(200))
                      .replicaAck(replicaAcks, Duration.ofSeconds(1))));
      KeyLayout layout = new KeyLayout(name, 1);
      int slot = RedisCluster.slot(layout.streamKey(0));
      RedisServer from = cluster.masterForSlot(slot);
      RedisServer to = cluster.masters().stream().filter(m -> m != from).findFirst().orElseThrow();

      Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
      Queue<String> failedPuts = new ConcurrentLinkedQueue<>();
      AtomicBoolean moving = new AtomicBoolean(true);
      Future<?> writes =
          threads.submit(
              () -> {
                // through the move, then a while after it
                for (int i = 0; moving.get() || i % 300 != 0; i++) {
                  String key = "k" + i % KEYS;
                  try {
                    cache.put(key, "v" + i);
                    acknowledged.put(key, i);
                  } catch (CacheException refused) {
                    failedPuts.add(key + ": " + refused.getMessage());
                  }
                  Thread.sleep(1);
                }
                return null;
              });
      try {
        Thread.sleep(500); // records queued and flushed on the old master first
        cluster.moveSlot(slot, to);
      } finally {
        moving.set(false);
      }
      writes.get(60, TimeUnit.SECONDS);
      assertEquals(to.port(), cluster.masterForSlot(slot).port(), "the slot moved");
      assertEquals(List.of(), List.copyOf(failedPuts), "no put fails while a slot moves");

      Map<String, String> table = new TreeMap<>(t.drained(cache, Duration.ofSeconds(60)));
      assertEquals(KEYS, table.size(), "every key written reaches the table");
      assertEquals(
          new TreeMap<>(TableFixture.contents(cache, table.keySet())),
          table,
          "the table equals the cache once the queue drained");
      acknowledged.forEach(
          (key, i) ->
              assertTrue(
                  Integer.parseInt(table.get(key).substring(1)) >= i,
                  key + ": the put of v" + i + " returned, the table holds " + table.get(key)));
      String stream = new String(layout.streamKey(0), StandardCharsets.UTF_8);
      List<?> pending = (List<?>) to.command("XPENDING", stream, QueueStore.GROUP);
      assertEquals(0L, pending.get(0), "records left pending: " + pending);
    } finally {
      threads.shutdownNow();
      manager.close();
    }
  }
}
