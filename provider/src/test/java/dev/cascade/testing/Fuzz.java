package dev.cascade.testing;

import java.security.SecureRandom;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Seeded random tries for plain JUnit tests: {@code forAll(tries, generate, check)} runs {@code
 * check} on {@code tries} inputs drawn from a {@link SplittableRandom}. The seed is fixed, so every
 * run tries the same inputs; {@code -Dcascade.fuzz.seed=N} tries others ({@code random} picks one).
 * A failed try throws an AssertionError naming the seed, the try and the input, so {@code
 * -Dcascade.fuzz.seed=N} replays it: try i draws from the i-th split of the seed, whatever the
 * tries before it drew.
 */
public final class Fuzz {

  public static final String SEED_PROPERTY = "cascade.fuzz.seed";
  private static final long DEFAULT_SEED = 0x5EED_CA5CADE5L;
  private static final int SHOWN_BYTES = 128;
  private static final int[] EDGE_INTS = {
    0,
    1,
    -1,
    2,
    -2,
    Byte.MIN_VALUE,
    Byte.MAX_VALUE,
    255,
    256,
    Integer.MIN_VALUE,
    Integer.MIN_VALUE + 1,
    Integer.MAX_VALUE,
    Integer.MAX_VALUE - 1
  };
  private static final byte[] EDGE_BYTES = {0, 1, -1, Byte.MIN_VALUE, Byte.MAX_VALUE};

  /** A check that may throw anything; what it throws fails the try. */
  @FunctionalInterface
  public interface Check<T> {
    void accept(T input) throws Throwable;
  }

  private Fuzz() {}

  public static <T> void forAll(
      int tries, Function<SplittableRandom, T> generate, Check<? super T> check) {
    long seed = seed();
    SplittableRandom root = new SplittableRandom(seed);
    for (int i = 1; i <= tries; i++) {
      SplittableRandom random = root.split();
      T input = null;
      try {
        input = generate.apply(random);
        check.accept(input);
      } catch (Throwable failure) {
        throw new AssertionError(
            "try "
                + i
                + " of "
                + tries
                + " failed with seed "
                + seed
                + " (replay: -D"
                + SEED_PROPERTY
                + "="
                + seed
                + ") on input "
                + describe(input)
                + ": "
                + failure,
            failure);
      }
    }
  }

  /**
   * Up to {@code max} bytes; empty, full length and the edge bytes come up more often than by
   * chance.
   */
  public static byte[] bytes(SplittableRandom random, int max) {
    int choice = random.nextInt(8);
    int length = choice == 0 ? 0 : choice == 1 ? max : random.nextInt(max + 1);
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] =
          random.nextInt(8) == 0
              ? EDGE_BYTES[random.nextInt(EDGE_BYTES.length)]
              : (byte) random.nextInt();
    }
    return bytes;
  }

  /**
   * Any int: a quarter edge values (0, ±1, MIN_VALUE, MAX_VALUE, ...), a quarter small, the rest
   * uniform.
   */
  public static int anyInt(SplittableRandom random) {
    switch (random.nextInt(4)) {
      case 0:
        return EDGE_INTS[random.nextInt(EDGE_INTS.length)];
      case 1:
        return random.nextInt(-64, 257);
      default:
        return random.nextInt();
    }
  }

  public static <T> T oneOf(SplittableRandom random, List<T> choices) {
    return choices.get(random.nextInt(choices.size()));
  }

  /** Length and hex of the first {@value #SHOWN_BYTES} bytes; {@code null} for null. */
  public static String hex(byte[] bytes) {
    if (bytes == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder().append(bytes.length).append(" bytes [");
    for (int i = 0; i < Math.min(bytes.length, SHOWN_BYTES); i++) {
      out.append(Character.forDigit((bytes[i] >> 4) & 0xF, 16))
          .append(Character.forDigit(bytes[i] & 0xF, 16));
    }
    return out.append(bytes.length > SHOWN_BYTES ? "...]" : "]").toString();
  }

  private static String describe(Object input) {
    return input instanceof byte[] ? hex((byte[]) input) : String.valueOf(input);
  }

  private static long seed() {
    String set = System.getProperty(SEED_PROPERTY, "").trim();
    if (set.isEmpty()) {
      return DEFAULT_SEED;
    }
    return set.equals("random") ? new SecureRandom().nextLong() : Long.decode(set);
  }
}
