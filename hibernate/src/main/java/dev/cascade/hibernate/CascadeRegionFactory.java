package dev.cascade.hibernate;

import dev.cascade.CascadeCachingProvider;
import java.net.URI;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import javax.cache.CacheManager;
import javax.cache.spi.CachingProvider;
import org.hibernate.boot.spi.SessionFactoryOptions;
import org.hibernate.cache.cfg.spi.DomainDataRegionBuildingContext;
import org.hibernate.cache.cfg.spi.DomainDataRegionConfig;
import org.hibernate.cache.jcache.ConfigSettings;
import org.hibernate.cache.jcache.internal.JCacheAccessImpl;
import org.hibernate.cache.jcache.internal.JCacheRegionFactory;
import org.hibernate.cache.spi.support.DomainDataStorageAccess;
import org.hibernate.cache.spi.support.StorageAccess;
import org.hibernate.engine.spi.SessionFactoryImplementor;

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
 * <p>Two differences in the CacheManager's lifecycle. A manager the application passes in ({@code
 * hibernate.javax.cache.cache_manager} as a {@code CacheManager} instance) belongs to the
 * application, which may share it with other SessionFactories or with Spring: this factory leaves
 * it and its caches open when the SessionFactory closes (hibernate-jcache closes both). A manager
 * this factory asks the Cascade provider for is closed with the SessionFactory, so it opts out of
 * Cascade's JVM shutdown hook ({@code cascade.shutdown-hook=false}), which would close it under the
 * SessionFactory. docs/hibernate.md.
 *
 * <p>It extends {@link JCacheRegionFactory}, an internal class of hibernate-jcache: tested with
 * Hibernate ORM 6.6.
 */
public class CascadeRegionFactory extends JCacheRegionFactory {

  private static final long serialVersionUID = 1L;

  /** The CacheManager property that keeps Cascade's shutdown hook from closing the manager. */
  static final String SHUTDOWN_HOOK_PROPERTY = "cascade.shutdown-hook";

  /**
   * True while the manager in use was passed in as an instance: its owner closes it, not {@link
   * #releaseFromUse()}.
   */
  private volatile boolean applicationsManager;

  @Override
  protected CacheManager resolveCacheManager(
      SessionFactoryOptions settings, Map<String, Object> properties) {
    Object explicit = properties.get(ConfigSettings.CACHE_MANAGER);
    // a class (or class name) there is instantiated by hibernate-jcache: that one is ours to close
    applicationsManager = explicit instanceof CacheManager;
    if (explicit != null) {
      return super.resolveCacheManager(settings, properties);
    }
    CachingProvider provider = getCachingProvider(properties);
    if (!(provider instanceof CascadeCachingProvider)) {
      return super.resolveCacheManager(settings, properties);
    }
    // as hibernate-jcache asks for it, but a manager of this SessionFactory's own, which it closes:
    // kept out of the shutdown hook, and apart from any manager the application (or another
    // SessionFactory) opened for the same URI, which this one would otherwise close under it, or
    // be refused as asking with other properties
    URI uri = getUri(settings, properties);
    Properties managerProperties = new Properties();
    managerProperties.setProperty(SHUTDOWN_HOOK_PROPERTY, "false");
    managerProperties.setProperty(
        CascadeCachingProvider.INSTANCE_PROPERTY, "hibernate-" + UUID.randomUUID());
    return provider.getCacheManager(
        uri != null ? uri : provider.getDefaultURI(), getClassLoader(provider), managerProperties);
  }

  /**
   * Closes the manager only when this factory obtained it; one the application passed in stays open
   * for the other SessionFactories, or the Spring context, that use it.
   */
  @Override
  protected void releaseFromUse() {
    if (applicationsManager) {
      // hibernate-jcache keeps its (private) reference until the next start; nothing else uses it
      return;
    }
    super.releaseFromUse();
  }

  @Override
  protected DomainDataStorageAccess createDomainDataStorageAccess(
      DomainDataRegionConfig regionConfig, DomainDataRegionBuildingContext buildingContext) {
    return new CompareAndSetStorageAccess(
        getOrCreateCache(regionConfig.getRegionName(), buildingContext.getSessionFactory()),
        !applicationsManager);
  }

  @Override
  protected StorageAccess createQueryResultsRegionStorageAccess(
      String regionName, SessionFactoryImplementor sessionFactory) {
    return leftOpenIfApplications(
        super.createQueryResultsRegionStorageAccess(regionName, sessionFactory));
  }

  @Override
  protected StorageAccess createTimestampsRegionStorageAccess(
      String regionName, SessionFactoryImplementor sessionFactory) {
    return leftOpenIfApplications(
        super.createTimestampsRegionStorageAccess(regionName, sessionFactory));
  }

  /**
   * hibernate-jcache's storage closes its cache when the SessionFactory closes; on the
   * application's manager that would close the cache for everyone else using the manager.
   */
  private StorageAccess leftOpenIfApplications(StorageAccess access) {
    if (!applicationsManager || !(access instanceof JCacheAccessImpl jcache)) {
      return access;
    }
    return new JCacheAccessImpl(jcache.getUnderlyingCache()) {
      @Override
      public void release() {
        // the application's manager: its owner closes the cache with it
      }
    };
  }
}
