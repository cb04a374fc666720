package dev.cascade.boot.autoconfigure;

import dev.cascade.config.CascadeConfiguration;

/**
 * A bean that adjusts the configuration of each cache this starter creates from {@code
 * cascade.caches.<name>}, after the properties were applied and before the cache is created: to add
 * a listener, an expiry policy of your own, a loader or writer built in code.
 *
 * <pre>{@code
 * @Bean
 * CascadeCacheCustomizer itemsListener() {
 *   return (name, configuration) -> {
 *     if (name.equals("items")) {
 *       configuration.addCacheEntryListenerConfiguration(...);
 *     }
 *   };
 * }
 * }</pre>
 *
 * When the cache has a {@code write-behind} section, the writer a customizer sets is the one
 * wrapped in write-behind. Customizers run in their {@code @Order}.
 */
@FunctionalInterface
public interface CascadeCacheCustomizer {

  /**
   * @param cacheName the cache's name
   * @param configuration its configuration, as the properties made it (key and value types
   *     included)
   */
  void customize(String cacheName, CascadeConfiguration<Object, Object> configuration);
}
