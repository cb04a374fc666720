/**
 * Codecs: how keys and values become bytes in Redis and back. Owns the deserialization allow-list
 * and the limits on how large and deep deserialized bytes may be. Must not talk to Redis or know
 * how caches work (a cache's name appears in messages only); pure functions, unit-tested without a
 * server.
 */
package dev.cascade.codec;
