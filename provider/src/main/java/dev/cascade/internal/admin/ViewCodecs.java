package dev.cascade.internal.admin;

import dev.cascade.codec.Codec;
import dev.cascade.codec.CodecException;

/**
 * The codecs an operator's view of a cache decodes (and encodes keys) with, and the codec's name
 * for people. A codec that cannot be had (an unknown provider, a type not on this class path, a
 * json type read from Redis) is one that fails every call with the reason, so each value says why
 * it is shown as bytes.
 */
public record ViewCodecs(Codec<?> keys, Codec<?> values, String name) {

  /** Where views get their codecs from: a cache opened here, or its registry entry. */
  @FunctionalInterface
  public interface Source {
    /**
     * @param record the cache's registry entry (types, codec name, ...)
     */
    ViewCodecs codecsFor(String cacheName, java.util.Map<String, String> record);
  }

  /** A codec that refuses everything with {@code reason}. */
  static Codec<Object> failing(String reason) {
    return new Codec<>() {
      @Override
      public byte[] encode(Object value) {
        throw new CodecException(reason);
      }

      @Override
      public Object decode(byte[] bytes) {
        throw new CodecException(reason);
      }
    };
  }
}
