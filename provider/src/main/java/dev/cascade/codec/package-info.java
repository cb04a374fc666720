/**
 * The codec SPI: how keys and values become bytes in Redis and back ({@link
 * dev.cascade.codec.Codec}), what makes a cache's codecs and is chosen by name ({@link
 * dev.cascade.codec.CodecProvider}, told about the cache by a {@link
 * dev.cascade.codec.CodecContext}; built in: {@code java} and {@code json}; see {@code
 * docs/codecs.md}), the exception a codec throws ({@link dev.cascade.codec.CodecException}), and
 * the limits on how large and deep deserialized bytes may be ({@link
 * dev.cascade.codec.SerializationLimits}). Bytes read from Redis are untrusted: every decoder meets
 * any bytes with a value or a {@code CodecException}. Public API; the codecs Cascade ships and its
 * deserialization allow-list are in {@code dev.cascade.internal.codec}. Must not talk to Redis.
 */
package dev.cascade.codec;
