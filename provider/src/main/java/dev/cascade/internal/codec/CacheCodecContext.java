package dev.cascade.internal.codec;

import dev.cascade.codec.CodecContext;
import dev.cascade.codec.SerializationLimits;
import java.io.ObjectInputFilter;

/**
 * The {@link CodecContext} Cascade gives providers: the cache's resolved settings. Immutable.
 *
 * @param filter the cache's allow-list and limits for Java deserialization
 * @param valueTags the secret that authenticates Java-serialized values ({@code
 *     cascade.codec.hmac-key}), bound to this cache; null for none. Only the {@code java} codec
 *     uses it: the others deserialize no Java objects
 * @param verifiedFilter what a value whose tag verified may create; null without a secret
 */
public record CacheCodecContext(
    String cacheName,
    ClassLoader classLoader,
    SerializationFilter filter,
    boolean typesFromRedis,
    ValueTags valueTags,
    SerializationFilter verifiedFilter)
    implements CodecContext {

  /** Without a secret. */
  public CacheCodecContext(
      String cacheName,
      ClassLoader classLoader,
      SerializationFilter filter,
      boolean typesFromRedis) {
    this(cacheName, classLoader, filter, typesFromRedis, null, null);
  }

  @Override
  public ObjectInputFilter deserializationFilter() {
    return filter;
  }

  @Override
  public SerializationLimits deserializationLimits() {
    return filter.limits();
  }
}
