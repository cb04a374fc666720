package dev.cascade.internal.codec;

import dev.cascade.codec.Codec;
import dev.cascade.codec.CodecException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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
      return (Codec<T>) canonicalKeys(direct);
    }
    return (Codec<T>) new ReadableKeyCodec(new JavaSerializationCodec(filter, loader));
  }

  /**
   * A direct key codec that refuses bytes it would not have written: {@code "+5"} and {@code "05"}
   * parse as 5, and a key Cascade then handed back (iteration, events) would name the entry {@code
   * "5"}: {@code iterator.remove()} would delete that entry, and its row through the writer, while
   * the planted one stayed. Invalid UTF-8 in a String key likewise decodes to another key.
   */
  private static <T> Codec<T> canonicalKeys(Codec<T> direct) {
    return new Codec<>() {
      @Override
      public byte[] encode(T key) {
        return direct.encode(key);
      }

      @Override
      public T decode(byte[] bytes) {
        T key = direct.decode(bytes);
        if (!Arrays.equals(bytes, direct.encode(key))) {
          throw new CodecException(
              "Cannot decode key '"
                  + new String(bytes, StandardCharsets.UTF_8)
                  + "': Cascade writes this key as '"
                  + new String(direct.encode(key), StandardCharsets.UTF_8)
                  + "'; another program wrote it");
        }
        return key;
      }
    };
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
