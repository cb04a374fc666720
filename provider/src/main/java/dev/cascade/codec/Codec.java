package dev.cascade.codec;

/**
 * Turns keys or values into the bytes Cascade stores in Redis, and back.
 *
 * <p>Cascade stores by value: every key and value crosses a codec on its way to Redis and on its
 * way back, so a caller never shares an instance with the cache. Implementations must be
 * thread-safe and stateless per call. {@link #encode} must be deterministic for keys: two equal
 * keys must give the same bytes, because the bytes name the Redis key.
 *
 * <pre>{@code
 * Codec<String> utf8 = Codecs.forType(String.class, SerializationFilter.defaults());
 * byte[] bytes = utf8.encode("hello");
 * }</pre>
 *
 * @param <T> the type this codec handles
 */
public interface Codec<T> {

  /**
   * @throws CodecException naming the class that cannot be encoded
   */
  byte[] encode(T value);

  /**
   * @throws CodecException naming the class that cannot be decoded, or that the allow-list rejects
   */
  T decode(byte[] bytes);
}
