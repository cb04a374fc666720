/**
 * Small helpers the other packages share for starting and stopping things (threads, user objects
 * that may be closeable), and the one rule for showing a URI that may carry a password ({@link
 * dev.cascade.internal.support.Redaction}). Internal: not part of Cascade's API.
 */
package dev.cascade.internal.support;
