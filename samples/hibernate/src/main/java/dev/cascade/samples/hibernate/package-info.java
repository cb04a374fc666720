/**
 * Cascade as Hibernate ORM 6's second-level cache, through {@code hibernate-jcache} and {@code
 * cascade-hibernate}'s region factory: {@link dev.cascade.samples.hibernate.Catalog} bootstraps
 * plain Hibernate with every setting in one map, and the regions with their TTLs are declared in
 * {@code hibernate-cascade.yaml}. One entity per access strategy: {@link
 * dev.cascade.samples.hibernate.Product} READ_WRITE (with a cached collection and a cached natural
 * id), {@link dev.cascade.samples.hibernate.Stock} NONSTRICT_READ_WRITE, {@link
 * dev.cascade.samples.hibernate.Category} READ_ONLY. docs/hibernate.md says what each guarantees
 * across JVMs.
 *
 * <p>Owns: sample code. Must not: reach into provider internals; Hibernate talks to Cascade through
 * {@code javax.cache} only.
 */
package dev.cascade.samples.hibernate;
