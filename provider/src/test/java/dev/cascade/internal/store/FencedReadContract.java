package dev.cascade.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.internal.store.QueueStore.QueuedRecord;
import io.lettuce.core.Consumer;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.models.stream.PendingMessages;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link QueueStore#readNew}: the read of new write-behind records is fenced by the partition's
 * flush lease ({@code WATCH} of the lease key, then {@code XREADGROUP} inside {@code MULTI}/{@code
 * EXEC} on a connection of its own). A flusher whose lease another flusher took, even between its
 * check of the lease and its read, must not read new records into its name: they would stay pending
 * for it, out of the new holder's reach until they are idle long enough to claim. Run on a single
 * server and on a cluster (where the connection must go to the partition's master).
 */
abstract class FencedReadContract {

  static final Duration TTL = Duration.ofSeconds(30);

  RedisAccess redis;
  QueueStore queue;
  KeyLayout layout;

  /** Opens {@link #redis} on the fixture of the subclass, for a cache of {@code partitions}. */
  abstract void open(String cache, int partitions);

  @AfterEach
  void close() {
    QueueStore.afterFenceChecks = null;
    if (redis != null) {
      redis.close();
    }
  }

  RedisClusterAsyncCommands<byte[], byte[]> commands() {
    return redis.commands();
  }

  void append(int partition, int records) throws Exception {
    for (int i = 0; i < records; i++) {
      commands()
          .xadd(
              layout.streamKey(partition),
              Map.of(b("k"), b("key-" + i), b("o"), b("p"), b("v"), b("value-" + i)))
          .get();
    }
  }

  long pendingFor(int partition, String consumer) throws Exception {
    PendingMessages summary =
        commands().xpending(layout.streamKey(partition), b(QueueStore.GROUP)).get();
    Long n = summary.getConsumerMessageCount().get(consumer);
    return n == null ? 0 : n;
  }

  /** Takes the lease from whoever holds it, as another flusher does once it expired. */
  void leaseTakenBy(int partition, String owner) throws Exception {
    commands().del(layout.leaseKey(partition)).get();
    assertNotNull(queue.acquireLease(partition, owner, TTL));
  }

  @Test
  void theHolder_readsNewRecords_intoItsName() throws Exception {
    open("fenced-read-holder", 4);
    for (int p = 0; p < layout.partitions(); p++) {
      append(p, 3);
      String token = queue.acquireLease(p, "a", TTL);
      List<QueuedRecord> read = queue.readNew(p, "a", 10, token, List.of());
      assertEquals(3, read.size(), "partition " + p);
      assertEquals("value-0", new String(read.get(0).value, StandardCharsets.UTF_8));
      assertEquals(3, pendingFor(p, "a"));
      // in step: holding the 3, a second read finds the new ones only
      append(p, 2);
      assertEquals(2, queue.readNew(p, "a", 10, token, ids(read)).size());
    }
  }

  @Test
  void aFlusherThatLostItsLease_readsNothing() throws Exception {
    open("fenced-read-lost", 1);
    append(0, 3);
    String token = queue.acquireLease(0, "a", TTL);
    leaseTakenBy(0, "b");
    assertNull(queue.readNew(0, "a", 10, token, List.of()));
    assertEquals(0, pendingFor(0, "a"));
  }

  @Test
  void aLeaseTakenBetweenTheCheckAndTheRead_isCaught_nothingIsReadIntoTheOldName()
      throws Exception {
    open("fenced-read-race", 4);
    for (int p = 0; p < layout.partitions(); p++) {
      append(p, 3);
      String token = queue.acquireLease(p, "a", TTL);
      int partition = p;
      AtomicInteger checks = new AtomicInteger();
      QueueStore.afterFenceChecks =
          () -> {
            if (checks.incrementAndGet() == 1) {
              try {
                leaseTakenBy(partition, "b");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            }
          };
      assertNull(queue.readNew(p, "a", 10, token, List.of()), "partition " + p);
      QueueStore.afterFenceChecks = null;
      assertEquals(0, pendingFor(p, "a"), "partition " + p + ": read into the old holder's name");
      // the new holder gets every record
      String taken =
          new String(commands().get(layout.leaseKey(p)).get(), StandardCharsets.US_ASCII);
      assertEquals(3, queue.readNew(p, "b", 10, taken, List.of()).size());
    }
  }

  @Test
  void aRenewalBetweenTheCheckAndTheRead_onlyDelaysIt() throws Exception {
    open("fenced-read-renewal", 1);
    append(0, 3);
    String token = queue.acquireLease(0, "a", TTL);
    AtomicInteger checks = new AtomicInteger();
    QueueStore.afterFenceChecks =
        () -> {
          if (checks.incrementAndGet() == 1) {
            queue.renewLease(0, token, TTL); // a PEXPIRE: the watched key changed
          }
        };
    assertEquals(3, queue.readNew(0, "a", 10, token, List.of()).size());
    assertEquals(2, checks.get(), "the renewal discarded the first EXEC; the second read");
  }

  @Test
  void aConsumerOutOfStep_readsNothing() throws Exception {
    open("fenced-read-step", 1);
    append(0, 3);
    String token = queue.acquireLease(0, "a", TTL);
    assertThrows(
        QueueStore.OutOfStepException.class,
        () -> queue.readNew(0, "a", 10, token, List.of("1-0", "2-0")));
    assertEquals(0, pendingFor(0, "a"));
  }

  @Test
  void aConsumerHoldingOtherRecordsThanRedisHasPendingForIt_readsNothing() throws Exception {
    // as after a failover: the promoted replica has as many records pending for the consumer as
    // it holds, but an older one in place of one it read since (a count would not tell them apart)
    open("fenced-read-ids", 1);
    append(0, 3);
    String token = queue.acquireLease(0, "a", TTL);
    List<QueuedRecord> first = queue.readNew(0, "a", 1, token, List.of());
    List<QueuedRecord> second = queue.readNew(0, "a", 1, token, ids(first));
    assertEquals(2, pendingFor(0, "a"));
    List<String> notAsInRedis = List.of(first.get(0).id, "9999999999999-0");
    assertThrows(
        QueueStore.OutOfStepException.class, () -> queue.readNew(0, "a", 10, token, notAsInRedis));
    assertEquals(2, pendingFor(0, "a"), "nothing was read");
    List<String> asInRedis = List.of(first.get(0).id, second.get(0).id);
    assertEquals(1, queue.readNew(0, "a", 10, token, asInRedis).size());
  }

  @Test
  void readingHeldRecordsAgain_startsTheirIdleTimeAgain_onlyWhileTheLeaseIsOurs() throws Exception {
    open("fenced-read-again", 1);
    append(0, 2);
    String token = queue.acquireLease(0, "a", TTL);
    List<String> held = ids(queue.readNew(0, "a", 10, token, List.of()));
    Thread.sleep(300);
    assertTrue(idleOf(0, "a") >= 300, "idle since the read: " + idleOf(0, "a"));
    assertTrue(queue.readHeldAgain(0, "a", token, held));
    assertTrue(idleOf(0, "a") < 300, "idle again from the second read: " + idleOf(0, "a"));
    assertThrows(
        QueueStore.OutOfStepException.class,
        () -> queue.readHeldAgain(0, "a", token, held.subList(0, 1)));
    leaseTakenBy(0, "b");
    Thread.sleep(300);
    assertFalse(queue.readHeldAgain(0, "a", token, held), "the lease is b's");
    assertTrue(idleOf(0, "a") >= 300, "a flusher without the lease started nothing again");
  }

  /** The longest idle time of the records pending for {@code consumer} (ms). */
  long idleOf(int partition, String consumer) throws Exception {
    long idle = 0;
    for (io.lettuce.core.models.stream.PendingMessage m :
        commands()
            .xpending(
                layout.streamKey(partition),
                Consumer.from(b(QueueStore.GROUP), b(consumer)),
                io.lettuce.core.Range.create("-", "+"),
                io.lettuce.core.Limit.from(100))
            .get()) {
      idle = Math.max(idle, m.getMsSinceLastDelivery());
    }
    return idle;
  }

  static List<String> ids(List<QueuedRecord> records) {
    List<String> ids = new java.util.ArrayList<>();
    for (QueuedRecord r : records) {
      ids.add(r.id);
    }
    return ids;
  }

  @Test
  void aLostGroup_isCreatedAgain_fromTheFirstRecord() throws Exception {
    open("fenced-read-group", 1);
    append(0, 3);
    String token = queue.acquireLease(0, "a", TTL);
    commands().xgroupDestroy(layout.streamKey(0), b(QueueStore.GROUP)).get();
    assertEquals(3, queue.readNew(0, "a", 10, token, List.of()).size());
  }

  @Test
  void aMissingStream_isNothingToRead() throws Exception {
    open("fenced-read-nostream", 1);
    String token = queue.acquireLease(0, "a", TTL);
    commands().del(layout.streamKey(0)).get();
    assertEquals(List.of(), queue.readNew(0, "a", 10, token, List.of()));
    assertEquals(0L, commands().exists(layout.streamKey(0)).get());
  }

  @Test
  void manyFlushersAtOnce_eachOnItsOwnPartition_readEverything() throws Exception {
    open("fenced-read-concurrent", 8);
    AtomicReference<Throwable> failed = new AtomicReference<>();
    List<Thread> threads = new java.util.ArrayList<>();
    for (int p = 0; p < layout.partitions(); p++) {
      append(p, 50);
      int partition = p;
      String token = queue.acquireLease(p, "a", TTL);
      threads.add(
          new Thread(
              () -> {
                try {
                  List<String> held = new java.util.ArrayList<>();
                  for (int round = 0; round < 10; round++) {
                    held.addAll(ids(queue.readNew(partition, "a", 5, token, held)));
                  }
                  assertEquals(50, held.size(), "partition " + partition);
                } catch (Throwable t) {
                  failed.compareAndSet(null, t);
                }
              }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    if (failed.get() != null) {
      throw new AssertionError(failed.get());
    }
    // nothing else read them: the group's last delivered record is the last one of each stream
    for (int p = 0; p < layout.partitions(); p++) {
      assertEquals(
          List.of(),
          commands()
              .xreadgroup(
                  Consumer.from(b(QueueStore.GROUP), b("c")),
                  XReadArgs.StreamOffset.lastConsumed(layout.streamKey(p)))
              .get());
    }
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
