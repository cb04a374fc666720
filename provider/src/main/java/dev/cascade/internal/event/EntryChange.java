package dev.cascade.internal.event;

import javax.cache.event.EventType;

/**
 * One change an operation made, before it is shaped into events for each listener (who may or may
 * not want old values). {@code value} is the new value (CREATED, UPDATED) and {@code oldValue} the
 * previous one (UPDATED, REMOVED, EXPIRED).
 *
 * <p>{@code lane} is the hash of the key's encoded bytes: it picks the thread of asynchronous
 * delivery, the same in every JVM and for local and remote changes alike, so one key's events stay
 * in order.
 */
public record EntryChange<K, V>(EventType type, K key, V value, V oldValue, int lane) {}
