/**
 * Write-behind: the {@link dev.cascade.writebehind.WriteBehind} wrapper a user puts on a cache,
 * and the flushers that move queued changes to the user's writer in batches, in per-key order,
 * under per-partition leases. Reads and acknowledges queues only through
 * {@link dev.cascade.store.QueueStore}; never changes entries except through its scripts.
 */
package dev.cascade.writebehind;
