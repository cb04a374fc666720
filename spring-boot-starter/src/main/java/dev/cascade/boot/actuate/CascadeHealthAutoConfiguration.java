package dev.cascade.boot.actuate;

import dev.cascade.CascadeCachingProvider;
import dev.cascade.boot.autoconfigure.CascadeCacheAutoConfiguration;
import dev.cascade.boot.autoconfigure.CascadeProperties;
import javax.cache.CacheManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.cache.CacheAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The {@code cascade} health indicator ({@code management.health.cascade.enabled=false} turns it
 * off), when Actuator is on the class path.
 */
@AutoConfiguration(after = {CascadeCacheAutoConfiguration.class, CacheAutoConfiguration.class})
@ConditionalOnClass({CascadeCachingProvider.class, HealthIndicator.class})
@ConditionalOnEnabledHealthIndicator("cascade")
@EnableConfigurationProperties(CascadeProperties.class)
@ConditionalOnBean(CacheManager.class)
public class CascadeHealthAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = "cascadeHealthIndicator")
  CascadeHealthIndicator cascadeHealthIndicator(
      ObjectProvider<CacheManager> managers, CascadeProperties properties) {
    return new CascadeHealthIndicator(new CascadeManagers(managers), properties.getHealth());
  }
}
