/**
 * Codecs: how keys and values become bytes in Redis and back. Owns the deserialization allow-list
 * and the limits on how large and deep deserialized bytes may be: bytes read from Redis are
 * untrusted, so every decoder meets any bytes with a value or a {@link dev.cascade.codec.CodecException}.
 * Must not talk to Redis or know how caches work (a cache's name appears in messages only); pure
 * functions, unit-tested without a server.
 */
package dev.cascade.codec;
