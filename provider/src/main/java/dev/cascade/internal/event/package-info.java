/**
 * Entry events: listener registrations, synchronous and asynchronous delivery, and events that
 * arrive from other JVMs over Redis pub/sub. Must not change entries. Internal.
 */
package dev.cascade.internal.event;
