/**
 * Management: statistics, the standard JCache MXBeans and Cascade's own, and their registration.
 * Must not talk to Redis. Internal.
 */
package dev.cascade.internal.management;
