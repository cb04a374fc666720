package dev.cascade.codec;

import java.io.ObjectInputFilter;

/**
 * What a {@link CodecProvider} is told about the cache it makes codecs for. Cascade implements it;
 * methods may be added (with defaults) in later versions.
 */
public interface CodecContext {

  /** The cache's name, for messages. */
  String cacheName();

  /** The CacheManager's class loader: load application classes through it. */
  ClassLoader classLoader();

  /**
   * The allow-list this cache's settings give for Java deserialization ({@code
   * cascade.codec.allow}, {@code CascadeConfiguration.allowDeserialization}); for providers that
   * deserialize Java objects.
   */
  ObjectInputFilter deserializationFilter();

  /**
   * How large and deep bytes read from Redis may be ({@code cascade.codec.max-*}); a provider
   * applies the limits its format has (JSON: max-bytes and the nesting depth).
   */
  SerializationLimits deserializationLimits();

  /**
   * True when the declared types were read from the cache's registry entry in Redis ({@code
   * getCache(name)} of a cache another JVM created) instead of named by this JVM's code. Anybody
   * who can write to Redis chose them then: a provider that creates instances of the declared types
   * from bytes (JSON binding) should refuse such types and ask for {@code getCache(name, K, V)}.
   */
  boolean typesFromRedis();
}
