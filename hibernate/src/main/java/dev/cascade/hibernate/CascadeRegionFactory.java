package dev.cascade.hibernate;

import org.hibernate.cache.cfg.spi.DomainDataRegionBuildingContext;
import org.hibernate.cache.cfg.spi.DomainDataRegionConfig;
import org.hibernate.cache.jcache.internal.JCacheRegionFactory;
import org.hibernate.cache.spi.support.DomainDataStorageAccess;

/**
 * hibernate-jcache's region factory, with READ_WRITE entries written by compare-and-set, so a load
 * in one JVM cannot put an old value over what an update in another JVM just wrote.
 *
 * <p>Hibernate's READ_WRITE strategy reads an entry and then writes it ({@code putFromLoad}, {@code
 * afterInsert}, {@code afterUpdate}), holding a lock of its own JVM in between; JCache is asked for
 * a plain {@code get}, then a plain {@code put}. Two JVMs do not share that lock: if, between one
 * JVM's {@code get} and {@code put} of a value it loaded, another JVM locks the entry, updates the
 * row, commits and writes the new value, the {@code put} replaces the new value with the old one,
 * and every JVM reads the old value until the entry expires. Cascade makes each JCache operation
 * atomic on Redis, so this factory asks for a conditional one: a readable entry is written with
 * {@code putIfAbsent} or {@code replace(key, whatWasRead, newValue)}, and not at all if the entry
 * changed since it was read; locks are written as before (a lock only ever makes readers go to the
 * database). docs/hibernate.md; the race is {@code ReadWriteRaceTest}.
 *
 * <pre>
 * hibernate.cache.region.factory_class=cascade
 * </pre>
 *
 * <p>{@code cascade} is this class's short name ({@link CascadeStrategyRegistrations}); its full
 * name works too. Every other setting of hibernate-jcache ({@code hibernate.javax.cache.*}) applies
 * unchanged.
 *
 * <p>It extends {@link JCacheRegionFactory}, an internal class of hibernate-jcache: tested with
 * Hibernate ORM 6.6.
 */
public class CascadeRegionFactory extends JCacheRegionFactory {

  private static final long serialVersionUID = 1L;

  @Override
  protected DomainDataStorageAccess createDomainDataStorageAccess(
      DomainDataRegionConfig regionConfig, DomainDataRegionBuildingContext buildingContext) {
    return new CompareAndSetStorageAccess(
        getOrCreateCache(regionConfig.getRegionName(), buildingContext.getSessionFactory()));
  }
}
