/**
 * Hibernate ORM 6's second-level cache on Cascade: {@link
 * dev.cascade.hibernate.CascadeRegionFactory}, hibernate-jcache's region factory with READ_WRITE
 * entries written by compare-and-set, so that a load in one JVM cannot put an old value over
 * another JVM's update. Select it with {@code hibernate.cache.region.factory_class=cascade}.
 * docs/hibernate.md.
 *
 * <p>Owns: the region factory and its storage. Must not: reach into provider internals; Hibernate
 * talks to Cascade through {@code javax.cache} only.
 */
package dev.cascade.hibernate;
