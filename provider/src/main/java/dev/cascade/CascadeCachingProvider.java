package dev.cascade;

import dev.cascade.internal.config.ManagerSettings;
import dev.cascade.internal.management.ManagerName;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.cache.CacheException;
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
 * or a configuration file (see {@link ManagerSettings}). The manager property {@value
 * #INSTANCE_PROPERTY} keeps a manager apart from the others of the same URI and class loader: a
 * framework that owns (and closes) its manager, such as each Spring context, asks with a value of
 * its own, so it never gets, nor closes, a manager someone else opened. Asking for an open manager
 * with properties other than those it was opened with fails ({@link CacheException} naming the
 * settings that differ) instead of handing back a manager with other settings; asking with no
 * properties finds it as it is. A manager's {@link CacheManager#getURI()} is its name ({@link
 * ManagerName}): the URI it was asked for, or, when that holds a password or one of {@code , = ?
 * *}, a form of it without them; this provider finds the manager by either. Thread-safe.
 */
public final class CascadeCachingProvider implements CachingProvider {

  /**
   * Manager name to the URI it was made from, for names that differ from their URI. JVM-wide, as
   * MBean names are, so that any provider instance of this JVM (one per class loader) finds a
   * manager by the name another one handed out, also after the manager closed. Entries are never
   * removed: one per distinct URI ever opened. When two URIs that differ only in their password
   * give one name, the later one wins (their MBean names are the same too: docs/security.md).
   */
  private static final Map<URI, URI> NAMED = new ConcurrentHashMap<>();

  /**
   * The manager property that makes a manager of its own beside any other of the same URI and class
   * loader (docs/configuration.md).
   */
  public static final String INSTANCE_PROPERTY = "cascade.instance";

  /** A manager's place: the URI it was asked for, and its {@value #INSTANCE_PROPERTY}, if any. */
  private record Key(URI uri, String instance) {}

  private final Map<ClassLoader, Map<Key, CascadeCacheManager>> managers = new WeakHashMap<>();
  private Thread exitHook;

  @Override
  public CacheManager getCacheManager(URI uri, ClassLoader classLoader, Properties properties) {
    ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
    synchronized (managers) {
      Map<Key, CascadeCacheManager> byUri = managers.computeIfAbsent(loader, l -> new HashMap<>());
      // no URI: the properties' cascade.redis.uri, as frameworks pass settings only that way
      URI managerUri = requested(ManagerSettings.managerUri(uri, properties), byUri);
      Key key = new Key(managerUri, instance(properties));
      CascadeCacheManager manager = byUri.get(key);
      if (manager != null && !manager.isClosed()) {
        requireSameProperties(manager, properties);
      } else {
        try {
          manager = new CascadeCacheManager(this, managerUri, loader, properties);
        } catch (RuntimeException | Error e) {
          if (byUri.isEmpty()) {
            managers.remove(loader); // nothing of this loader's is open: forget it, and the hook
            if (managers.isEmpty()) {
              dropExitHook();
            }
          }
          throw e;
        }
        byUri.put(key, manager);
        if (!manager.getURI().equals(managerUri)) {
          NAMED.put(manager.getURI(), managerUri);
        }
      }
      return manager;
    }
  }

  private static String instance(Properties properties) {
    String instance = properties == null ? null : properties.getProperty(INSTANCE_PROPERTY);
    return instance == null || instance.isBlank() ? null : instance.trim();
  }

  /**
   * The spec keeps one manager per (URI, class loader) and says nothing of the properties of a
   * second call: handing back the open manager would silently give the caller other settings (even
   * another Redis, when the URI is a configuration file), so a call whose properties differ fails.
   * No properties at all is a look-up ({@code getCacheManager(uri, loader)}), and finds it.
   */
  private static void requireSameProperties(CascadeCacheManager manager, Properties properties) {
    if (properties == null || properties.isEmpty()) {
      return;
    }
    Properties open = manager.getProperties();
    SortedSet<String> differing = new TreeSet<>();
    for (String name : properties.stringPropertyNames()) {
      if (!properties.getProperty(name).equals(open.getProperty(name))) {
        differing.add(name);
      }
    }
    for (String name : open.stringPropertyNames()) {
      if (properties.getProperty(name) == null) {
        differing.add(name);
      }
    }
    if (!differing.isEmpty()) {
      // names only: values may hold a password
      throw new CacheException(
          "The CacheManager "
              + manager.shownUri()
              + " is already open in this class loader with other properties: "
              + String.join(", ", differing)
              + " differ. Ask with the same properties (or none) to use it, close it first, or set"
              + " "
              + INSTANCE_PROPERTY
              + " to open a manager of your own");
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
   * The name ({@link ManagerName}) of the URI from system property {@code cascade.redis.uri}, else
   * {@code CASCADE_REDIS_URI}, else localhost: that URI itself unless it holds a password or one of
   * {@code , = ? *}. The default manager's {@link CacheManager#getURI()} is this.
   */
  @Override
  public URI getDefaultURI() {
    return ManagerName.of(ManagerSettings.defaultUri());
  }

  /**
   * The URI to open (or find) a manager with: the configured default for null; {@code uri} itself
   * when a manager was asked for with it (a URI that is its own name can also be the name of
   * another, e.g. {@code redis://h} of {@code redis://:pw@h}); the default for the default's name;
   * the URI a name was made from; else {@code uri} itself.
   */
  private static URI requested(URI uri, Map<Key, CascadeCacheManager> byUri) {
    URI configuredDefault = ManagerSettings.defaultUri();
    if (uri == null) {
      return configuredDefault;
    }
    if (byUri != null && byUri.keySet().stream().anyMatch(k -> k.uri().equals(uri))) {
      return uri;
    }
    if (uri.equals(ManagerName.of(configuredDefault))) {
      return configuredDefault;
    }
    return NAMED.getOrDefault(uri, uri);
  }

  @Override
  public Properties getDefaultProperties() {
    return new Properties();
  }

  @Override
  public void close() {
    List<CascadeCacheManager> all = new ArrayList<>();
    synchronized (managers) {
      for (Map<Key, CascadeCacheManager> byUri : managers.values()) {
        all.addAll(byUri.values());
      }
      managers.clear();
      dropExitHook();
    }
    all.forEach(CascadeCacheManager::close);
  }

  @Override
  public void close(ClassLoader classLoader) {
    ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
    Map<Key, CascadeCacheManager> byUri;
    synchronized (managers) {
      byUri = managers.remove(loader);
      if (!anyClosesOnExit()) {
        dropExitHook();
      }
    }
    if (byUri != null) {
      new ArrayList<>(byUri.values()).forEach(CascadeCacheManager::close);
    }
  }

  @Override
  public void close(URI uri, ClassLoader classLoader) {
    ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
    List<CascadeCacheManager> closing = new ArrayList<>();
    synchronized (managers) {
      Map<Key, CascadeCacheManager> byUri = managers.get(loader);
      if (byUri != null) {
        // every manager of the URI, each instance included: the spec's close(uri, loader)
        URI managerUri = requested(uri, byUri);
        for (Key key : new ArrayList<>(byUri.keySet())) {
          if (key.uri().equals(managerUri)) {
            closing.add(byUri.remove(key));
          }
        }
        if (byUri.isEmpty()) {
          managers.remove(loader);
        }
      }
      if (!anyClosesOnExit()) {
        dropExitHook();
      }
    }
    closing.forEach(CascadeCacheManager::close);
  }

  /**
   * Makes JVM shutdown close this provider's managers that want it ({@code cascade.shutdown-hook},
   * true unless set), so write-behind caches drain what they can (within their drain timeout)
   * instead of leaving it all for another JVM. Registered once, when the first write-behind cache
   * of such a manager opens.
   */
  synchronized void flushOnExit() {
    if (exitHook == null) {
      exitHook = new Thread(this::closeOnExit, "cascade-shutdown");
      try {
        Runtime.getRuntime().addShutdownHook(exitHook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down
      }
    }
  }

  /**
   * What the shutdown hook runs: closes the managers that leave their close to it, and only those.
   * A manager opened with {@code cascade.shutdown-hook=false} has an owner that closes it (Spring's
   * context, Hibernate's SessionFactory): closed here, under that owner, it would fail the owner's
   * requests still in flight with "closed", and its drain would race the owner closing what the
   * writer needs (a DataSource). Hooks run concurrently, so such an owner's own shutdown closes it.
   */
  void closeOnExit() {
    List<CascadeCacheManager> hooked = new ArrayList<>();
    synchronized (managers) {
      for (Map<Key, CascadeCacheManager> byUri : managers.values()) {
        for (CascadeCacheManager manager : byUri.values()) {
          if (manager.closesOnExit()) {
            hooked.add(manager);
          }
        }
      }
    }
    // each close forgets its manager (release), and drops the hook once none is left
    hooked.forEach(CascadeCacheManager::close);
  }

  /**
   * Unregisters the shutdown hook once no manager is left: it holds this provider, and through it
   * every class loader it served, which an application server could then never unload. Called
   * holding {@link #managers} (the order {@link #getCacheManager} takes too: the managers, then
   * this provider), so a manager that opens meanwhile registers it again.
   */
  private synchronized void dropExitHook() {
    if (exitHook == null || Thread.currentThread() == exitHook) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(exitHook);
    } catch (IllegalStateException e) {
      return; // the JVM is shutting down: the hook runs, or has run
    }
    exitHook = null;
  }

  /**
   * Whether a manager the hook would close is still open; called holding {@link #managers}. Once
   * none is, the hook goes: it would close nothing, and it holds this provider's class loaders.
   */
  private boolean anyClosesOnExit() {
    for (Map<Key, CascadeCacheManager> byUri : managers.values()) {
      for (CascadeCacheManager manager : byUri.values()) {
        if (manager.closesOnExit()) {
          return true;
        }
      }
    }
    return false;
  }

  /** The shutdown hook while one is registered, for tests. */
  synchronized Thread exitHook() {
    return exitHook;
  }

  /** Forgets a manager that closed itself. */
  void release(CascadeCacheManager manager) {
    synchronized (managers) {
      Map<Key, CascadeCacheManager> byUri = managers.get(manager.getClassLoader());
      Key key = new Key(manager.requestedUri(), instance(manager.getProperties()));
      if (byUri != null && byUri.get(key) == manager) {
        byUri.remove(key);
        if (byUri.isEmpty()) {
          managers.remove(manager.getClassLoader());
        }
      }
      if (!anyClosesOnExit()) {
        dropExitHook();
      }
    }
  }

  /** Redis holds values, never references: store-by-reference is not supported. */
  @Override
  public boolean isSupported(OptionalFeature optionalFeature) {
    return false;
  }
}
