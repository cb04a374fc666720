/**
 * Small helpers the other packages share for starting and stopping things (threads, user objects
 * that may be closeable). Internal: not part of Cascade's API.
 */
package dev.cascade.support;
