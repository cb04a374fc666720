package dev.cascade.boot.autoconfigure;

import dev.cascade.CascadeCacheManager;
import dev.cascade.boot.autoconfigure.CascadeProperties.CacheSpec;
import dev.cascade.boot.autoconfigure.CascadeProperties.Expiry;
import dev.cascade.boot.autoconfigure.CascadeProperties.WriteBehindSpec;
import dev.cascade.config.CascadeConfiguration;
import dev.cascade.writebehind.WriteBehind;
import dev.cascade.writebehind.WriteBehindSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.expiry.ModifiedExpiryPolicy;
import javax.cache.expiry.TouchedExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.util.ClassUtils;

/**
 * Creates the caches of {@code cascade.caches.<name>} in the CacheManager Boot opened (through
 * {@code JCacheManagerCustomizer}, after Boot created those of {@code spring.cache.cache-names}),
 * and turns statistics on for Boot's own caches. A setting that cannot be used fails the start with
 * its full key named.
 */
final class CacheDeclarations {

  private final CascadeProperties properties;
  private final List<String> bootCacheNames;
  private final List<CascadeCacheCustomizer> customizers;
  private final ConfigurableListableBeanFactory beans;

  CacheDeclarations(
      CascadeProperties properties,
      List<String> bootCacheNames,
      List<CascadeCacheCustomizer> customizers,
      ConfigurableListableBeanFactory beans) {
    this.properties = properties;
    this.bootCacheNames = bootCacheNames;
    this.customizers = customizers;
    this.beans = beans;
  }

  void apply(CacheManager manager) {
    if (!(manager instanceof CascadeCacheManager)) {
      if (!properties.getCaches().isEmpty()) {
        throw new IllegalStateException(
            "cascade.caches is set, but Spring Boot's JCache CacheManager is "
                + manager.getClass().getName()
                + ", not Cascade's: set spring.cache.jcache.provider=dev.cascade.CascadeCachingProvider");
      }
      return;
    }
    for (Map.Entry<String, CacheSpec> e : properties.getCaches().entrySet()) {
      String name = e.getKey();
      if (bootCacheNames.contains(name)) {
        throw new IllegalStateException(
            "Cache '"
                + name
                + "' is listed in spring.cache.cache-names and configured under cascade.caches."
                + name
                + ": Boot creates the first with default settings before these apply. List it under"
                + " cascade.caches only");
      }
      manager.createCache(name, configuration(name, e.getValue()));
    }
    if (properties.isStatistics()) {
      for (String name : bootCacheNames) {
        manager.enableStatistics(name, true);
      }
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  CascadeConfiguration<Object, Object> configuration(String name, CacheSpec spec) {
    String prefix = "cascade.caches." + name + ".";
    CascadeConfiguration<Object, Object> c = new CascadeConfiguration<>();
    Class keyType = type(prefix + "key-type", spec.getKeyType());
    Class valueType = type(prefix + "value-type", spec.getValueType());
    c.setTypes(keyType, valueType);
    if (spec.getCodec().getName() != null) {
      c.setCodec(spec.getCodec().getName());
    }
    if (!spec.getCodec().getAllow().isEmpty()) {
      c.allowDeserialization(spec.getCodec().getAllow().toArray(String[]::new));
    }
    c.setExpiryPolicyFactory(expiry(prefix, spec));
    c.setStatisticsEnabled(
        spec.getStatistics() != null ? spec.getStatistics() : properties.isStatistics());
    if (spec.getManagement() != null) {
      c.setManagementEnabled(spec.getManagement());
    }
    // the setters' messages name the setting, not its key: the key is what application.yml says
    try {
      if (spec.getPartitions() != null) {
        c.setPartitions(spec.getPartitions());
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(prefix + "partitions: " + e.getMessage(), e);
    }
    try {
      if (spec.getNearCache() != null) {
        c.setNearCache(spec.getNearCache());
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(prefix + "near-cache: " + e.getMessage(), e);
    }
    if (spec.getLoader() != null) {
      Factory<CacheLoader<Object, Object>> loader =
          SpringComponents.factory(prefix + "loader", spec.getLoader(), CacheLoader.class, beans);
      c.setCacheLoaderFactory(loader);
      c.setReadThrough(spec.getReadThrough() == null || spec.getReadThrough());
    } else if (spec.getReadThrough() != null) {
      c.setReadThrough(spec.getReadThrough());
    }
    if (spec.getWriter() != null) {
      Factory<CacheWriter<Object, Object>> writer =
          SpringComponents.factory(prefix + "writer", spec.getWriter(), CacheWriter.class, beans);
      c.setCacheWriterFactory(writer);
      c.setWriteThrough(spec.getWriteThrough() == null || spec.getWriteThrough());
    } else if (spec.getWriteThrough() != null) {
      c.setWriteThrough(spec.getWriteThrough());
    }
    for (CascadeCacheCustomizer customizer : customizers) {
      customizer.customize(name, c);
    }
    if (spec.getWriteBehind() != null) {
      writeBehind(prefix + "write-behind", spec.getWriteBehind(), c);
    }
    return c;
  }

  /**
   * A type named as Cascade's configuration file names it: {@code java.lang} types by simple name,
   * {@code byte[]}, else a class name.
   */
  private Class<?> type(String key, String name) {
    if (name == null || name.isBlank()) {
      return Object.class;
    }
    String n = name.trim();
    if (n.equals("byte[]")) {
      return byte[].class;
    }
    ClassLoader loader = beans.getBeanClassLoader();
    try {
      return ClassUtils.forName(n.contains(".") ? n : "java.lang." + n, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      try {
        return ClassUtils.forName(n, loader);
      } catch (ClassNotFoundException | LinkageError again) {
        throw new IllegalStateException(key + ": class '" + n + "' is not on the class path", e);
      }
    }
  }

  private static Factory<ExpiryPolicy> expiry(String prefix, CacheSpec spec) {
    Expiry e = spec.getExpiry();
    List<String> set = new ArrayList<>();
    Factory<ExpiryPolicy> chosen = EternalExpiryPolicy.factoryOf();
    if (spec.getTtl() != null) {
      set.add("ttl");
      chosen = CreatedExpiryPolicy.factoryOf(duration(prefix + "ttl", spec.getTtl()));
    }
    if (e.getCreated() != null) {
      set.add("expiry.created");
      chosen = CreatedExpiryPolicy.factoryOf(duration(prefix + "expiry.created", e.getCreated()));
    }
    if (e.getAccessed() != null) {
      set.add("expiry.accessed");
      chosen =
          AccessedExpiryPolicy.factoryOf(duration(prefix + "expiry.accessed", e.getAccessed()));
    }
    if (e.getModified() != null) {
      set.add("expiry.modified");
      chosen =
          ModifiedExpiryPolicy.factoryOf(duration(prefix + "expiry.modified", e.getModified()));
    }
    if (e.getTouched() != null) {
      set.add("expiry.touched");
      chosen = TouchedExpiryPolicy.factoryOf(duration(prefix + "expiry.touched", e.getTouched()));
    }
    if (e.isEternal()) {
      set.add("expiry.eternal");
    }
    if (set.size() > 1) {
      throw new IllegalStateException(
          prefix
              + "{"
              + String.join(", ", set)
              + "}: a cache has one expiry; set only one of ttl, expiry.created, expiry.accessed,"
              + " expiry.modified, expiry.touched, expiry.eternal");
    }
    return chosen;
  }

  private static javax.cache.expiry.Duration duration(String key, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalStateException(key + " must be a positive duration, not " + d);
    }
    return new javax.cache.expiry.Duration(TimeUnit.MILLISECONDS, d.toMillis());
  }

  private static void writeBehind(
      String key, WriteBehindSpec s, CascadeConfiguration<Object, Object> c) {
    Factory<CacheWriter<? super Object, ? super Object>> writer = c.getCacheWriterFactory();
    if (writer == null) {
      throw new IllegalStateException(
          key
              + " needs a writer: set "
              + key.replace("write-behind", "writer")
              + " (a bean name or a class name), or set one in a CascadeCacheCustomizer");
    }
    if (WriteBehind.settingsOf(writer) != null) {
      throw new IllegalStateException(
          key + " is set, but a CascadeCacheCustomizer already made the writer write-behind");
    }
    try {
      WriteBehind<Object, Object> wb = WriteBehind.of(writer);
      if (s.getBatchSize() != null) {
        wb.batchSize(s.getBatchSize());
      }
      if (s.getMaxDelay() != null) {
        wb.maxDelay(s.getMaxDelay());
      }
      if (s.getMaxQueueLength() != null) {
        wb.maxQueueLength(s.getMaxQueueLength());
      }
      if (s.getOverflow() != null || s.getOverflowTimeout() != null) {
        wb.overflow(
            s.getOverflow() != null ? s.getOverflow() : WriteBehindSettings.DEFAULT_OVERFLOW,
            s.getOverflowTimeout() != null
                ? s.getOverflowTimeout()
                : WriteBehindSettings.DEFAULT_OVERFLOW_TIMEOUT);
      }
      if (s.getRetryLimit() != null) {
        wb.retryLimit(s.getRetryLimit());
      }
      if (s.getFlushThreads() != null) {
        wb.flushThreads(s.getFlushThreads());
      }
      if (s.getPartitions() != null) {
        wb.partitions(s.getPartitions());
      }
      if (s.getWriterTimeout() != null) {
        wb.writerTimeout(s.getWriterTimeout());
      }
      if (s.getClaimIdle() != null) {
        wb.claimIdle(s.getClaimIdle());
      }
      if (s.getDrainTimeout() != null) {
        wb.drainTimeout(s.getDrainTimeout());
      }
      c.setCacheWriterFactory(wb.build());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(key + ": " + e.getMessage(), e);
    }
    c.setWriteThrough(true);
  }
}
