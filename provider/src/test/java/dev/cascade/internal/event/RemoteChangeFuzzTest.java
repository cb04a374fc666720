package dev.cascade.internal.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import javax.cache.event.EventType;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Event messages come from whoever may PUBLISH on the channel. {@link RemoteChange#parse} must meet
 * any bytes with a change or an IllegalArgumentException, allocate no more than the message holds,
 * and read back every message {@code mutate.lua} can publish.
 */
class RemoteChangeFuzzTest {

  private static final Duration PER_TRY = Duration.ofSeconds(1);

  @Property(tries = 2000)
  void parse_randomBytes_failsOnlyWithIllegalArgument(@ForAll @Size(max = 64) byte[] message) {
    parsesOrRefuses(message);
  }

  @Property(tries = 2000)
  void parse_mutatedMessages_failsOnlyWithIllegalArgument(@ForAll("mutatedMessages") byte[] message) {
    parsesOrRefuses(message);
  }

  @Property(tries = 1000)
  void parse_anyDeclaredLength_allocatesAtMostTheMessage(@ForAll("kinds") char kind, @ForAll int length,
      @ForAll @Size(max = 48) byte[] rest) {
    byte[] message = ByteBuffer.allocate(9 + rest.length).put((byte) kind).putInt(0).putInt(length).put(rest).array();
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    try {
      RemoteChange.parse(message);
    } catch (IllegalArgumentException refused) {
      // documented
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    // the exception and its message cost a few kilobytes; a field of the declared length would cost it
    assertTrue(allocated < 64 * 1024, "parsing " + message.length + " bytes declaring " + length
        + " allocated " + allocated + " bytes");
  }

  @Property(tries = 500)
  void parse_whatMutateLuaPublishes_readsBackTheFields(@ForAll("kinds") char kind,
      @ForAll @Size(max = 40) byte[] origin, @ForAll @Size(max = 40) byte[] key,
      @ForAll @Size(max = 40) byte[] newValue, @ForAll @Size(max = 40) byte[] oldValue) {
    byte[] n = kind == 'C' || kind == 'U' ? newValue : null;
    byte[] o = kind == 'C' ? null : oldValue;
    RemoteChange c = RemoteChange.parse(message(kind, origin, key, n, o));
    assertEquals(kind == 'C' ? EventType.CREATED : kind == 'U' ? EventType.UPDATED
        : kind == 'R' ? EventType.REMOVED : EventType.EXPIRED, c.type);
    assertArrayEquals(origin, c.origin);
    assertArrayEquals(key, c.entryKey);
    assertArrayEquals(n, c.value);
    assertArrayEquals(o, c.oldValue);
  }

  @Provide
  Arbitrary<Character> kinds() {
    return Arbitraries.of('C', 'U', 'R', 'X');
  }

  @Provide
  Arbitrary<byte[]> mutatedMessages() {
    Arbitrary<byte[]> valid = Arbitraries.of(
        message('C', bytes("origin"), bytes("cascade:c:{c#1}:k"), bytes("v"), null),
        message('U', bytes("origin"), bytes("cascade:c:{c#1}:k"), bytes("new"), bytes("old")),
        message('R', bytes("o"), bytes("cascade:c:{c#3.2}:key"), null, bytes("old")),
        message('X', new byte[0], new byte[0], null, new byte[0]));
    return Combinators.combine(valid, Arbitraries.integers().greaterOrEqual(0), Arbitraries.integers(),
        Arbitraries.of(1, 4, 0)).as((m, at, value, width) -> {
          byte[] out = m.clone();
          int i = at % out.length;
          if (width == 0) {
            return Arrays.copyOf(out, i); // cut off
          }
          if (width == 4 && i + 4 <= out.length) {
            ByteBuffer.wrap(out).putInt(i, value); // a length field, most likely
          } else {
            out[i] = value.byteValue();
          }
          return out;
        });
  }

  private static void parsesOrRefuses(byte[] message) {
    assertTimeoutPreemptively(PER_TRY, () -> {
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

  private static byte[] bytes(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
