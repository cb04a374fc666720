package dev.cascade.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import io.lettuce.core.Consumer;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ack.lua} deletes the acknowledged records by trimming the stream below a bound and
 * deleting only the ids at or above it. The bound must never pass a record that is still needed:
 * one pending for any consumer (an abandoned flusher's, a suspect of ours), or one the group has
 * not delivered (when the ids were not pending here, the group's state says nothing about the
 * records below them). Whatever the bound, exactly the acknowledged records go.
 */
@WithRedis
@Timeout(30)
class AckScriptTest {

  private static final String GROUP = QueueStore.GROUP;
  private static final Duration TTL = Duration.ofSeconds(30);

  private RedisServer server;
  private RedisAccess redis;
  private QueueStore queue;
  private KeyLayout layout;
  private String token;

  @BeforeEach
  void open(RedisServer server) {
    this.server = server;
    redis = RedisAccess.connect(RedisTarget.parse(server.uri(), Duration.ofSeconds(5)));
    layout = new KeyLayout("ack-script-" + System.nanoTime(), 1);
    queue = new QueueStore(redis, layout);
    queue.ensureGroups();
    token = queue.acquireLease(0, "a", TTL);
  }

  @AfterEach
  void close() {
    redis.close();
  }

  private RedisClusterAsyncCommands<byte[], byte[]> commands() {
    return redis.commands();
  }

  /** Appends records k0..k(n-1); returns their ids. */
  private List<String> append(int n) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(
          commands()
              .xadd(layout.streamKey(0), Map.of(b("k"), b("k" + i), b("o"), b("p"), b("v"), b("v")))
              .get());
    }
    return ids;
  }

  private void readAs(String consumer, int count) throws Exception {
    commands()
        .xreadgroup(
            Consumer.from(b(GROUP), b(consumer)),
            XReadArgs.Builder.count(count),
            XReadArgs.StreamOffset.lastConsumed(layout.streamKey(0)))
        .get();
  }

  private void ack(List<String> ids) {
    List<String> shuffled = new ArrayList<>(ids);
    Collections.shuffle(shuffled); // the script must not depend on the caller's order
    assertTrue(queue.acknowledge(0, token, shuffled, new LinkedHashMap<>(), 0));
  }

  private List<String> remaining() throws Exception {
    List<String> ids = new ArrayList<>();
    for (StreamMessage<byte[], byte[]> m :
        commands().xrange(layout.streamKey(0), Range.create("-", "+")).get()) {
      ids.add(m.getId());
    }
    return ids;
  }

  @Test
  void recordsPendingForAnotherConsumer_belowTheBatch_stay() throws Exception {
    List<String> ids = append(10);
    readAs("abandoned", 2);
    readAs("a", 5);
    ack(ids.subList(2, 7));
    List<String> expected = new ArrayList<>(ids.subList(0, 2));
    expected.addAll(ids.subList(7, 10));
    assertEquals(expected, remaining());
  }

  @Test
  void ourOwnRecordsStillPending_stay() throws Exception {
    List<String> ids = append(10);
    readAs("a", 6);
    ack(List.of(ids.get(1), ids.get(3), ids.get(4), ids.get(5))); // 0 and 2 failed: still ours
    assertEquals(
        List.of(ids.get(0), ids.get(2), ids.get(6), ids.get(7), ids.get(8), ids.get(9)),
        remaining());
  }

  @Test
  void aWholeBatch_isTrimmed_unreadRecordsStay() throws Exception {
    List<String> ids = append(10);
    readAs("a", 6);
    ack(ids.subList(0, 6));
    assertEquals(ids.subList(6, 10), remaining());
    assertEquals(4L, queue.depth(0));
  }

  /**
   * The group's state is lost (as after a failover to a replica that had not seen the reads): every
   * record is undelivered again, and will be delivered again in order. Deleting the acknowledged
   * ids now would let the records below them, brought back, reach the database after them.
   */
  @Test
  void afterTheGroupsStateWasLost_noRecordGoes() throws Exception {
    List<String> ids = append(10);
    readAs("a", 10);
    commands().xgroupDestroy(layout.streamKey(0), b(GROUP)).get();
    queue.ensureGroups();
    ack(ids.subList(6, 10));
    assertEquals(ids, remaining());
  }

  /**
   * A failover lost an acknowledgement and a read: the flusher acknowledged records 0-4 and read
   * 5-9 on the old master, and wrote 5-9 (among them the latest write of key {@code k}, record 7)
   * to the database; the promoted replica has 0-4 pending in its name again and 5-9 undelivered.
   * The acknowledgement of 5-9 must leave them and k's marker alone: the flusher then finds itself
   * out of step, writes 0-4 again, then 5-9 again, and the database ends with the latest value. Had
   * they gone, 0-4 would be written last, an older value of k kept for good.
   */
  @Test
  void idsTheGroupNeverDelivered_stay_andTheirEntriesStayPending() throws Exception {
    List<String> ids = append(10);
    readAs("a", 5);
    byte[] k = b("k");
    commands().hset(layout.entryKeyIn(0, k), Map.of(b("v"), b("2"), b("w"), b(ids.get(7)))).get();
    Map<byte[], String> last = new LinkedHashMap<>();
    last.put(k, ids.get(7));

    assertTrue(queue.acknowledge(0, token, ids.subList(5, 10), last, 0));

    assertEquals(ids, remaining());
    assertEquals(Map.of("v", "2", "w", ids.get(7)), fields(k));
    assertEquals(5L, queue.pendingOfOthers(0, "someone else"), "0-4 still pending");
  }

  /**
   * An acknowledgement sent again (its reply lost) finds its ids acknowledged and deleted: it
   * deletes nothing else, and settles the entries, as its first send did.
   */
  @Test
  void anAcknowledgementSentAgain_changesNothingElse() throws Exception {
    List<String> ids = append(10);
    readAs("a", 6);
    byte[] k = b("k");
    Map<byte[], String> last = new LinkedHashMap<>();
    last.put(k, ids.get(2));
    ack(ids.subList(0, 6));
    commands().hset(layout.entryKeyIn(0, k), Map.of(b("v"), b("3"), b("w"), b(ids.get(2)))).get();

    assertTrue(queue.acknowledge(0, token, ids.subList(0, 6), last, 0));

    assertEquals(ids.subList(6, 10), remaining());
    assertEquals(Map.of("v", "3"), fields(k));
  }

  /**
   * A Redis user whose ACL predates the trim: the script has acknowledged the records when Redis
   * refuses {@code XTRIM}, and must still delete them, or they would count against the queue bound
   * forever.
   */
  @Test
  void aUserWithoutXtrim_stillGetsTheRecordsDeleted() throws Exception {
    List<String> ids = append(10);
    readAs("a", 6);
    acknowledgeAsUserRefusing("xtrim", ids.subList(0, 6));
    assertEquals(ids.subList(6, 10), remaining());
  }

  /**
   * A Redis user whose ACL predates {@code XINFO GROUPS}: an acknowledgement that finds some of its
   * ids acknowledged already cannot ask which ids the group delivered, and deletes exactly its ids,
   * so that none stays in the stream acknowledged, counted against the queue bound forever.
   */
  @Test
  void aUserWithoutXinfo_stillGetsAcknowledgedRecordsDeleted() throws Exception {
    List<String> ids = append(10);
    readAs("a", 6);
    ack(ids.subList(0, 4));
    acknowledgeAsUserRefusing("xinfo", ids.subList(0, 6));
    assertEquals(ids.subList(6, 10), remaining());
  }

  /** Acknowledges {@code ids} as a Redis user whose ACL refuses {@code command}. */
  private void acknowledgeAsUserRefusing(String command, List<String> ids) {
    String user = "no-" + command + "-" + System.nanoTime();
    try (RedisServer.TemporaryUser u = server.userRefusing(user, "pw", command)) {
      RedisAccess limited =
          RedisAccess.connect(RedisTarget.parse(server.uri(user, "pw"), Duration.ofSeconds(5)));
      try {
        assertTrue(
            new QueueStore(limited, layout).acknowledge(0, token, ids, new LinkedHashMap<>(), 0));
      } finally {
        limited.close();
      }
    }
  }

  /**
   * Settling the entries whose last queued write was flushed: the pending marker goes, a pending
   * delete (a hash of the marker alone) goes with it, an expiring entry gets its native TTL back
   * (Redis held it while the write was queued), and an entry written again since keeps its marker.
   */
  @Test
  void flushedEntries_areSettled_newerWritesStayPending() throws Exception {
    List<String> ids = append(4);
    readAs("a", 4);
    byte[] live = b("live");
    byte[] deleted = b("deleted");
    byte[] expiring = b("expiring");
    byte[] rewritten = b("rewritten");
    long expiresAt = System.currentTimeMillis() + 60_000;
    commands()
        .hset(layout.entryKeyIn(0, live), Map.of(b("v"), b("1"), b("w"), b(ids.get(0))))
        .get();
    commands().hset(layout.entryKeyIn(0, deleted), Map.of(b("w"), b(ids.get(1)))).get();
    commands()
        .hset(
            layout.entryKeyIn(0, expiring),
            Map.of(b("v"), b("3"), b("x"), b(Long.toString(expiresAt)), b("w"), b(ids.get(2))))
        .get();
    // written again after the flusher read ids[3]: its marker names a newer record
    commands()
        .hset(
            layout.entryKeyIn(0, rewritten), Map.of(b("v"), b("4"), b("w"), b("99999999999999-0")))
        .get();
    Map<byte[], String> last = new LinkedHashMap<>();
    last.put(live, ids.get(0));
    last.put(deleted, ids.get(1));
    last.put(expiring, ids.get(2));
    last.put(rewritten, ids.get(3));
    assertTrue(queue.acknowledge(0, token, ids, last, 5_000));

    assertEquals(Map.of("v", "1"), fields(live));
    assertEquals(0L, commands().exists(layout.entryKeyIn(0, deleted)).get());
    assertEquals(Map.of("v", "3", "x", Long.toString(expiresAt)), fields(expiring));
    long ttl = commands().pttl(layout.entryKeyIn(0, expiring)).get();
    assertTrue(ttl > 60_000 && ttl <= 65_000, "native TTL = expiry + grace, was " + ttl);
    assertEquals(Map.of("v", "4", "w", "99999999999999-0"), fields(rewritten));
    assertEquals(-1L, commands().pttl(layout.entryKeyIn(0, rewritten)).get());
  }

  private Map<String, String> fields(byte[] encodedKey) throws Exception {
    Map<String, String> out = new java.util.TreeMap<>();
    commands()
        .hgetall(layout.entryKeyIn(0, encodedKey))
        .get()
        .forEach(
            (k, v) ->
                out.put(
                    new String(k, StandardCharsets.UTF_8), new String(v, StandardCharsets.UTF_8)));
    return out;
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
