package dev.cascade.samples.annotations;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.samples.Product;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;

/**
 * The cache behind {@link ProductCatalog}'s annotations, created before a container needs it.
 *
 * <p>Why create it ourselves: Spring's {@code JCacheCacheManager} only looks caches up (a missing
 * one is an error at the first call), and the annotation RI would create it with an empty
 * configuration. Either way the cache would lack what Cascade needs to know here: the keys are
 * whatever the container generates (so the types stay {@code Object}), and the values are {@link
 * Product}s, which Cascade must be allowed to deserialize from Redis.
 */
public final class CatalogCache {

  /** The name the annotations use. */
  public static final String NAME = "catalog";

  private CatalogCache() {}

  /**
   * The configuration: untyped keys, {@link Product} values allowed (Spring's keys and its marker
   * for a cached null are allowed by default), entries kept 10 minutes.
   */
  public static CascadeConfiguration<Object, Object> configuration() {
    return new CascadeConfiguration<Object, Object>()
        .allowDeserialization(Product.class.getName())
        .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(new Duration(TimeUnit.MINUTES, 10)));
  }

  /** This manager's catalog cache, created with {@link #configuration()} the first time. */
  public static Cache<Object, Object> open(CacheManager manager) {
    for (String name : manager.getCacheNames()) {
      if (name.equals(NAME)) {
        return manager.getCache(NAME);
      }
    }
    try {
      return manager.createCache(NAME, configuration());
    } catch (CacheException createdMeanwhile) {
      // another thread of this JVM created it between the look-up and here
      return manager.getCache(NAME);
    }
  }
}
