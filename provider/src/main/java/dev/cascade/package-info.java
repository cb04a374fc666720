/**
 * Cascade's JCache surface: the {@link dev.cascade.CascadeCachingProvider} that {@code
 * Caching.getCachingProvider()} finds, its {@link dev.cascade.CascadeCacheManager}, and the {@link
 * dev.cascade.CascadeCache} users hold (what {@code unwrap} returns). Thin by design: each class
 * guards (closed? null?) and hands the call to the engine ({@code dev.cascade.internal.engine}).
 *
 * <p>Public API, with {@code dev.cascade.config}, {@code dev.cascade.writebehind}, {@code
 * dev.cascade.jdbc} and {@code dev.cascade.codec}. Everything under {@code dev.cascade.internal} is
 * internal: free to change between releases, not for users.
 */
package dev.cascade;
