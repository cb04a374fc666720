package dev.cascade.boot.actuate;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCacheManager;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.boot.autoconfigure.CascadeCacheAutoConfiguration;
import dev.cascade.micrometer.CascadeMetrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import javax.cache.CacheManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.cache.CacheAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Cascade's own meters when Micrometer is on the class path: the {@code cascadeMetrics} bean, a
 * {@code MeterBinder} (Boot binds every one to its registries) that binds {@link
 * CascadeMetrics#withoutStatistics()} for each cache of the application's Cascade CacheManagers,
 * tagged {@code cache=<name>}: {@code cascade.write.behind.*} for the caches this JVM flushes,
 * {@code cascade.near.cache.*} for those with a near cache. The {@code cache.*} meters of every
 * cache are Boot's own ({@code JCacheMetrics} through {@code CacheMetricsRegistrar}); binding
 * {@code CascadeMetrics}' as well would clash with them.
 */
@AutoConfiguration(after = {CascadeCacheAutoConfiguration.class, CacheAutoConfiguration.class})
@ConditionalOnClass({CascadeCachingProvider.class, MeterBinder.class, CascadeMetrics.class})
@ConditionalOnBean(CacheManager.class)
public class CascadeMetricsAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = "cascadeMetrics")
  MeterBinder cascadeMetrics(ObjectProvider<CacheManager> managers) {
    CascadeManagers cascade = new CascadeManagers(managers);
    // runs when Boot binds its binders (after the singletons, so the caches exist), once per
    // registry; a cache created later is not measured
    return registry -> {
      for (CascadeCacheManager manager : cascade.open()) {
        for (CascadeCache<?, ?> cache : CascadeManagers.caches(manager)) {
          new CascadeMetrics(cache, Tags.empty()).withoutStatistics().bindTo(registry);
        }
      }
    };
  }
}
