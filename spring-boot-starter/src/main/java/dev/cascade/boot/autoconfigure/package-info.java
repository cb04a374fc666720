/**
 * Spring Boot auto-configuration of Cascade: {@link
 * dev.cascade.boot.autoconfigure.CascadeProperties} (the {@code cascade.*} keys of {@code
 * application.yml}) and {@link dev.cascade.boot.autoconfigure.CascadeCacheCustomizer} are for
 * applications; the rest is wiring that Boot finds through {@code META-INF}.
 *
 * <p>Owns: feeding Boot's own JCache support (provider and configuration file defaults, the
 * CacheManager's properties, the caches of {@code cascade.caches}). Must not: open a CacheManager
 * itself, or replace one of Boot's beans, so {@code spring.cache.*} and {@code
 * JCacheManagerCustomizer} keep working as Boot documents them.
 */
package dev.cascade.boot.autoconfigure;
