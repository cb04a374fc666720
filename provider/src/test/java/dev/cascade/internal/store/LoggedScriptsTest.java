package dev.cascade.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code put.lua} and {@code cas.lua} are fast paths of {@code mutate.lua} for caches that need
 * nothing else of it: the same call sequence, resends included, must report the same outcomes and
 * leave the same values. All three keep the operation log through {@code oplog.lua}; a resent call
 * (same operation id) answers what its first send answered and changes nothing, also from log
 * entries an earlier version of the scripts wrote.
 */
@WithRedis
@Timeout(30)
class LoggedScriptsTest {

  private static final KeyLayout LAYOUT = new KeyLayout("logged-scripts", 1);

  /** Each run its own logs: a server kept between runs still holds the last run's for a minute. */
  private static final String RUN = Long.toString(System.nanoTime());

  private static RedisClient client;
  private static StatefulRedisConnection<byte[], byte[]> connection;
  private static RedisCommands<byte[], byte[]> redis;

  @BeforeAll
  static void open(RedisServer server) {
    client = RedisClient.create(server.uri());
    connection = client.connect(ByteArrayCodec.INSTANCE);
    redis = connection.sync();
  }

  @AfterAll
  static void close() {
    connection.close();
    client.shutdown();
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
      Long created =
          redis.eval(
              Script.PUT.body(),
              ScriptOutputType.INTEGER,
              new byte[][] {LAYOUT.entryKey(viaPut), opLog(FAST)},
              b(c.value),
              id(c.id),
              b("1"),
              b("60000"));
      fast.add(created == 1 ? "C" : "U");
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
      Long reply =
          redis.eval(
              Script.CAS.body(),
              ScriptOutputType.INTEGER,
              new byte[][] {LAYOUT.entryKey(viaCas), opLog(FAST)},
              b(c.condition),
              c.expected == null ? new byte[0] : b(c.expected),
              b(c.action),
              c.value == null ? new byte[0] : b(c.value),
              id(c.id),
              b("1"),
              b("60000"));
      fast.add(Map.of(0L, "-", 1L, "C", 2L, "U", 3L, "D").get(reply));
      String status = mutate(viaMutate, c);
      // cas.lua says only "nothing changed" where mutate.lua says whether the entry is present
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
    Long created =
        redis.eval(
            Script.PUT.body(),
            ScriptOutputType.INTEGER,
            new byte[][] {LAYOUT.entryKey(key), opLog(FAST)},
            b("resent"),
            id(900),
            b("1"),
            b("60000"));
    assertEquals(1L, created);
    assertEquals(
        "mine", new String(value(key), StandardCharsets.UTF_8), "a resend changes nothing");
  }

  /** mutate.lua with the arguments EntryStore gives an eternal cache without write-behind. */
  private static String mutate(byte[] encodedKey, Call c) {
    byte[][] keys = {
      LAYOUT.entryKey(encodedKey),
      LAYOUT.listenerFlagFor(encodedKey),
      LAYOUT.lockKey(encodedKey),
      LAYOUT.streamKeyFor(encodedKey),
      opLog(FULL)
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
            b("1"),
            b("60000"));
    return new String((byte[]) reply.get(0), StandardCharsets.US_ASCII);
  }

  /** The fast paths' calls and mutate.lua's come from two JVMs, each with its own log. */
  private static final String FAST = "fast-";

  private static final String FULL = "full-";

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
