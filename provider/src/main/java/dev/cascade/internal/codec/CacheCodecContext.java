package dev.cascade.internal.codec;

import dev.cascade.codec.CodecContext;
import dev.cascade.codec.SerializationLimits;
import java.io.ObjectInputFilter;

/**
 * The {@link CodecContext} Cascade gives providers: the cache's resolved settings. Immutable.
 *
 * @param filter the cache's allow-list and limits for Java deserialization
 */
public record CacheCodecContext(
    String cacheName, ClassLoader classLoader, SerializationFilter filter, boolean typesFromRedis)
    implements CodecContext {

  @Override
  public ObjectInputFilter deserializationFilter() {
    return filter;
  }

  @Override
  public SerializationLimits deserializationLimits() {
    return filter.limits();
  }
}
