package dev.cascade.codec;

/**
 * Turns keys or values into the bytes Cascade stores in Redis, and back.
 *
 * <p>Cascade stores by value: every key and value crosses a codec on its way to Redis and on its
 * way back, so a caller never shares an instance with the cache. Implementations must be
 * thread-safe and stateless per call. {@link #encode} must be deterministic for keys: two equal
 * keys must give the same bytes, because the bytes name the Redis key. A {@link CodecProvider}
 * makes the codecs of a cache; see it for the whole contract.
 *
 * <pre>{@code
 * Codec<Long> ids = new Codec<>() {
 *   public byte[] encode(Long id) { return Long.toString(id).getBytes(StandardCharsets.US_ASCII); }
 *   public Long decode(byte[] bytes) { return Long.valueOf(new String(bytes, StandardCharsets.US_ASCII)); }
 * };
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
