package dev.cascade.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
      List<QueuedRecord> read = queue.readNew(p, "a", 10, token, 0);
      assertEquals(3, read.size(), "partition " + p);
      assertEquals("value-0", new String(read.get(0).value, StandardCharsets.UTF_8));
      assertEquals(3, pendingFor(p, "a"));
      // in step: holding the 3, a second read finds the new ones only
      append(p, 2);
      assertEquals(2, queue.readNew(p, "a", 10, token, 3).size());
    }
  }

  @Test
  void aFlusherThatLostItsLease_readsNothing() throws Exception {
    open("fenced-read-lost", 1);
    append(0, 3);
    String token = queue.acquireLease(0, "a", TTL);
    leaseTakenBy(0, "b");
    assertNull(queue.readNew(0, "a", 10, token, 0));
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
      assertNull(queue.readNew(p, "a", 10, token, 0), "partition " + p);
      QueueStore.afterFenceChecks = null;
      assertEquals(0, pendingFor(p, "a"), "partition " + p + ": read into the old holder's name");
      // the new holder gets every record
      String taken =
          new String(commands().get(layout.leaseKey(p)).get(), StandardCharsets.US_ASCII);
      assertEquals(3, queue.readNew(p, "b", 10, taken, 0).size());
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
    assertEquals(3, queue.readNew(0, "a", 10, token, 0).size());
    assertEquals(2, checks.get(), "the renewal discarded the first EXEC; the second read");
  }

  @Test
  void aConsumerOutOfStep_readsNothing() throws Exception {
    open("fenced-read-step", 1);
    append(0, 3);
    String token = queue.acquireLease(0, "a", TTL);
    assertThrows(QueueStore.OutOfStepException.class, () -> queue.readNew(0, "a", 10, token, 2));
    assertEquals(0, pendingFor(0, "a"));
  }

  @Test
  void aLostGroup_isCreatedAgain_fromTheFirstRecord() throws Exception {
    open("fenced-read-group", 1);
    append(0, 3);
    String token = queue.acquireLease(0, "a", TTL);
    commands().xgroupDestroy(layout.streamKey(0), b(QueueStore.GROUP)).get();
    assertEquals(3, queue.readNew(0, "a", 10, token, 0).size());
  }

  @Test
  void aMissingStream_isNothingToRead() throws Exception {
    open("fenced-read-nostream", 1);
    String token = queue.acquireLease(0, "a", TTL);
    commands().del(layout.streamKey(0)).get();
    assertEquals(List.of(), queue.readNew(0, "a", 10, token, 0));
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
                  int held = 0;
                  for (int round = 0; round < 10; round++) {
                    held += queue.readNew(partition, "a", 5, token, held).size();
                  }
                  assertEquals(50, held, "partition " + partition);
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
