/**
 * Micrometer meters for Cascade caches, from plain Java: {@link
 * dev.cascade.micrometer.CascadeMetrics} binds a cache's statistics (under the meter names of
 * Micrometer's {@code JCacheMetrics}) and its write-behind and near-cache numbers to a {@code
 * MeterRegistry}; {@code withoutStatistics()} binds only the latter, beside Micrometer's {@code
 * JCacheMetrics} (as in Spring Boot Actuator). Public API; reads the provider's public accessors
 * only, never JMX.
 */
package dev.cascade.micrometer;
