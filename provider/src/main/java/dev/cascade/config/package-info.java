/**
 * Configuration: Cascade's extension of {@code MutableConfiguration}, and how a CacheManager's
 * URI, properties and configuration file are read. Must not talk to Redis.
 */
package dev.cascade.config;
