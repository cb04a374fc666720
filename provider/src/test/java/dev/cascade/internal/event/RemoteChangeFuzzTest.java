package dev.cascade.internal.event;

import static dev.cascade.testing.Fuzz.anyInt;
import static dev.cascade.testing.Fuzz.bytes;
import static dev.cascade.testing.Fuzz.forAll;
import static dev.cascade.testing.Fuzz.hex;
import static dev.cascade.testing.Fuzz.oneOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import javax.cache.event.EventType;
import org.junit.jupiter.api.Test;

/**
 * Event messages come from whoever may PUBLISH on the channel. {@link RemoteChange#parse} must meet
 * any bytes with a change or an IllegalArgumentException, allocate no more than the message holds,
 * and read back every message {@code mutate.lua} can publish. The inputs are seeded ({@link
 * dev.cascade.testing.Fuzz}): a failed try names the seed that replays it.
 */
class RemoteChangeFuzzTest {

  private static final Duration PER_TRY = Duration.ofSeconds(1);
  private static final List<Character> KINDS = List.of('C', 'U', 'R', 'X');
  private static final List<byte[]> VALID =
      List.of(
          message('C', utf8("origin"), utf8("cascade:c:{c#1}:k"), utf8("v"), null),
          message('U', utf8("origin"), utf8("cascade:c:{c#1}:k"), utf8("new"), utf8("old")),
          message('R', utf8("o"), utf8("cascade:c:{c#3.2}:key"), null, utf8("old")),
          message('X', new byte[0], new byte[0], null, new byte[0]));

  @Test
  void parse_randomBytes_failsOnlyWithIllegalArgument() {
    forAll(2000, random -> bytes(random, 64), RemoteChangeFuzzTest::parsesOrRefuses);
  }

  @Test
  void parse_mutatedMessages_failsOnlyWithIllegalArgument() {
    forAll(2000, RemoteChangeFuzzTest::mutatedMessage, RemoteChangeFuzzTest::parsesOrRefuses);
  }

  @Test
  void parse_anyDeclaredLength_allocatesAtMostTheMessage() {
    forAll(
        1000,
        random -> {
          byte[] rest = bytes(random, 48);
          return ByteBuffer.allocate(9 + rest.length)
              .put((byte) (char) oneOf(random, KINDS))
              .putInt(0)
              .putInt(anyInt(random))
              .put(rest)
              .array();
        },
        message -> {
          com.sun.management.ThreadMXBean threads =
              (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
          long before = threads.getCurrentThreadAllocatedBytes();
          try {
            RemoteChange.parse(message);
          } catch (IllegalArgumentException refused) {
            // documented
          }
          long allocated = threads.getCurrentThreadAllocatedBytes() - before;
          // the exception and its message cost a few kilobytes; a field of the declared length
          // would cost it
          assertTrue(
              allocated < 64 * 1024,
              "parsing "
                  + message.length
                  + " bytes declaring "
                  + ByteBuffer.wrap(message).getInt(5)
                  + " allocated "
                  + allocated
                  + " bytes");
        });
  }

  /** The fields of one message as {@code mutate.lua} publishes it. */
  record Published(char kind, byte[] origin, byte[] key, byte[] newValue, byte[] oldValue) {
    @Override
    public String toString() {
      return "kind "
          + kind
          + ", origin "
          + hex(origin)
          + ", key "
          + hex(key)
          + ", new value "
          + hex(newValue)
          + ", old value "
          + hex(oldValue);
    }
  }

  @Test
  void parse_whatMutateLuaPublishes_readsBackTheFields() {
    forAll(
        500,
        random -> {
          char kind = oneOf(random, KINDS);
          byte[] origin = bytes(random, 40);
          byte[] key = bytes(random, 40);
          byte[] newValue = bytes(random, 40);
          byte[] oldValue = bytes(random, 40);
          // CREATED has no old value, REMOVED and EXPIRED no new one
          return new Published(
              kind,
              origin,
              key,
              kind == 'C' || kind == 'U' ? newValue : null,
              kind == 'C' ? null : oldValue);
        },
        p -> {
          RemoteChange c =
              RemoteChange.parse(message(p.kind, p.origin, p.key, p.newValue, p.oldValue));
          assertEquals(
              p.kind == 'C'
                  ? EventType.CREATED
                  : p.kind == 'U'
                      ? EventType.UPDATED
                      : p.kind == 'R' ? EventType.REMOVED : EventType.EXPIRED,
              c.type);
          assertArrayEquals(p.origin, c.origin);
          assertArrayEquals(p.key, c.entryKey);
          assertArrayEquals(p.newValue, c.value);
          assertArrayEquals(p.oldValue, c.oldValue);
        });
  }

  /**
   * A valid message with one change: cut off, a 4-byte length field overwritten, or one byte
   * changed.
   */
  private static byte[] mutatedMessage(SplittableRandom random) {
    byte[] out = oneOf(random, VALID).clone();
    int at = anyInt(random) & Integer.MAX_VALUE;
    int value = anyInt(random);
    int width = oneOf(random, List.of(1, 4, 0));
    int i = at % out.length;
    if (width == 0) {
      return Arrays.copyOf(out, i); // cut off
    }
    if (width == 4 && i + 4 <= out.length) {
      ByteBuffer.wrap(out).putInt(i, value); // a length field, most likely
    } else {
      out[i] = (byte) value;
    }
    return out;
  }

  private static void parsesOrRefuses(byte[] message) {
    assertTimeoutPreemptively(
        PER_TRY,
        () -> {
          try {
            RemoteChange.parse(message);
          } catch (IllegalArgumentException refused) {
            // documented
          }
        });
  }

  /** A message as {@code mutate.lua}'s {@code publish()} writes it. */
  static byte[] message(char kind, byte[]... fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(kind);
    for (byte[] f : fields) {
      out.writeBytes(ByteBuffer.allocate(4).putInt(f == null ? -1 : f.length).array());
      if (f != null) {
        out.writeBytes(f);
      }
    }
    return out.toByteArray();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
