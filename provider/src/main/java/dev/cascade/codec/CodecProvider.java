package dev.cascade.codec;

/**
 * Makes the codecs of a cache: how its keys and values become the bytes Cascade stores in Redis.
 * One provider serves many caches; it is asked once per cache opened, with the cache's declared key
 * and value types.
 *
 * <p>Cascade ships two, chosen by name: {@code java} (the default: readable text for {@code
 * String}, {@code Long} and {@code Integer}, raw {@code byte[]}, Java serialization under an
 * allow-list for the rest) and {@code json} (Jackson, bound to the declared types; needs {@code
 * com.fasterxml.jackson.core:jackson-databind} on the class path). A cache chooses one with {@code
 * CascadeConfiguration.setCodec("json")} or {@code setCodec(provider)}, a CacheManager with the
 * property {@code cascade.codec.name}, one cache with {@code cascade.cache.NAME.codec.name}. A name
 * is looked up among the built-in names, then among the providers registered with {@link
 * java.util.ServiceLoader} ({@code META-INF/services/dev.cascade.codec.CodecProvider}) by their
 * {@link #name()}, then as the fully-qualified name of a class that implements this interface and
 * has a public no-argument constructor.
 *
 * <pre>{@code
 * public final class SmileCodecs implements CodecProvider {
 *   public String name() { return "smile"; }
 *   public <K> Codec<K> keyCodec(Class<K> type, CodecContext context) { ... }
 *   public <V> Codec<V> valueCodec(Class<V> type, CodecContext context) { ... }
 * }
 * }</pre>
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>The {@link #name()} is recorded in the cache's registry entry in Redis when the cache is
 *       first created; a JVM that opens the cache with a provider of another name gets a {@code
 *       CacheException}. Every JVM must therefore resolve the same name to a provider that writes
 *       the same bytes: keep names stable, and give a new name to an incompatible format.
 *   <li>Key codecs must be deterministic: equal keys give equal bytes, in every JVM, because the
 *       bytes name the Redis key and choose its partition. Value codecs should be deterministic
 *       too: {@code replace(k, old, new)}, {@code remove(k, old)} and {@code invoke} compare
 *       encoded values.
 *   <li>Codecs must be thread-safe (called from any thread, concurrently) and must not keep
 *       per-call state. A provider's methods may be called concurrently for different caches.
 *   <li>Bytes read from Redis are untrusted: {@code decode} answers any bytes with a value or a
 *       {@link CodecException}, and never creates classes named by the bytes themselves.
 *   <li>{@code decode} never returns null: JCache has no null values.
 * </ul>
 */
public interface CodecProvider {

  /**
   * The name recorded in Redis and used to find this provider: short, stable, e.g. {@code json}.
   */
  String name();

  /**
   * The codec of a cache's keys.
   *
   * @param type the cache's declared key type ({@code Object} when it declares none)
   * @throws IllegalArgumentException when this provider cannot encode keys of that type, with a
   *     message that names the cache and what to change
   */
  <K> Codec<K> keyCodec(Class<K> type, CodecContext context);

  /**
   * The codec of a cache's values.
   *
   * @param type the cache's declared value type ({@code Object} when it declares none)
   * @throws IllegalArgumentException when this provider cannot encode values of that type, with a
   *     message that names the cache and what to change
   */
  <V> Codec<V> valueCodec(Class<V> type, CodecContext context);
}
