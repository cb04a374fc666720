package dev.cascade.boot.actuate;

import dev.cascade.CascadeCachingProvider;
import dev.cascade.boot.autoconfigure.CascadeCacheAutoConfiguration;
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
 * Write-behind meters ({@link WriteBehindMeters}) when Micrometer is on the class path; Boot binds
 * every {@code MeterBinder} bean to its registries. The {@code cache.*} meters of every cache are
 * Boot's own ({@code JCacheMetrics} through {@code CacheMetricsRegistrar}).
 */
@AutoConfiguration(after = {CascadeCacheAutoConfiguration.class, CacheAutoConfiguration.class})
@ConditionalOnClass({CascadeCachingProvider.class, MeterBinder.class})
@ConditionalOnBean(CacheManager.class)
public class CascadeMetricsAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = "cascadeWriteBehindMeters")
  WriteBehindMeters cascadeWriteBehindMeters(ObjectProvider<CacheManager> managers) {
    return new WriteBehindMeters(new CascadeManagers(managers));
  }
}
