/**
 * The flushers: per-partition leases, reading queued records in stream order, coalescing per key,
 * calling the user's writer with bounded waits, bisecting failures, dead letters, and the numbers
 * of the write-behind MXBean. Reads and acknowledges queues only through {@code
 * dev.cascade.internal.store.QueueStore}; never changes entries except through its scripts.
 * Internal.
 */
package dev.cascade.internal.writebehind;
