/**
 * The JCache surface: the provider, the CacheManager and the Cache, and the engine that runs
 * each operation as one atomic "examine, then mutate" step in Redis. Speaks Redis only through
 * {@link dev.cascade.store}.
 */
package dev.cascade;
