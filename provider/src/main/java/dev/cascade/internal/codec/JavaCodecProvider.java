package dev.cascade.internal.codec;

import dev.cascade.codec.Codec;
import dev.cascade.codec.CodecContext;
import dev.cascade.codec.CodecProvider;

/**
 * The {@code java} codecs, Cascade's default and its only format before codecs could be chosen:
 * {@link Codecs} picks direct forms for {@code String}, {@code Long}, {@code Integer} and {@code
 * byte[]}, and tagged forms with Java serialization under the cache's allow-list for the rest. Byte
 * for byte what earlier versions wrote. Stateless.
 */
public final class JavaCodecProvider implements CodecProvider {

  public static final String NAME = "java";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public <K> Codec<K> keyCodec(Class<K> type, CodecContext context) {
    return Codecs.forKeys(type, filterOf(context), context.classLoader());
  }

  /**
   * With a secret in Cascade's context, Java-serialized values carry an HMAC ({@link ValueTags}).
   */
  @Override
  public <V> Codec<V> valueCodec(Class<V> type, CodecContext context) {
    if (context instanceof CacheCodecContext c && c.valueTags() != null) {
      return Codecs.forValues(
          type, c.filter(), c.valueTags(), c.verifiedFilter(), context.classLoader());
    }
    return Codecs.forValues(type, filterOf(context), context.classLoader());
  }

  /**
   * Cascade's own context carries the cache's filter; a context made elsewhere (a provider's unit
   * test) gets the defaults within its limits, never less guarded than that.
   */
  private static SerializationFilter filterOf(CodecContext context) {
    if (context.deserializationFilter() instanceof SerializationFilter filter) {
      return filter;
    }
    return SerializationFilter.defaults()
        .forCache(context.cacheName())
        .withLimits(context.deserializationLimits());
  }

  @Override
  public String toString() {
    return NAME;
  }
}
