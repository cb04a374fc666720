/**
 * Actuator and Micrometer for Cascade: the {@code cascade} health indicator and the write-behind
 * and near-cache meters ({@code cascade-micrometer}'s {@code CascadeMetrics.withoutStatistics()}),
 * configured when Actuator or Micrometer is on the class path.
 *
 * <p>Owns: reading the public numbers of Cascade's CacheManagers and caches ({@code
 * CascadeCacheManager.ping}, {@code CascadeCache.writeBehind()}). Must not: change caches, or bind
 * the {@code cache.*} meters, which Boot binds itself through {@code CacheMetricsRegistrar}.
 */
package dev.cascade.boot.actuate;
