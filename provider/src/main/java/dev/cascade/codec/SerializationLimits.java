package dev.cascade.codec;

import java.io.Serializable;

/**
 * How large and deep a Java-serialized key or value read from Redis may be. Bytes in a shared Redis
 * are untrusted: without limits, 28 bytes that declare a {@code long[60_000_000]} allocate 480 MB,
 * and a few kilobytes of nested sets keep a thread hashing for minutes. A value over a limit is
 * refused with a {@link CodecException} that names the limit and its setting.
 *
 * <p>The names follow the JDK's {@code jdk.serialFilter} limits ({@code maxdepth}, {@code maxrefs},
 * {@code maxarray}, {@code maxbytes}); the CacheManager properties are {@code
 * cascade.codec.max-depth} and so on (see {@code docs/security.md}).
 *
 * <pre>{@code
 * new CascadeConfiguration<String, Report>()
 *     .setDeserializationLimits(SerializationLimits.DEFAULTS.withMaxDepth(30));
 * }</pre>
 *
 * Independent of these limits, an array whose declared length needs more bytes than the value has
 * is always refused before it is allocated. Immutable.
 *
 * @param maxDepth how deeply objects may nest (each object, array or collection element one step)
 * @param maxRefs how many objects and back-references one value may hold
 * @param maxArray how many elements one array (or one collection's table) may have
 * @param maxBytes how long a serialized value may be
 */
public record SerializationLimits(long maxDepth, long maxRefs, long maxArray, long maxBytes)
    implements Serializable {

  /**
   * Deep enough for domain objects (an order with its lines, their products, categories and prices
   * is under 10), and low enough that the nested-set attack costs at most tens of milliseconds per
   * read: every further level doubles what it can cost.
   */
  public static final long DEFAULT_MAX_DEPTH = 20;

  /**
   * A map of 100,000 small records (8 MB serialized) holds 600,000; reading a million takes well
   * under a second.
   */
  public static final long DEFAULT_MAX_REFS = 1_000_000;

  /** 16 Mi elements: a HashMap of 12 million entries, a 16 MiB {@code byte[]} inside a value. */
  public static final long DEFAULT_MAX_ARRAY = 1L << 24;

  /** 64 MiB: far above what a cache value should be, far below what Redis would store (512 MB). */
  public static final long DEFAULT_MAX_BYTES = 64L << 20;

  public static final SerializationLimits DEFAULTS =
      new SerializationLimits(
          DEFAULT_MAX_DEPTH, DEFAULT_MAX_REFS, DEFAULT_MAX_ARRAY, DEFAULT_MAX_BYTES);

  /**
   * The suffixes of the settings: {@code cascade.codec.<suffix>} and {@code
   * cascade.cache.NAME.codec.<suffix>}.
   */
  public static final String MAX_DEPTH = "max-depth";

  public static final String MAX_REFS = "max-refs";
  public static final String MAX_ARRAY = "max-array";
  public static final String MAX_BYTES = "max-bytes";

  public SerializationLimits {
    positive(maxDepth, MAX_DEPTH);
    positive(maxRefs, MAX_REFS);
    positive(maxArray, MAX_ARRAY);
    positive(maxBytes, MAX_BYTES);
  }

  public SerializationLimits withMaxDepth(long limit) {
    return new SerializationLimits(limit, maxRefs, maxArray, maxBytes);
  }

  public SerializationLimits withMaxRefs(long limit) {
    return new SerializationLimits(maxDepth, limit, maxArray, maxBytes);
  }

  public SerializationLimits withMaxArray(long limit) {
    return new SerializationLimits(maxDepth, maxRefs, limit, maxBytes);
  }

  public SerializationLimits withMaxBytes(long limit) {
    return new SerializationLimits(maxDepth, maxRefs, maxArray, limit);
  }

  private static void positive(long limit, String name) {
    if (limit < 1) {
      throw new IllegalArgumentException(name + " must be positive, not " + limit);
    }
  }

  @Override
  public String toString() {
    return MAX_DEPTH + "=" + maxDepth + ";" + MAX_REFS + "=" + maxRefs + ";" + MAX_ARRAY + "="
        + maxArray + ";" + MAX_BYTES + "=" + maxBytes;
  }
}
