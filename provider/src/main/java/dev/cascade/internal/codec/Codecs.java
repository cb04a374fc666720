package dev.cascade.internal.codec;

import dev.cascade.codec.Codec;

/**
 * Picks the codec for a cache's declared key or value type.
 *
 * <p>{@code String}, {@code Long}, {@code Integer} and {@code byte[]} get a direct form that people
 * can read with {@code redis-cli}; any other type gets a tagged form with fast paths for JDK value
 * types and Java serialization for the rest. The declared types of a cache are recorded in Redis,
 * so every JVM that opens the cache uses the same form. With a secret ({@link ValueTags}),
 * Java-serialized values carry an HMAC; direct forms and keys do not (nothing in them is
 * deserialized, and a key's bytes name its entry, which a changed secret must not move).
 */
public final class Codecs {

  private Codecs() {}

  @SuppressWarnings("unchecked")
  public static <T> Codec<T> forKeys(
      Class<T> declared, SerializationFilter filter, ClassLoader loader) {
    Codec<?> direct = direct(declared);
    if (direct != null) {
      return (Codec<T>) direct;
    }
    return (Codec<T>) new ReadableKeyCodec(new JavaSerializationCodec(filter, loader));
  }

  public static <T> Codec<T> forValues(
      Class<T> declared, SerializationFilter filter, ClassLoader loader) {
    return forValues(declared, filter, null, null, loader);
  }

  /**
   * @param tags the secret that authenticates Java-serialized values; null for none
   * @param verified what a value whose tag verified may create; null when {@code tags} is
   */
  @SuppressWarnings("unchecked")
  public static <T> Codec<T> forValues(
      Class<T> declared,
      SerializationFilter filter,
      ValueTags tags,
      SerializationFilter verified,
      ClassLoader loader) {
    Codec<?> direct = direct(declared);
    if (direct != null) {
      return (Codec<T>) direct;
    }
    JavaSerializationCodec allowList = new JavaSerializationCodec(filter, loader);
    if (tags == null) {
      return (Codec<T>) new TaggedCodec(allowList);
    }
    return (Codec<T>)
        new TaggedCodec(allowList, new JavaSerializationCodec(verified, loader), tags);
  }

  /** The direct codec of a declared type, or null when it has none. */
  static Codec<?> direct(Class<?> declared) {
    if (declared == String.class) {
      return DirectCodecs.UTF8;
    }
    if (declared == Long.class) {
      return DirectCodecs.DECIMAL_LONG;
    }
    if (declared == Integer.class) {
      return DirectCodecs.DECIMAL_INTEGER;
    }
    if (declared == byte[].class) {
      return DirectCodecs.BYTES;
    }
    return null;
  }
}
