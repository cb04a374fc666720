/**
 * Write-behind as users see it: the {@link dev.cascade.writebehind.WriteBehind} wrapper put on a
 * cache's writer factory, its immutable {@link dev.cascade.writebehind.WriteBehindSettings}, the
 * {@link dev.cascade.writebehind.WriteBehindMXBean}, and {@link
 * dev.cascade.writebehind.RevisionedCacheWriter} for writers that keep stale batches out. Public
 * API; the flushers are in {@code dev.cascade.internal.writebehind}.
 */
package dev.cascade.writebehind;
