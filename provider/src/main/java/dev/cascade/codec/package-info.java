/**
 * Codecs: how keys and values become bytes in Redis and back. Owns the serialization allow-list.
 * Must not talk to Redis or know about caches; pure functions, unit-tested without a server.
 */
package dev.cascade.codec;
