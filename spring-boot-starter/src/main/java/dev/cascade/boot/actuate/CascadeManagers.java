package dev.cascade.boot.actuate;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCacheManager;
import dev.cascade.NearCacheStatistics;
import dev.cascade.writebehind.WriteBehindMXBean;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The Cascade CacheManagers among the application's JCache CacheManager beans, and their caches.
 */
final class CascadeManagers {

  private final ObjectProvider<CacheManager> managers;

  CascadeManagers(ObjectProvider<CacheManager> managers) {
    this.managers = managers;
  }

  List<CascadeCacheManager> open() {
    return managers
        .orderedStream()
        .filter(m -> m instanceof CascadeCacheManager && !m.isClosed())
        .map(m -> (CascadeCacheManager) m)
        .distinct()
        .toList();
  }

  /** The write-behind numbers of the manager's caches this JVM flushes, by cache name. */
  static Map<String, WriteBehindMXBean> writeBehind(CascadeCacheManager manager) {
    Map<String, WriteBehindMXBean> result = new LinkedHashMap<>();
    for (String name : manager.getCacheNames()) {
      Cache<?, ?> cache = manager.getCache(name);
      if (cache instanceof CascadeCache<?, ?> cascade && !cascade.isClosed()) {
        WriteBehindMXBean wb = cascade.writeBehind();
        if (wb != null) {
          result.put(name, wb);
        }
      }
    }
    return result;
  }

  /** This JVM's near caches of the manager's caches, by cache name. */
  static Map<String, NearCacheStatistics> nearCaches(CascadeCacheManager manager) {
    Map<String, NearCacheStatistics> result = new LinkedHashMap<>();
    for (String name : manager.getCacheNames()) {
      Cache<?, ?> cache = manager.getCache(name);
      if (cache instanceof CascadeCache<?, ?> cascade && !cascade.isClosed()) {
        NearCacheStatistics near = cascade.nearCache();
        if (near != null) {
          result.put(name, near);
        }
      }
    }
    return result;
  }
}
