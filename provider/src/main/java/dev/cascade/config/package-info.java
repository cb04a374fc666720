/**
 * Configuration users write: {@link dev.cascade.config.CascadeConfiguration}, Cascade's extension
 * of {@code MutableConfiguration} (partitions, near cache, lock lease and wait). Public API; how a
 * CacheManager's URI, properties and configuration file are read is in {@code
 * dev.cascade.internal.config}. Must not talk to Redis.
 */
package dev.cascade.config;
