package dev.cascade.boot.autoconfigure;

import dev.cascade.CascadeCachingProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Caching;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.cache.CacheAutoConfiguration;
import org.springframework.boot.autoconfigure.cache.JCacheManagerCustomizer;
import org.springframework.boot.autoconfigure.cache.JCachePropertiesCustomizer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.cache.jcache.JCacheCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Spring's cache abstraction on Cascade, through Boot's own JCache support rather than around it:
 * Boot's {@code JCacheCacheConfiguration} still opens the {@code javax.cache.CacheManager} ({@code
 * spring.cache.jcache.provider}, {@code spring.cache.jcache.config}, {@code
 * spring.cache.cache-names}, {@code JCacheManagerCustomizer} beans); this starter
 *
 * <ul>
 *   <li>makes Cascade the provider and {@code cascade.config} the configuration file when they are
 *       not set ({@link CascadeEnvironmentPostProcessor});
 *   <li>passes the Redis URI ({@code cascade.redis.uri}, else {@code spring.data.redis.*}), the
 *       application's packages ({@code cascade.codec.application-packages}), {@code
 *       cascade.codec.allow} and Cascade's other manager settings ({@code cascade.timeout}, ...) to
 *       the CacheManager as properties ({@link JCachePropertiesCustomizer});
 *   <li>creates the caches of {@code cascade.caches.<name>}, applying {@link
 *       CascadeCacheCustomizer} beans, and turns statistics on for Boot's caches ({@link
 *       JCacheManagerCustomizer}).
 * </ul>
 */
@AutoConfiguration(before = CacheAutoConfiguration.class)
@ConditionalOnClass({
  CascadeCachingProvider.class,
  Caching.class,
  JCacheCacheManager.class,
  JCachePropertiesCustomizer.class
})
@EnableConfigurationProperties(CascadeProperties.class)
public class CascadeCacheAutoConfiguration {

  /** The CacheManager property Cascade reads its Redis URI from. */
  static final String URI_PROPERTY = "cascade.redis.uri";

  /** The CacheManager property of the command timeout. */
  static final String TIMEOUT_PROPERTY = "cascade.timeout";

  /**
   * The CacheManager property with the application's packages: their classes may be deserialized,
   * unless {@code cascade.codec.strict} (docs/security.md).
   */
  static final String PACKAGES_PROPERTY = "cascade.codec.application-packages";

  /** The CacheManager property with the deserialization allow-list of every cache. */
  static final String ALLOW_PROPERTY = "cascade.codec.allow";

  /**
   * The CacheManager property that keeps Cascade's JVM shutdown hook from closing the manager:
   * Spring closes it with the context (after the requests in flight, before the DataSource), so the
   * hook closing it first fails those requests and races the DataSource's close.
   */
  static final String SHUTDOWN_HOOK_PROPERTY = "cascade.shutdown-hook";

  /**
   * The CacheManager property that gives this context a manager of its own. The provider keeps one
   * manager per (URI, class loader), Boot passes every context the same class loader, and Spring's
   * test-context cache keeps several contexts alive in one JVM: without it, a second context would
   * get the first one's manager, with the first one's settings (even its Redis), and close it under
   * the first one when it fails or closes. A connection per context is the price.
   */
  static final String INSTANCE_PROPERTY = CascadeCachingProvider.INSTANCE_PROPERTY;

  private static final AtomicLong CONTEXTS = new AtomicLong();

  /** This context's {@link #INSTANCE_PROPERTY}: one instance of this class per context. */
  private final String instance = "spring-context-" + CONTEXTS.incrementAndGet();

  /** {@code expiry: eternal} in {@code cascade.caches}, as in Cascade's file. */
  @Bean
  @ConfigurationPropertiesBinding
  static EternalExpiryConverter cascadeEternalExpiryConverter() {
    return new EternalExpiryConverter();
  }

  @Bean
  JCachePropertiesCustomizer cascadeCacheManagerProperties(
      CascadeProperties properties,
      Environment environment,
      ConfigurableListableBeanFactory beanFactory) {
    return p -> {
      managerProperties(p, properties, environment, beanFactory);
      p.setProperty(INSTANCE_PROPERTY, instance);
    };
  }

  static void managerProperties(
      Properties p,
      CascadeProperties properties,
      Environment environment,
      ConfigurableListableBeanFactory beanFactory) {
    passThrough(p, environment);
    // the context closes the manager; cascade.shutdown-hook=true in application.yml still wins
    p.putIfAbsent(SHUTDOWN_HOOK_PROPERTY, "false");
    String uri = RedisUri.resolve(properties, environment);
    if (uri != null) {
      p.setProperty(URI_PROPERTY, uri);
    }
    String springTimeout = RedisUri.springTimeout(environment);
    if (springTimeout != null && !p.containsKey(TIMEOUT_PROPERTY)) {
      p.setProperty(TIMEOUT_PROPERTY, springTimeout);
    }
    // the CacheManager's properties replace its file's values key by key: keep the file's in ours
    List<String> packages = new ArrayList<>();
    if (properties.getCodec().isAllowApplicationPackages()
        && AutoConfigurationPackages.has(beanFactory)) {
      packages.addAll(FileAllowList.read(environment, beanFactory, PACKAGES_PROPERTY));
      packages.addAll(AutoConfigurationPackages.get(beanFactory));
    }
    if (!packages.isEmpty()) {
      p.setProperty(PACKAGES_PROPERTY, String.join(",", packages));
    }
    if (!properties.getCodec().getAllow().isEmpty()) {
      List<String> allow =
          new ArrayList<>(FileAllowList.read(environment, beanFactory, ALLOW_PROPERTY));
      allow.addAll(properties.getCodec().getAllow());
      p.setProperty(ALLOW_PROPERTY, String.join(";", allow));
    }
  }

  /**
   * Keys under {@code cascade.} that this starter does not handle itself: Cascade's own
   * CacheManager settings ({@code cascade.timeout}, {@code cascade.partitions}, {@code
   * cascade.lock.*}, {@code cascade.codec.max-*}, {@code cascade.redis.tls.*}, {@code
   * cascade.cache.<name>.*} ...), passed to the CacheManager as they are, so application.yml can
   * say what a Cascade properties file says.
   */
  private static final List<String> OWNED =
      List.of(
          "cascade.redis.uri",
          "cascade.config",
          "cascade.codec.allow",
          "cascade.codec.allow-application-packages",
          "cascade.codec.application-packages",
          "cascade.caches.",
          "cascade.templates.",
          "cascade.datasources.",
          "cascade.health.");

  private static void passThrough(Properties p, Environment environment) {
    // through Spring's configuration property names, not the sources' raw keys: those are only
    // "cascade.…" in a properties or YAML file; an environment variable (CASCADE_TIMEOUT) or a
    // system property in another form is the same setting, and a YAML list arrives as key[0],
    // key[1]. Binder values resolve placeholders and honour the sources' precedence.
    Binder binder = Binder.get(environment);
    Map<String, ConfigurationPropertyName> keys = new LinkedHashMap<>();
    Map<String, ConfigurationPropertyName> lists = new LinkedHashMap<>();
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
      if (!(source instanceof IterableConfigurationPropertySource iterable)) {
        continue;
      }
      boolean environmentVariables =
          source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource;
      iterable.stream()
          .filter(
              n -> n.getNumberOfElements() > 1 && n.getElement(0, Form.UNIFORM).equals("cascade"))
          .forEach(
              n -> {
                int last = n.getNumberOfElements() - 1;
                if (n.isNumericIndex(last)) {
                  ConfigurationPropertyName list = n.chop(last);
                  lists.putIfAbsent(key(list), list);
                } else if (!environmentVariables) {
                  keys.putIfAbsent(key(n), n);
                } else {
                  // CASCADE_CODEC_HMAC_KEY (the provider reads it itself), CASCADE_HOME or any
                  // other variable of that prefix would reach the manager as an unknown key and
                  // fail the start: take only the manager-wide settings a variable can name
                  ENVIRONMENT_KEYS.stream()
                      .filter(k -> ConfigurationPropertyName.of(k).equals(n))
                      .findFirst()
                      .ifPresent(k -> keys.putIfAbsent(k, n));
                }
              });
    }
    keys.forEach(
        (key, name) -> {
          if (passes(key, p)) {
            binder.bind(name, Bindable.of(String.class)).ifBound(v -> p.setProperty(key, v));
          }
        });
    lists.forEach(
        (key, name) -> {
          if (passes(key, p)) {
            binder
                .bind(name, Bindable.listOf(String.class))
                .ifBound(v -> p.setProperty(key, String.join(",", v)));
          }
        });
  }

  /**
   * Cascade's manager-wide settings, in the form an environment variable names them (Spring's rule:
   * upper case, dots as underscores, dashes dropped: {@code CASCADE_TIMEOUT}, {@code
   * CASCADE_EVENTQUEUE}, {@code CASCADE_LOCK_LEASE}). A variable cannot name a cache's setting
   * reliably (a cache name loses its case and dashes), so {@code cascade.cache.<name>.*} is not
   * taken from variables.
   */
  static final List<String> ENVIRONMENT_KEYS =
      List.of(
          "cascade.timeout",
          "cascade.event-queue",
          "cascade.event-threads",
          "cascade.partitions",
          "cascade.near-cache",
          "cascade.statistics",
          "cascade.management",
          "cascade.shutdown-hook",
          "cascade.lock.lease",
          "cascade.lock.wait",
          "cascade.codec.name",
          "cascade.codec.strict",
          "cascade.codec.max-depth",
          "cascade.codec.max-refs",
          "cascade.codec.max-array",
          "cascade.codec.max-bytes",
          "cascade.redis.tls.truststore",
          "cascade.redis.tls.truststore-password",
          "cascade.redis.tls.keystore",
          "cascade.redis.tls.keystore-password");

  private static boolean passes(String key, Properties p) {
    return OWNED.stream().noneMatch(o -> key.equals(o) || o.endsWith(".") && key.startsWith(o))
        && !p.containsKey(key);
  }

  /**
   * The key as Cascade reads it: the elements as written (a cache name keeps its case), one in
   * brackets when it holds a dot ({@code cascade.cache[com.acme.User].partitions}).
   */
  private static String key(ConfigurationPropertyName name) {
    StringBuilder key = new StringBuilder();
    for (int i = 0; i < name.getNumberOfElements(); i++) {
      String element = name.getElement(i, Form.ORIGINAL);
      if (name.isNumericIndex(i) || element.contains(".")) {
        key.append('[').append(element).append(']');
      } else {
        key.append(key.isEmpty() ? "" : ".").append(element);
      }
    }
    return key.toString();
  }

  @Bean
  JCacheManagerCustomizer cascadeDeclaredCaches(
      CascadeProperties properties,
      Environment environment,
      ObjectProvider<CascadeCacheCustomizer> customizers,
      ConfigurableListableBeanFactory beanFactory) {
    return new DeclaredCachesCustomizer(
        properties, environment, customizers, beanFactory, instance);
  }

  /**
   * Creates the caches of {@code cascade.caches}; ordered first, so the application's own {@code
   * JCacheManagerCustomizer} beans find them.
   */
  static final class DeclaredCachesCustomizer implements JCacheManagerCustomizer, Ordered {

    private final CascadeProperties properties;
    private final Environment environment;
    private final ObjectProvider<CascadeCacheCustomizer> customizers;
    private final ConfigurableListableBeanFactory beanFactory;
    private final String instance;

    DeclaredCachesCustomizer(
        CascadeProperties properties,
        Environment environment,
        ObjectProvider<CascadeCacheCustomizer> customizers,
        ConfigurableListableBeanFactory beanFactory,
        String instance) {
      this.properties = properties;
      this.environment = environment;
      this.customizers = customizers;
      this.beanFactory = beanFactory;
      this.instance = instance;
    }

    @Override
    public void customize(javax.cache.CacheManager manager) {
      List<String> bootCacheNames =
          Binder.get(environment)
              .bind("spring.cache.cache-names", Bindable.listOf(String.class))
              .orElse(List.of());
      try {
        new CacheDeclarations(
                properties, bootCacheNames, customizers.orderedStream().toList(), beanFactory)
            .apply(manager);
      } catch (RuntimeException e) {
        // the bean never exists, so Spring will not close it: release the connection here, but
        // only of the manager this context opened (an application-defined javax.cache.CacheManager
        // bean, or one opened elsewhere, belongs to someone else)
        if (instance.equals(manager.getProperties().getProperty(INSTANCE_PROPERTY))) {
          manager.close();
        }
        throw e;
      }
    }

    @Override
    public int getOrder() {
      return Ordered.HIGHEST_PRECEDENCE;
    }
  }
}
