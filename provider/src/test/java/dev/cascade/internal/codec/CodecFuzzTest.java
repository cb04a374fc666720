package dev.cascade.internal.codec;

import static dev.cascade.testing.Fuzz.anyInt;
import static dev.cascade.testing.Fuzz.bytes;
import static dev.cascade.testing.Fuzz.forAll;
import static dev.cascade.testing.Fuzz.oneOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cascade.codec.Codec;
import dev.cascade.codec.CodecException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Bytes in Redis are untrusted, so every decoder must meet any bytes with a value or a {@link
 * CodecException}: never another exception, never an Error, never a hang. Random bytes mostly fail
 * at the first byte; mutations of real encodings (a byte or a 4-byte length changed, the end cut
 * off, a byte inserted) reach deep into Java serialization's grammar. Each try is bounded by a
 * preemptive timeout; the try counts keep each property to a few seconds. The inputs are seeded
 * ({@link dev.cascade.testing.Fuzz}): a failed try names the seed that replays it.
 */
class CodecFuzzTest {

  private static final ClassLoader LOADER = CodecFuzzTest.class.getClassLoader();
  private static final Duration PER_TRY = Duration.ofSeconds(2);

  record Item(String name, long[] counts, List<String> tags, BigDecimal price)
      implements Serializable {}

  private static final SerializationFilter FILTER =
      SerializationFilter.defaults().allowingPackageOf(Item.class);
  private static final Codec<Object> VALUES = Codecs.forValues(Object.class, FILTER, LOADER);
  private static final Codec<Object> KEYS = Codecs.forKeys(Object.class, FILTER, LOADER);
  private static final List<Codec<?>> DIRECT =
      List.of(
          Codecs.forValues(String.class, FILTER, LOADER),
              Codecs.forValues(Long.class, FILTER, LOADER),
          Codecs.forValues(Integer.class, FILTER, LOADER),
              Codecs.forValues(byte[].class, FILTER, LOADER));

  /** A fixed UUID, so that a seed replays the same bytes (the UUID's value does not matter). */
  private static final UUID SOME_UUID = new UUID(0x0123456789ABCDEFL, 0xFEDCBA9876543210L);

  /** Encodings of values like those caches hold, and of the shapes attacks start from. */
  private static final List<byte[]> SEEDS = seeds();

  private static final List<byte[]> KEY_SEEDS =
      List.of(
          KEYS.encode(new Item("k", new long[] {1}, List.of("a"), BigDecimal.ONE)),
          KEYS.encode(List.of(1L, "two")),
          KEYS.encode("s"),
          KEYS.encode(7L),
          KEYS.encode(SOME_UUID));

  @Test
  void decode_randomBytes_failsOnlyWithCodecException() {
    List<Codec<?>> all = new ArrayList<>(DIRECT);
    all.add(VALUES);
    all.add(KEYS);
    forAll(2000, random -> bytes(random, 200), bytes -> decodesOrRefuses(all, bytes));
  }

  @Test
  void decode_randomBytesAfterAStreamHeader_failsOnlyWithCodecException() {
    forAll(
        2000,
        random -> bytes(random, 200),
        body -> {
          // past the magic number, so the bytes reach ObjectInputStream's grammar
          byte[] header = {0x7F, (byte) 0xAC, (byte) 0xED, 0, 5};
          byte[] value = Arrays.copyOf(header, header.length + body.length);
          System.arraycopy(body, 0, value, header.length, body.length);
          // a key puts "j:" where a value has its one tag byte
          byte[] key = new byte[value.length + 1];
          key[0] = 'j';
          key[1] = ':';
          System.arraycopy(value, 1, key, 2, value.length - 1);
          decodesOrRefuses(VALUES, value);
          decodesOrRefuses(KEYS, key);
        });
  }

  @Test
  void decode_mutatedEncodings_failsOnlyWithCodecException() {
    forAll(1500, random -> mutated(random, SEEDS), bytes -> decodesOrRefuses(VALUES, bytes));
  }

  @Test
  void decode_mutatedKeys_failsOnlyWithCodecException() {
    forAll(500, random -> mutated(random, KEY_SEEDS), bytes -> decodesOrRefuses(KEYS, bytes));
  }

  /** One of the seeds after one to four mutations. */
  private static byte[] mutated(SplittableRandom random, List<byte[]> seeds) {
    byte[] bytes = oneOf(random, seeds);
    for (int n = 1 + random.nextInt(4); n > 0; n--) {
      Mutation m =
          new Mutation(
              oneOf(random, List.of(Mutation.Kind.values())),
              anyInt(random) & Integer.MAX_VALUE,
              anyInt(random));
      bytes = m.applyTo(bytes);
    }
    return bytes;
  }

  /**
   * One change to an encoding; {@code value} is a byte or, for SET_INT, a length field's new value.
   */
  record Mutation(Kind kind, int at, int value) {
    enum Kind {
      SET_BYTE,
      SET_INT,
      TRUNCATE,
      INSERT
    }

    byte[] applyTo(byte[] bytes) {
      if (bytes.length == 0) {
        return bytes;
      }
      int i = Math.floorMod(at, bytes.length);
      byte[] out;
      switch (kind) {
        case SET_BYTE:
          out = bytes.clone();
          out[i] = (byte) value;
          return out;
        case SET_INT:
          out = bytes.clone();
          if (i + 4 <= out.length) {
            ByteBuffer.wrap(out).putInt(i, value);
          } else {
            out[i] = (byte) value;
          }
          return out;
        case TRUNCATE:
          return Arrays.copyOf(bytes, i);
        default:
          out = new byte[bytes.length + 1];
          System.arraycopy(bytes, 0, out, 0, i);
          out[i] = (byte) value;
          System.arraycopy(bytes, i, out, i + 1, bytes.length - i);
          return out;
      }
    }
  }

  private static void decodesOrRefuses(Codec<?> codec, byte[] bytes) {
    decodesOrRefuses(List.of(codec), bytes);
  }

  private static void decodesOrRefuses(List<Codec<?>> codecs, byte[] bytes) {
    // any other exception or Error escapes and fails the try, as does a try over its time
    assertTimeoutPreemptively(
        PER_TRY,
        () -> {
          for (Codec<?> codec : codecs) {
            try {
              codec.decode(bytes);
            } catch (CodecException refused) {
              // documented
            }
          }
        });
  }

  private static List<byte[]> seeds() {
    Set<Object> sets = new HashSet<>();
    Set<Object> inner = sets;
    for (int i = 0; i < 10; i++) {
      Set<Object> next = new HashSet<>();
      next.add(i);
      inner.add(next);
      inner = next;
    }
    Map<String, Object> map =
        new TreeMap<>(Map.of("a", 1, "b", List.of(2.5, 'c'), "c", Instant.ofEpochSecond(9)));
    List<Object> values =
        List.of(
            "text",
            42L,
            7,
            3.5d,
            true,
            'x',
            new byte[] {1, 2, 3},
            new Item(
                "pen",
                new long[] {1, 2, 3},
                new ArrayList<>(List.of("blue", "ink")),
                new BigDecimal("1.50")),
            map,
            new ArrayList<>(List.of(1, 2, 3)),
            sets,
            new long[8],
            new Object[] {"a", null, 1},
            SOME_UUID,
            new java.util.Date(0),
            new java.util.LinkedList<>(List.of("q")),
            new java.util.PriorityQueue<>(List.of(3, 1, 2)),
            new java.util.ArrayDeque<>(List.of(1)),
            new java.util.IdentityHashMap<>(Map.of("k", "v")),
            new java.util.Hashtable<>(Map.of(1, 2)));
    List<byte[]> seeds = new ArrayList<>();
    for (Object v : values) {
      seeds.add(VALUES.encode(v));
    }
    return seeds;
  }
}
