package dev.cascade.internal.codec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The classes that frameworks caching through JCache put into a cache themselves, besides the
 * application's values: allowed by default, so Spring's and Hibernate's caches work without any
 * Cascade setting.
 *
 * <p>Exact class names only, never a framework's packages: Hibernate's own classes held gadget
 * chains (ysoserial's Hibernate1 and Hibernate2 go through {@code
 * org.hibernate.engine.spi.TypedValue}, {@code org.hibernate.type.ComponentType} and tuplizers to
 * call a getter of the attacker's choosing), and Spring's hold others. Every class here is a holder
 * of plain data: its serialized fields are JDK values, arrays of them, {@code Object} fields that
 * hold other holders of this list or the application's own values, and no field of a type that does
 * something when it is read, compared or hashed ({@code org.hibernate.type.*}, persisters,
 * comparators, proxies). {@code HibernateProfileTest} checks this list against the classes
 * Hibernate ORM 6.6 really stores in its second-level and query caches.
 *
 * <p>Turned off by {@code cascade.codec.strict=true}. Immutable.
 */
public final class FrameworkProfiles {

  private FrameworkProfiles() {}

  /**
   * Spring's cache abstraction: the key {@code SimpleKeyGenerator} makes for zero or several method
   * parameters (an {@code Object[]} of them), and the stand-in for a cached {@code null} (no
   * fields; {@code readResolve} returns the singleton).
   */
  public static final List<String> SPRING =
      List.of(
          "org.springframework.cache.interceptor.SimpleKey",
          "org.springframework.cache.support.NullValue");

  /**
   * The JSR-107 annotations' reference implementation (JCache's {@code @CacheResult} run by the
   * RI's CDI, Guice or Spring integration): the key it generates, an {@code Object[]} of the
   * parameters.
   */
  public static final List<String> JCACHE_ANNOTATIONS =
      List.of("org.jsr107.ri.annotations.DefaultGeneratedCacheKey");

  /**
   * Hibernate ORM 6's second-level and query caches through {@code hibernate-jcache}, as Hibernate
   * 6.6 stores them (fields in brackets).
   */
  public static final List<String> HIBERNATE =
      List.of(
          // READ_WRITE regions wrap each value (timestamp, value, version) and put a lock while an
          // entity changes (lock id, timeouts, a UUID, the version)
          "org.hibernate.cache.spi.support.AbstractReadWriteAccess$Item",
          "org.hibernate.cache.spi.support.AbstractReadWriteAccess$SoftLockImpl",
          // keys of entity and collection regions (role name, the disassembled id, tenant id);
          // the Basic form for ids of basic types without a tenant
          "org.hibernate.cache.internal.CacheKeyImplementation",
          "org.hibernate.cache.internal.BasicCacheKeyImplementation",
          // keys of natural-id regions (entity name, the disassembled natural-id values, tenant)
          "org.hibernate.cache.internal.NaturalIdCacheKey",
          // an entity's state, disassembled (Serializable[] of its attributes, subclass name,
          // version), and a collection's elements, disassembled
          "org.hibernate.cache.spi.entry.StandardCacheEntryImpl",
          "org.hibernate.cache.spi.entry.CollectionCacheEntry",
          // what an @Any association disassembles to (entity name, id)
          "org.hibernate.type.AnyType$ObjectTypeCacheEntry",
          // markers in a disassembled state: a lazy attribute not fetched, an unknown back
          // reference (no fields; readResolve returns the singleton)
          "org.hibernate.bytecode.enhance.spi.LazyPropertyInitializer$1",
          "org.hibernate.property.access.internal.PropertyAccessStrategyBackRefImpl$1",
          // the query cache: its key (SQL, the disassembled parameter values, paging, enabled
          // filter names; readObject only recomputes the hash) and its value (a timestamp and
          // the rows of JDBC values)
          "org.hibernate.cache.spi.QueryKey",
          "org.hibernate.query.internal.QueryParameterBindingsImpl$ParameterBindingsMementoImpl",
          "org.hibernate.query.spi.QueryParameterBindings$1",
          "org.hibernate.cache.internal.QueryResultsCacheImpl$CacheItem");

  /** Every profile: what the zero-configuration allow-list adds to the JDK value types. */
  public static List<String> all() {
    List<String> all = new ArrayList<>(SPRING);
    all.addAll(JCACHE_ANNOTATIONS);
    all.addAll(HIBERNATE);
    return Collections.unmodifiableList(all);
  }
}
