/**
 * Near caches: bounded in-process copies of recently read entries, kept correct by Redis'
 * server-assisted client-side caching (invalidations pushed over RESP3). Must not change entries.
 * Internal.
 */
package dev.cascade.internal.near;
