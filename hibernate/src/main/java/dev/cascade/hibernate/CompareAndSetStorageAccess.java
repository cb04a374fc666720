package dev.cascade.hibernate;

import java.util.Objects;
import javax.cache.Cache;
import org.hibernate.cache.jcache.internal.JCacheAccessImpl;
import org.hibernate.cache.spi.support.AbstractReadWriteAccess;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * A region's storage that writes READ_WRITE's readable entries ({@link
 * AbstractReadWriteAccess.Item}) only if the entry is still what this thread read just before.
 *
 * <p>Thread confinement: Hibernate's READ_WRITE access reads an entry and then writes it from one
 * thread, under its JVM's lock for the region; that read is remembered per thread and consumed by
 * the write of the same key. An Item written without such a read (none happens in Hibernate 6.6) is
 * written plainly. Everything else (locks, NONSTRICT_READ_WRITE and READ_ONLY entries, removals) is
 * written as hibernate-jcache writes it.
 *
 * <p>{@code replace(key, seen, value)} compares what Redis holds with {@code seen} serialized
 * again; Hibernate's entries serialize to the same bytes each time, and if one did not, the entry
 * would only not be cached (a miss later), never be stale.
 */
final class CompareAndSetStorageAccess extends JCacheAccessImpl {

  /** The last entry this thread read, with its key. */
  private final ThreadLocal<Read> lastRead = new ThreadLocal<>();

  private record Read(Object key, Object value) {}

  /** False on a manager the application passed in: see {@link #release()}. */
  private final boolean closeOnRelease;

  CompareAndSetStorageAccess(Cache<Object, Object> cache, boolean closeOnRelease) {
    super(cache);
    this.closeOnRelease = closeOnRelease;
  }

  /**
   * Closes the cache, unless it belongs to a manager the application passed in: a JCache cache is
   * one object per manager, so closing it here would close it for every other SessionFactory, or
   * Spring, using that manager.
   */
  @Override
  public void release() {
    if (closeOnRelease) {
      super.release();
    }
  }

  @Override
  public Object getFromCache(Object key, SharedSessionContractImplementor session) {
    Object value = super.getFromCache(key, session);
    lastRead.set(new Read(key, value));
    return value;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void putIntoCache(Object key, Object value, SharedSessionContractImplementor session) {
    Read read = lastRead.get();
    lastRead.remove();
    if (!(value instanceof AbstractReadWriteAccess.Item)
        || read == null
        || !Objects.equals(read.key(), key)) {
      super.putIntoCache(key, value, session);
      return;
    }
    Cache<Object, Object> cache = getUnderlyingCache();
    if (read.value() == null) {
      cache.putIfAbsent(key, value);
    } else {
      cache.replace(key, read.value(), value);
    }
  }
}
