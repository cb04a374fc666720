/**
 * What operators do with caches they have not opened: list the caches recorded in a Redis, read a
 * write-behind queue's partitions, leases and flushers, list, replay and purge dead letters, and
 * inspect one key. Behind {@code dev.cascade.CascadeAdmin}, the {@code cascade} command line and
 * the dead-letter operations of the {@code WriteBehind} MXBean.
 *
 * <p>Speaks Redis only through {@code dev.cascade.internal.store} ({@code AdminStore}, and {@code
 * EntryStore} for a replay, which is an ordinary conditional change). Never on a cache's hot path.
 * Internal.
 */
package dev.cascade.internal.admin;
