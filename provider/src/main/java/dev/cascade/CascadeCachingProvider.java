package dev.cascade;

import dev.cascade.internal.config.ManagerSettings;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;
import javax.cache.CacheManager;
import javax.cache.configuration.OptionalFeature;
import javax.cache.spi.CachingProvider;

/**
 * Cascade's entry point for JCache, found by {@code Caching.getCachingProvider()} through {@code
 * META-INF/services/javax.cache.spi.CachingProvider}.
 *
 * <pre>{@code
 * CacheManager manager = Caching.getCachingProvider().getCacheManager();   // cascade.redis.uri or localhost
 * Cache<Long, String> users = manager.createCache("users",
 *     new MutableConfiguration<Long, String>().setTypes(Long.class, String.class));
 * }</pre>
 *
 * CacheManagers are kept per (URI, class loader), as the spec says; the URI names the Redis server
 * or a configuration file (see {@link ManagerSettings}). Thread-safe.
 */
public final class CascadeCachingProvider implements CachingProvider {

  private final Map<ClassLoader, Map<URI, CascadeCacheManager>> managers = new WeakHashMap<>();
  private Thread exitHook;

  @Override
  public CacheManager getCacheManager(URI uri, ClassLoader classLoader, Properties properties) {
    // no URI: the properties' cascade.redis.uri, as frameworks pass settings only that way
    URI managerUri = ManagerSettings.managerUri(uri, properties);
    ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
    synchronized (managers) {
      Map<URI, CascadeCacheManager> byUri = managers.computeIfAbsent(loader, l -> new HashMap<>());
      CascadeCacheManager manager = byUri.get(managerUri);
      if (manager == null || manager.isClosed()) {
        manager = new CascadeCacheManager(this, managerUri, loader, properties);
        byUri.put(managerUri, manager);
      }
      return manager;
    }
  }

  @Override
  public CacheManager getCacheManager(URI uri, ClassLoader classLoader) {
    return getCacheManager(uri, classLoader, getDefaultProperties());
  }

  @Override
  public CacheManager getCacheManager() {
    return getCacheManager(getDefaultURI(), getDefaultClassLoader(), getDefaultProperties());
  }

  @Override
  public ClassLoader getDefaultClassLoader() {
    return getClass().getClassLoader();
  }

  /**
   * From system property {@code cascade.redis.uri}, else {@code CASCADE_REDIS_URI}, else localhost.
   */
  @Override
  public URI getDefaultURI() {
    return ManagerSettings.defaultUri();
  }

  @Override
  public Properties getDefaultProperties() {
    return new Properties();
  }

  @Override
  public void close() {
    List<CascadeCacheManager> all = new ArrayList<>();
    synchronized (managers) {
      for (Map<URI, CascadeCacheManager> byUri : managers.values()) {
        all.addAll(byUri.values());
      }
      managers.clear();
    }
    all.forEach(CascadeCacheManager::close);
  }

  @Override
  public void close(ClassLoader classLoader) {
    ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
    Map<URI, CascadeCacheManager> byUri;
    synchronized (managers) {
      byUri = managers.remove(loader);
    }
    if (byUri != null) {
      new ArrayList<>(byUri.values()).forEach(CascadeCacheManager::close);
    }
  }

  @Override
  public void close(URI uri, ClassLoader classLoader) {
    URI managerUri = uri == null ? getDefaultURI() : uri;
    ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
    CascadeCacheManager manager = null;
    synchronized (managers) {
      Map<URI, CascadeCacheManager> byUri = managers.get(loader);
      if (byUri != null) {
        manager = byUri.remove(managerUri);
        if (byUri.isEmpty()) {
          managers.remove(loader);
        }
      }
    }
    if (manager != null) {
      manager.close();
    }
  }

  /**
   * Makes JVM shutdown close this provider's managers, so write-behind caches drain what they can
   * (within their drain timeout) instead of leaving it all for another JVM. Registered once, when
   * the first write-behind cache opens.
   */
  synchronized void flushOnExit() {
    if (exitHook == null) {
      exitHook = new Thread(this::close, "cascade-shutdown");
      try {
        Runtime.getRuntime().addShutdownHook(exitHook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down
      }
    }
  }

  /** Forgets a manager that closed itself. */
  void release(CascadeCacheManager manager) {
    synchronized (managers) {
      Map<URI, CascadeCacheManager> byUri = managers.get(manager.getClassLoader());
      if (byUri != null && byUri.get(manager.getURI()) == manager) {
        byUri.remove(manager.getURI());
        if (byUri.isEmpty()) {
          managers.remove(manager.getClassLoader());
        }
      }
    }
  }

  /** Redis holds values, never references: store-by-reference is not supported. */
  @Override
  public boolean isSupported(OptionalFeature optionalFeature) {
    return false;
  }
}
