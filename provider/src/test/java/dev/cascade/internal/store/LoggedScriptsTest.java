package dev.cascade.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RawRedis;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code changes.lua} is the fast path of {@code mutate.lua} for caches that need nothing else of
 * it, for puts and for compare-and-set: the same call sequence, resends included, must report the
 * same outcomes and leave the same values. Both keep the operation log through {@code oplog.lua}; a
 * resent call (same operation id) answers what its first send answered and changes nothing, also
 * from log entries an earlier version of the scripts wrote.
 */
@WithRedis
@Timeout(30)
class LoggedScriptsTest {

  private static final KeyLayout LAYOUT = new KeyLayout("logged-scripts", 1);

  /** Each run its own logs: a server kept between runs still holds the last run's for a minute. */
  private static final String RUN = Long.toString(System.nanoTime());

  private static RawRedis connection;
  private static RedisCommands<byte[], byte[]> redis;

  @BeforeAll
  static void open(RedisServer server) {
    connection = RawRedis.connect(server);
    redis = connection.sync();
  }

  @AfterAll
  static void close() {
    connection.close();
  }

  /** One call: an operation id (a resend repeats one) and what the call asks. */
  private record Call(long id, String condition, String expected, String action, String value) {}

  @Test
  void put_reportsWhatMutateReports_resendsIncluded() {
    List<Call> calls =
        List.of(
            new Call(1, "A", null, "S", "v1"),
            new Call(1, "A", null, "S", "v1"), // resent: still "created"
            new Call(2, "A", null, "S", "v2"),
            new Call(1, "A", null, "S", "v1"), // a late resend changes nothing
            new Call(3, "A", null, "S", "v3"));
    byte[] viaPut = b("put-" + System.nanoTime());
    byte[] viaMutate = b("mutate-" + System.nanoTime());
    List<String> fast = new ArrayList<>();
    List<String> full = new ArrayList<>();
    for (Call c : calls) {
      fast.add(Map.of(1L, "C", 2L, "U").get(changes(List.of(viaPut), List.of(c)).get(0)));
      full.add(mutate(viaMutate, c));
    }
    assertEquals(List.of("C", "C", "U", "C", "U"), full, "mutate.lua, the reference");
    assertEquals(full, fast);
    assertArrayEquals(value(viaMutate), value(viaPut));
    assertEquals("v3", new String(value(viaPut), StandardCharsets.UTF_8));
  }

  @Test
  void cas_reportsWhatMutateReports_resendsIncluded() {
    List<Call> calls =
        List.of(
            new Call(11, "N", null, "S", "v1"), // created
            new Call(12, "N", null, "S", "x"), // present: nothing
            new Call(11, "N", null, "S", "v1"), // resent: still created, v1 stays
            new Call(13, "E", "v1", "S", "v2"), // updated
            new Call(14, "E", "v1", "S", "x"), // not as seen: nothing
            new Call(15, "E", "v2", "D", null), // deleted
            new Call(13, "E", "v1", "S", "v2"), // resent after the delete: updated, nothing back
            new Call(16, "E", "v2", "D", null)); // absent: nothing
    byte[] viaCas = b("cas-" + System.nanoTime());
    byte[] viaMutate = b("mutate-" + System.nanoTime());
    List<String> fast = new ArrayList<>();
    List<String> full = new ArrayList<>();
    for (Call c : calls) {
      Object reply = changes(List.of(viaCas), List.of(c)).get(0);
      fast.add(Map.of(0L, "-", 1L, "C", 2L, "U", 3L, "D").get(reply));
      String status = mutate(viaMutate, c);
      // changes.lua says only "nothing changed" where mutate.lua says whether the entry is present
      full.add(status.equals("F") || status.equals("M") ? "-" : status);
    }
    assertEquals(List.of("C", "-", "C", "U", "-", "D", "U", "-"), full, "mutate.lua");
    assertEquals(full, fast);
    assertNull(value(viaCas));
    assertNull(value(viaMutate));
  }

  /**
   * Log entries written before the log's code was shared ({@code <id>:<reply>}, the same form) are
   * still answered, so a JVM upgraded while its calls are in flight reports them right.
   */
  @Test
  void aReplyLoggedInTheEarlierForm_isStillAnswered() {
    byte[] key = b("earlier-" + System.nanoTime());
    redis.hset(LAYOUT.entryKey(key), b("v"), b("mine"));
    redis.zadd(opLog(FAST), 900, b("900:1"));
    Object created = changes(List.of(key), List.of(new Call(900, "A", null, "S", "resent"))).get(0);
    assertEquals(1L, created);
    assertEquals(
        "mine", new String(value(key), StandardCharsets.UTF_8), "a resend changes nothing");
  }

  /**
   * One changes.lua call carries the changes of several threads (LoggedChanges): they run in order,
   * each seeing the ones before it (a key put twice in a call is created once, a compare-and-set
   * sees the put before it), and the call sent again answers what it answered and changes nothing,
   * though another call's reply (mutate.lua's, binary) sits between its ids in the log.
   */
  @Test
  void changesSharingACall_runInOrder_andTheCallResentAnswersTheSame() {
    byte[] a = b("shared-a-" + System.nanoTime());
    byte[] b = b("shared-b-" + System.nanoTime());
    redis.hset(LAYOUT.entryKey(b), b("v"), b("old"));
    byte[] between = {'5', '0', '2', ':', (byte) 0x93, ':', 0, (byte) 0xff};
    redis.zadd(opLog(FAST), 502, between);
    List<byte[]> keys = List.of(a, b, a, b, b);
    List<Call> calls =
        List.of(
            new Call(501, "A", null, "S", "a1"),
            new Call(503, "A", null, "S", "b1"),
            new Call(504, "A", null, "S", "a2"),
            new Call(505, "E", "b1", "S", "b2"), // sees the put before it
            new Call(506, "E", "old", "D", null)); // not as expected any more

    assertEquals(List.of(1L, 2L, 2L, 2L, 0L), changes(keys, calls));
    redis.hset(LAYOUT.entryKey(a), b("v"), b("changed since"));
    assertEquals(List.of(1L, 2L, 2L, 2L, 0L), changes(keys, calls), "the same call, resent");
    assertEquals("changed since", new String(value(a), StandardCharsets.UTF_8));
    assertEquals("b2", new String(value(b), StandardCharsets.UTF_8));
  }

  /**
   * A key of another type where one change's entry should be fails that change alone, in the first
   * send and in a resend: the call's other changes take effect once and say so.
   */
  @Test
  void aChangeMeetingAKeyOfAnotherType_failsAlone() {
    byte[] a = b("typed-a-" + System.nanoTime());
    byte[] planted = b("typed-planted-" + System.nanoTime());
    byte[] c = b("typed-c-" + System.nanoTime());
    redis.set(LAYOUT.entryKey(planted), b("a string, not an entry"));
    List<byte[]> keys = List.of(a, planted, planted, c);
    List<Call> calls =
        List.of(
            new Call(601, "A", null, "S", "a1"),
            new Call(602, "A", null, "S", "p1"),
            new Call(603, "N", null, "S", "p2"),
            new Call(604, "A", null, "S", "c1"));

    for (String send : List.of("first send", "resend")) {
      List<Object> replies = changes(keys, calls);
      assertEquals(1L, replies.get(0), send);
      for (int refused : new int[] {1, 2}) {
        String error = new String((byte[]) replies.get(refused), StandardCharsets.UTF_8);
        assertTrue(error.startsWith("WRONGTYPE"), send + ": " + error);
      }
      assertEquals(1L, replies.get(3), send);
    }
    assertEquals("c1", new String(value(c), StandardCharsets.UTF_8));
    assertEquals(
        "a string, not an entry",
        new String(redis.get(LAYOUT.entryKey(planted)), StandardCharsets.UTF_8));
  }

  /** A call drops the log's ids below the lowest one still waiting, and keeps its own. */
  @Test
  void aCall_trimsTheLogBelowTheLowestWaitingId() {
    redis.zadd(opLog(TRIMMED), 700, b("700:1"));
    redis.zadd(opLog(TRIMMED), 701, b("701:2"));
    byte[] key = b("trimming-" + System.nanoTime());
    byte[][] keys = {opLog(TRIMMED), LAYOUT.entryKey(key)};
    List<Object> reply =
        redis.eval(
            Script.CHANGES.body(),
            ScriptOutputType.MULTI,
            keys,
            id(701),
            b("60000"),
            id(703),
            id(703),
            b("A"),
            new byte[0],
            b("S"),
            b("v"),
            id(703));
    assertEquals(List.of(1L), reply);
    List<String> left = new ArrayList<>();
    for (byte[] entry : redis.zrange(opLog(TRIMMED), 0, -1)) {
      left.add(new String(entry, StandardCharsets.UTF_8));
    }
    assertEquals(List.of("701:2", "703:1"), left);
    assertTrue(redis.pttl(opLog(TRIMMED)) > 0, "the log expires");
  }

  /**
   * One thread's calls in turn: each call's lowest waiting id is its own, so its trim empties the
   * log, and Redis drops the empty key before the call logs its reply. The log must still expire
   * after the call, in both scripts, or every manager would leave a log per partition behind.
   */
  @Test
  void callsOneAtATime_leaveTheLogExpiring() {
    byte[] put = b("one-at-a-time-" + System.nanoTime());
    for (long id = 801; id <= 803; id++) {
      Call call = new Call(id, "A", null, "S", "v" + id);
      changes(opLog(SEQUENTIAL_FAST), List.of(put), List.of(call), id);
      assertTrue(pttl(SEQUENTIAL_FAST) > 0, "changes.lua's log expires after call " + id);
      assertEquals(1L, redis.zcard(opLog(SEQUENTIAL_FAST)), "only the last reply is kept");
      mutate(opLog(SEQUENTIAL_FULL), put, call, id);
      assertTrue(pttl(SEQUENTIAL_FULL) > 0, "mutate.lua's log expires after call " + id);
      assertEquals(1L, redis.zcard(opLog(SEQUENTIAL_FULL)), "only the last reply is kept");
    }
  }

  /**
   * changes.lua as LoggedChanges sends it: the log, the call's smallest and largest id, then per
   * change its entry, condition, expected value, action, new value and operation id.
   */
  private static List<Object> changes(List<byte[]> encodedKeys, List<Call> calls) {
    return changes(encodedKeys, calls, 1);
  }

  /**
   * {@link #changes} with the JVM's lowest waiting id {@code lowest}: the log keeps no id below.
   */
  private static List<Object> changes(List<byte[]> encodedKeys, List<Call> calls, long lowest) {
    return changes(opLog(FAST), encodedKeys, calls, lowest);
  }

  private static List<Object> changes(
      byte[] log, List<byte[]> encodedKeys, List<Call> calls, long lowest) {
    byte[][] keys = new byte[calls.size() + 1][];
    byte[][] args = new byte[4 + 5 * calls.size()][];
    keys[0] = log;
    args[0] = id(lowest);
    args[1] = b("60000");
    args[2] = id(calls.stream().mapToLong(Call::id).min().orElseThrow());
    args[3] = id(calls.stream().mapToLong(Call::id).max().orElseThrow());
    for (int i = 0; i < calls.size(); i++) {
      Call c = calls.get(i);
      keys[i + 1] = LAYOUT.entryKey(encodedKeys.get(i));
      args[4 + 5 * i] = b(c.condition);
      args[5 + 5 * i] = c.expected == null ? new byte[0] : b(c.expected);
      args[6 + 5 * i] = b(c.action);
      args[7 + 5 * i] = c.value == null ? new byte[0] : b(c.value);
      args[8 + 5 * i] = id(c.id);
    }
    return redis.eval(Script.CHANGES.body(), ScriptOutputType.MULTI, keys, args);
  }

  /** mutate.lua with the arguments EntryStore gives an eternal cache without write-behind. */
  private static String mutate(byte[] encodedKey, Call c) {
    return mutate(opLog(FULL), encodedKey, c, 1);
  }

  /** {@link #mutate} with the log {@code log} and the JVM's lowest waiting id {@code lowest}. */
  private static String mutate(byte[] log, byte[] encodedKey, Call c, long lowest) {
    byte[][] keys = {
      LAYOUT.entryKey(encodedKey),
      LAYOUT.listenerFlagFor(encodedKey),
      LAYOUT.lockKey(encodedKey),
      LAYOUT.streamKeyFor(encodedKey),
      log
    };
    List<Object> reply =
        redis.eval(
            Script.MUTATE.body(),
            ScriptOutputType.MULTI,
            keys,
            b(Long.toString(System.currentTimeMillis())),
            b(c.condition),
            c.expected == null ? new byte[0] : b(c.expected),
            b(c.action),
            c.value == null ? new byte[0] : b(c.value),
            b("E"),
            b("U"),
            b("U"),
            b("0"),
            b("0"),
            new byte[0],
            b(FULL + RUN),
            new byte[0],
            new byte[0],
            encodedKey,
            id(c.id),
            id(lowest),
            b("60000"));
    return new String((byte[]) reply.get(0), StandardCharsets.US_ASCII);
  }

  /** The fast paths' calls and mutate.lua's come from two JVMs, each with its own log. */
  private static final String FAST = "fast-";

  private static final String TRIMMED = "trimmed-";

  private static final String FULL = "full-";

  private static final String SEQUENTIAL_FAST = "sequential-fast-";

  private static final String SEQUENTIAL_FULL = "sequential-full-";

  private static long pttl(String jvm) {
    return redis.pttl(opLog(jvm));
  }

  private static byte[] opLog(String jvm) {
    return LAYOUT.opLogKey(0, b(jvm + RUN));
  }

  private static byte[] id(long id) {
    return b(Long.toString(id));
  }

  private static byte[] value(byte[] encodedKey) {
    return redis.hget(LAYOUT.entryKey(encodedKey), b("v"));
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
