package dev.cascade.boot.autoconfigure;

import dev.cascade.CascadeCachingProvider;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Fills in two of Boot's own JCache settings when the application did not set them, so Boot's
 * JCache support opens Cascade's CacheManager: {@code spring.cache.jcache.provider} (Cascade, even
 * when another JCache provider is on the class path, as with Hibernate's) and {@code
 * spring.cache.jcache.config} (from {@code cascade.config}). Added as the last property source: any
 * setting of the application wins.
 */
public class CascadeEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

  static final String SOURCE = "cascadeDefaults";
  static final String PROVIDER = "spring.cache.jcache.provider";
  static final String CONFIG = "spring.cache.jcache.config";

  @Override
  public void postProcessEnvironment(
      ConfigurableEnvironment environment, SpringApplication application) {
    Map<String, Object> defaults = new HashMap<>();
    if (!environment.containsProperty(PROVIDER)) {
      defaults.put(PROVIDER, CascadeCachingProvider.class.getName());
    }
    String config = environment.getProperty("cascade.config");
    if (config != null && !config.isBlank() && !environment.containsProperty(CONFIG)) {
      defaults.put(CONFIG, config.trim());
    }
    if (!defaults.isEmpty()) {
      environment.getPropertySources().addLast(new MapPropertySource(SOURCE, defaults));
    }
  }

  /** After the application's configuration files are read. */
  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
