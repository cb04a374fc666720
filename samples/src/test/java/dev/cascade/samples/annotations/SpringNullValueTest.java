package dev.cascade.samples.annotations;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.net.URI;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.cache.Cache;
import org.springframework.cache.jcache.JCacheCacheManager;

/**
 * Regression: Spring caches a {@code null} method result as {@code
 * org.springframework.cache.support.NullValue} (JCacheCacheManager's default {@code
 * allowNullValues=true}); Cascade's default deserialization allow-list once admitted Spring's
 * {@code SimpleKey} but not {@code NullValue}, so reading such an entry back threw {@code
 * CodecException: Refusing to deserialize class org.springframework.cache.support.NullValue}.
 */
@WithRedis
@Timeout(60)
class SpringNullValueTest {

  @Test
  void springNullResult_cachedWithDefaults_readsBackAsNull(RedisServer redis) {
    CacheManager cascade =
        new dev.cascade.CascadeCachingProvider()
            .getCacheManager(URI.create(redis.uri()), getClass().getClassLoader());
    try {
      cascade.createCache("nulls", new MutableConfiguration<Object, Object>());
      Cache spring = new JCacheCacheManager(cascade).getCache("nulls");

      spring.put(404L, null); // stored as NullValue.INSTANCE

      Cache.ValueWrapper hit = spring.get(404L);
      assertNotNull(hit, "a cached null is a hit");
      assertNull(hit.get());
    } finally {
      cascade.close();
    }
  }
}
