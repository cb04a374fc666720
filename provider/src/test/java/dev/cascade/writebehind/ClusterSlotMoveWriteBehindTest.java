package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.internal.store.KeyLayout;
import dev.cascade.testing.RedisCluster;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedisCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The slot of a write-behind partition (its entries, its stream with the consumer group and the
 * pending records, its lease) moves to another master while records are written and flushed, as a
 * reshard does. The flusher's fenced reads run inside {@code MULTI} on a connection of its own to
 * the partition's master, where the move shows as {@code ASK}, then {@code MOVED} for commands
 * queued in the transaction; a put's script meets {@code TRYAGAIN} while the slot migrates (the
 * test checks that Redis answered it), and is sent again until the slot has moved. The slot holds
 * about 150 keys and moves in about 300 ms, well under the command timeout of 5 s, which leaves
 * room for a loaded machine (see docs/cluster.md for larger slots). No put fails; once the queue
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
    try (TableFixture t = new TableFixture("wb_slot_move")) {
      CacheManager manager = TableFixture.manager(cluster.seedUri(), Duration.ofSeconds(5));
      ExecutorService threads = Executors.newFixedThreadPool(1);
      try {
        String name = WriteBehindTest.name("slot-move");
        Cache<String, String> cache =
            manager.createCache(
                name,
                WriteBehindTest.writeBehind(
                    t.eagerWriteBehind(1).replicaAck(replicaAcks, Duration.ofSeconds(1))));
        int slot = RedisCluster.slot(new KeyLayout(name, 1).streamKey(0));
        RedisServer from = cluster.masterForSlot(slot);
        RedisServer to =
            cluster.masters().stream().filter(m -> m != from).findFirst().orElseThrow();
        long tryAgainsBefore = tryAgains(cluster);

        AtomicBoolean moving = new AtomicBoolean(true);
        AcknowledgedPuts puts = new AcknowledgedPuts(cache, KEYS, moving::get, 1);
        Future<?> writes = threads.submit(puts);
        try {
          Thread.sleep(500); // records queued and flushed on the old master first
          // 10 keys per MIGRATE, 20 ms apart: a migration of about 300 ms, which the writer's
          // puts (one every millisecond or two) meet for certain
          cluster.moveSlot(slot, to, 10, Duration.ofMillis(20));
        } finally {
          moving.set(false);
        }
        writes.get(60, TimeUnit.SECONDS);
        assertEquals(to.port(), cluster.masterForSlot(slot).port(), "the slot moved");
        // counted for every client (puts and the flushers' acknowledgements alike): it shows the
        // migration was met, and that no put failed shows the puts waited it out
        assertTrue(
            tryAgains(cluster) > tryAgainsBefore,
            "Redis answered no TRYAGAIN: the move met no change, and the test showed nothing");
        assertEquals(List.of(), List.copyOf(puts.failures), "no put fails while a slot moves");

        puts.assertHeldBy(t.drained(cache, Duration.ofSeconds(60)), "slot " + slot);
        AcknowledgedPuts.assertNothingPending(to, name, 1, 0);
      } finally {
        threads.shutdownNow();
        manager.close(); // before the table goes: no flusher writes into a dropped table
      }
    }
  }

  /** TRYAGAIN replies of every master so far ({@code INFO errorstats}, Redis 6.2 and later). */
  private static long tryAgains(RedisCluster cluster) {
    long n = 0;
    for (RedisServer m : cluster.masters()) {
      String stat = m.info("errorstats").get("errorstat_TRYAGAIN"); // "count=3"
      if (stat != null) {
        n += Long.parseLong(stat.substring(stat.indexOf('=') + 1));
      }
    }
    return n;
  }
}
