/**
 * The codec SPI: how keys and values become bytes in Redis and back ({@link dev.cascade.codec.Codec})
 * and the exception a codec throws ({@link dev.cascade.codec.CodecException}). Public API; the
 * codecs Cascade ships and its deserialization allow-list are in {@code dev.cascade.internal.codec}.
 */
package dev.cascade.codec;
