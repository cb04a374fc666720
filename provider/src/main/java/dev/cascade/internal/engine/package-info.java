/**
 * The engine: what every JCache operation does, each written once ({@link
 * dev.cascade.internal.engine.EntryOperations} for single entries, {@code BulkOperations} for many,
 * {@code Invocations} for entry processors) on top of the examine-then-mutate step ({@code
 * EntryEngine}), reads ({@code EntryReader}), write-through and its locks, read-through, expiry
 * rules, and how a cache is assembled ({@link dev.cascade.internal.engine.CacheAssembly}) and
 * recorded in Redis ({@code CacheRegistry}).
 *
 * <p>Layers: the surface ({@code dev.cascade}) calls the engine; the engine speaks Redis only
 * through {@code dev.cascade.internal.store}. Calls user code (loaders, writers, expiry policies,
 * processors, listeners through {@code dev.cascade.internal.event}) but never on a Redis I/O
 * thread. Internal.
 */
package dev.cascade.internal.engine;
