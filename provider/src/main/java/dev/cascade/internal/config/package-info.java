/**
 * How a CacheManager's settings are read: its URI, the properties passed to it, system properties,
 * environment variables and the configuration file a URI may name. Must not talk to Redis.
 * Internal.
 */
package dev.cascade.internal.config;
