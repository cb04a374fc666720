/**
 * Entry events: listener registrations, synchronous and asynchronous delivery, and events that
 * arrive from other JVMs over Redis pub/sub. A pub/sub message is untrusted input (anybody allowed
 * to PUBLISH can send one): it is checked before anything is allocated for it, and dropped with a
 * rate-limited warning when it is not one of Cascade's. Must not change entries. Internal.
 */
package dev.cascade.internal.event;
