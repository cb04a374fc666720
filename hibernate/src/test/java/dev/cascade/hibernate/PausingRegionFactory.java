package dev.cascade.hibernate;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import org.hibernate.cache.cfg.spi.DomainDataRegionBuildingContext;
import org.hibernate.cache.cfg.spi.DomainDataRegionConfig;
import org.hibernate.cache.jcache.internal.JCacheAccessImpl;
import org.hibernate.cache.jcache.internal.JCacheRegionFactory;
import org.hibernate.cache.spi.support.AbstractReadWriteAccess;
import org.hibernate.cache.spi.support.DomainDataStorageAccess;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * hibernate-jcache's storage (plain {@code get}/{@code put}), or {@link CascadeRegionFactory}'s
 * (compare-and-set), with one pause put in: the first READ_WRITE entry this factory's
 * SessionFactory is about to write waits, after Hibernate read the entry, until the test lets it
 * go. That is where another JVM's update can slip in.
 */
final class PausingRegionFactory extends JCacheRegionFactory {

  private static final long serialVersionUID = 1L;

  private final boolean compareAndSet;
  private final transient CountDownLatch paused = new CountDownLatch(1);
  private final transient CountDownLatch resume = new CountDownLatch(1);

  PausingRegionFactory(boolean compareAndSet) {
    this.compareAndSet = compareAndSet;
  }

  /** Waits until a writer is paused between its read and its write. */
  boolean awaitPaused() throws InterruptedException {
    return paused.await(60, TimeUnit.SECONDS);
  }

  void resume() {
    resume.countDown();
  }

  @Override
  protected DomainDataStorageAccess createDomainDataStorageAccess(
      DomainDataRegionConfig regionConfig, DomainDataRegionBuildingContext buildingContext) {
    Cache<Object, Object> cache =
        getOrCreateCache(regionConfig.getRegionName(), buildingContext.getSessionFactory());
    return new Pausing(
        compareAndSet ? new CompareAndSetStorageAccess(cache, true) : new JCacheAccessImpl(cache));
  }

  private final class Pausing implements DomainDataStorageAccess {

    private final DomainDataStorageAccess inner;

    Pausing(DomainDataStorageAccess inner) {
      this.inner = inner;
    }

    @Override
    public Object getFromCache(Object key, SharedSessionContractImplementor session) {
      return inner.getFromCache(key, session);
    }

    @Override
    public void putIntoCache(Object key, Object value, SharedSessionContractImplementor session) {
      if (value instanceof AbstractReadWriteAccess.Item && paused.getCount() > 0) {
        paused.countDown();
        try {
          if (!resume.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the test never resumed the paused writer");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      inner.putIntoCache(key, value, session);
    }

    @Override
    public void removeFromCache(Object key, SharedSessionContractImplementor session) {
      inner.removeFromCache(key, session);
    }

    @Override
    public void clearCache(SharedSessionContractImplementor session) {
      inner.clearCache(session);
    }

    @Override
    public boolean contains(Object key) {
      return inner.contains(key);
    }

    @Override
    public void evictData() {
      inner.evictData();
    }

    @Override
    public void evictData(Object key) {
      inner.evictData(key);
    }

    @Override
    public void release() {
      inner.release();
    }
  }
}
