package dev.cascade.boot.actuate;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCacheManager;
import dev.cascade.writebehind.WriteBehindMXBean;
import java.util.ArrayList;
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

  /** The manager's caches, open now. */
  static List<CascadeCache<?, ?>> caches(CascadeCacheManager manager) {
    List<CascadeCache<?, ?>> result = new ArrayList<>();
    for (String name : manager.getCacheNames()) {
      Cache<?, ?> cache = manager.getCache(name);
      if (cache instanceof CascadeCache<?, ?> cascade && !cascade.isClosed()) {
        result.add(cascade);
      }
    }
    return result;
  }

  /** The write-behind numbers of the manager's caches this JVM flushes, by cache name. */
  static Map<String, WriteBehindMXBean> writeBehind(CascadeCacheManager manager) {
    Map<String, WriteBehindMXBean> result = new LinkedHashMap<>();
    for (CascadeCache<?, ?> cache : caches(manager)) {
      WriteBehindMXBean wb = cache.writeBehind();
      if (wb != null) {
        result.put(cache.getName(), wb);
      }
    }
    return result;
  }
}
