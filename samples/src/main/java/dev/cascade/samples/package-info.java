/**
 * Examples to copy: each class is one pattern from the tutorial Cascade grew from, wired the way a
 * user would wire it, against a real Redis and a real database.
 *
 * <ul>
 *   <li>{@link dev.cascade.samples.UserProfiles}: write-through and read-through; the database
 *       decides, and a rejected write leaves the cache untouched.
 *   <li>{@link dev.cascade.samples.ViewCounts}: write-behind with batching and coalescing; an
 *       atomic counter through {@code invoke}.
 *   <li>{@link dev.cascade.samples.Shop}: both at once: prices written through, view counts written
 *       behind, product details read through.
 *   <li>{@link dev.cascade.samples.annotations}: {@code @CacheResult} and friends under Spring and
 *       under Guice.
 *   <li>{@link dev.cascade.samples.demo}: the command-line demo that measures the Shop under load.
 * </ul>
 *
 * <p>Owns: sample code and the tables it expects ({@code createTableSql}). Must not: reach into
 * provider internals; everything here uses public API only ({@code javax.cache}, {@code
 * dev.cascade.jdbc}, {@code dev.cascade.writebehind}, {@code CascadeCache#writeBehind()}).
 */
package dev.cascade.samples;
