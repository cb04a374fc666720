package dev.cascade.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.boot.app.GreetingsApplication;
import dev.cascade.boot.autoconfigure.CascadeCacheAutoConfiguration;
import dev.cascade.boot.autoconfigure.CascadeEnvironmentPostProcessor;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.cache.CacheMetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.cache.CacheAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Boot's own {@code cache.*} meters ({@code JCacheMetrics}, bound by {@code CacheMetricsRegistrar}
 * through the statistics MXBeans) count the reads of Cascade caches, for each form of Redis URI the
 * CacheManager can be opened with. Before the manager names of issue 12 section 4, a URI with a
 * query made Boot's context fail to start and one with a password read 0.
 */
@WithRedis
class CacheMetersTest {

  private static RedisServer redis;

  @BeforeAll
  static void open(RedisServer server) {
    redis = server;
  }

  private static ApplicationContextRunner app(String uri) {
    return new ApplicationContextRunner()
        .withInitializer(
            ctx ->
                new CascadeEnvironmentPostProcessor()
                    .postProcessEnvironment(ctx.getEnvironment(), null))
        .withConfiguration(
            AutoConfigurations.of(
                CascadeCacheAutoConfiguration.class,
                CacheAutoConfiguration.class,
                MetricsAutoConfiguration.class,
                CompositeMeterRegistryAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class,
                CacheMetricsAutoConfiguration.class))
        .withUserConfiguration(GreetingsApplication.class)
        .withPropertyValues(
            "cascade.redis.uri=" + uri,
            "spring.cache.cache-names=boot-metered",
            "cascade.caches.boot-metered-declared.ttl=1m");
  }

  @Test
  void plainUri_cacheGetsCountHitsAndMisses() {
    checkMeters(redis.uri());
  }

  @Test
  void uriWithAQuery_cacheGetsCountHitsAndMisses() {
    checkMeters(redis.uri() + "?timeout=5s");
  }

  @Test
  void uriWithAPassword_cacheGetsCountHitsAndMisses() {
    try (RedisServer secured = RedisServer.builder().password("s3cret").start()) {
      checkMeters("redis://:s3cret@127.0.0.1:" + secured.port());
    }
  }

  private static void checkMeters(String uri) {
    app(uri)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              MeterRegistry registry = ctx.getBean(MeterRegistry.class);
              CacheManager manager = ctx.getBean(CacheManager.class);
              for (String name : new String[] {"boot-metered", "boot-metered-declared"}) {
                Cache<Object, Object> cache = manager.getCache(name);
                cache.clear();
                cache.put("k", "v");
                cache.get("k");
                cache.get("absent");
                assertThat(count(registry, name, "hit")).as(name + " hits").isEqualTo(1);
                assertThat(count(registry, name, "miss")).as(name + " misses").isEqualTo(1);
                assertThat(registry.get("cache.puts").tag("name", name).functionCounter().count())
                    .as(name + " puts")
                    .isEqualTo(1);
              }
            });
  }

  private static double count(MeterRegistry registry, String cache, String result) {
    FunctionCounter c =
        registry.get("cache.gets").tags("name", cache, "result", result).functionCounter();
    return c.count();
  }
}
