package dev.cascade.samples.annotations;

import java.net.URI;
import javax.cache.Caching;
import javax.sql.DataSource;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.jcache.JCacheCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Spring runs {@link ProductCatalog}'s JCache annotations over Cascade.
 *
 * <p>{@code @EnableCaching} with {@code spring-context-support} and {@code cache-api} on the class
 * path turns on Spring's JSR-107 support: it reads {@code javax.cache.annotation} and resolves
 * caches by name in the {@link org.springframework.cache.CacheManager} bean, here a {@link
 * JCacheCacheManager} over Cascade's {@link javax.cache.CacheManager}.
 *
 * <p>The application provides a {@link DataSource} bean and two properties: {@code
 * cascade.redis.uri} (default {@code redis://127.0.0.1:6379}) and {@code catalog.table} (default
 * {@code products}).
 *
 * <pre>{@code
 * try (var context = new AnnotationConfigApplicationContext()) {
 *     context.registerBean(DataSource.class, () -> dataSource);
 *     context.register(SpringCatalogConfiguration.class);
 *     context.refresh();
 *     ProductCatalog catalog = context.getBean(ProductCatalog.class);
 *     catalog.find(1);     // runs the method, caches the product in Redis
 *     catalog.find(1);     // from Redis
 * }
 * }</pre>
 */
@Configuration(proxyBeanMethods = false)
@EnableCaching
public class SpringCatalogConfiguration {

  /**
   * Cascade's CacheManager; Spring closes it with the context. The catalog cache is created here.
   */
  @Bean(destroyMethod = "close")
  public javax.cache.CacheManager cascadeCacheManager(Environment environment) {
    URI uri = URI.create(environment.getProperty("cascade.redis.uri", "redis://127.0.0.1:6379"));
    javax.cache.CacheManager manager =
        Caching.getCachingProvider()
            .getCacheManager(uri, SpringCatalogConfiguration.class.getClassLoader());
    CatalogCache.open(manager);
    return manager;
  }

  /** What Spring's caching looks caches up in. */
  @Bean
  public JCacheCacheManager cacheManager(javax.cache.CacheManager cascadeCacheManager) {
    return new JCacheCacheManager(cascadeCacheManager);
  }

  @Bean
  public ProductCatalog productCatalog(DataSource dataSource, Environment environment) {
    return new ProductCatalog(dataSource, environment.getProperty("catalog.table", "products"));
  }
}
