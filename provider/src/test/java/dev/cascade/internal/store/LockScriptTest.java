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
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code lock.lua} as Redis runs it: the combined "lock and read the entry" form a write-through
 * change takes (one round trip instead of two), and that a call sent again after a reconnect (same
 * token) still answers "yours" with the entry, in both forms.
 */
@WithRedis
@Timeout(30)
class LockScriptTest {

  private static final KeyLayout LAYOUT = new KeyLayout("wtfast-lockscript", 4);
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

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<Object> lockAndRead(byte[] key, String token) {
    byte[][] keys = {LAYOUT.lockKey(key), LAYOUT.entryKey(key)};
    return redis.eval(Script.LOCK.body(), ScriptOutputType.MULTI, keys, b(token), b("30000"));
  }

  private static Long lockOnly(byte[] key, String token) {
    byte[][] keys = {LAYOUT.lockKey(key)};
    return redis.eval(Script.LOCK.body(), ScriptOutputType.INTEGER, keys, b(token), b("30000"));
  }

  @Test
  void lockAndRead_grantsAndReadsTheEntry_aResendReadsItAgain_anotherTokenGetsNothing() {
    byte[] key = b("k1");
    redis.hset(LAYOUT.entryKey(key), b("v"), b("value-1"));
    redis.hset(LAYOUT.entryKey(key), b("x"), b("123456"));

    List<Object> first = lockAndRead(key, "token-a");
    assertEquals(1L, first.get(0));
    assertArrayEquals(b("value-1"), (byte[]) first.get(1));
    assertArrayEquals(b("123456"), (byte[]) first.get(2));
    assertNull(first.get(3), "no queued write");

    // the entry changes while the lock is held (clear(), expiry), then the reply is lost and the
    // same call is sent again: it must answer "yours" and the entry as it is now
    redis.hset(LAYOUT.entryKey(key), b("v"), b("value-2"));
    redis.pexpire(LAYOUT.lockKey(key), 1000);
    List<Object> resent = lockAndRead(key, "token-a");
    assertEquals(1L, resent.get(0));
    assertArrayEquals(b("value-2"), (byte[]) resent.get(1));
    assertTrue(redis.pttl(LAYOUT.lockKey(key)) > 1000, "a resend renews the lease");

    assertEquals(List.of(0L), lockAndRead(key, "token-b"));
    assertArrayEquals(b("token-a"), redis.get(LAYOUT.lockKey(key)));
  }

  @Test
  void lockAndRead_ofAnAbsentEntry_grantsWithNoFields_andSeesAQueuedWrite() {
    byte[] key = b("k2");
    List<Object> absent = lockAndRead(key, "token-c");
    assertEquals(4, absent.size());
    assertEquals(1L, absent.get(0));
    assertNull(absent.get(1));
    assertNull(absent.get(2));
    assertNull(absent.get(3));

    byte[] queued = b("k3");
    redis.hset(LAYOUT.entryKey(queued), b("w"), b("1"));
    List<Object> pending = lockAndRead(queued, "token-d");
    assertNull(pending.get(1));
    assertArrayEquals(b("1"), (byte[]) pending.get(3));
  }

  @Test
  void lockOnly_keepsItsIntegerReplies_forTheBulkLocks() {
    byte[] key = b("k4");
    assertEquals(1L, lockOnly(key, "token-e"));
    assertEquals(1L, lockOnly(key, "token-e"), "a resend is still the caller's");
    assertEquals(0L, lockOnly(key, "token-f"));
  }
}
