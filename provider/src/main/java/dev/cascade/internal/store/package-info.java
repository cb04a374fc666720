/**
 * The Redis data layout of a cache, its Lua scripts and the connection: the only code that issues
 * Redis commands for entries. Knows bytes, not keys or values; must not call user code.
 *
 * <p>One Redis server, a Sentinel-managed primary or a Redis Cluster alike ({@link
 * dev.cascade.internal.store.RedisTarget}, {@link dev.cascade.internal.store.RedisAccess}): every
 * script touches the keys of one hash slot (one partition's tag, see {@link
 * dev.cascade.internal.store.KeyLayout}), so it runs on one master; commands for many keys are
 * pipelined and Lettuce routes each to its master. Changes that must reach replicas before they
 * return go through {@code ReplicatedWrites} ({@code WAIT} on a dedicated connection per master).
 * Internal.
 */
package dev.cascade.internal.store;
