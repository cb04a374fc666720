package dev.cascade.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.boot.app.GreetingsApplication;
import dev.cascade.boot.autoconfigure.CascadeCacheAutoConfiguration;
import dev.cascade.boot.autoconfigure.CascadeEnvironmentPostProcessor;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.cache.CacheAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Two application contexts alive in one JVM at once, as Spring's test-context cache keeps them:
 * each has its own CacheManager, with its own settings, that only it closes. The provider keeps one
 * manager per (URI, class loader) and Boot gives every context the same class loader, so before
 * cascade.instance the second context got the first one's manager.
 */
@WithRedis
class TwoContextsTest {

  private static RedisServer redis;

  @BeforeAll
  static void open(RedisServer server) {
    redis = server;
  }

  private static ApplicationContextRunner app(String... properties) {
    return new ApplicationContextRunner()
        .withInitializer(
            ctx ->
                new CascadeEnvironmentPostProcessor()
                    .postProcessEnvironment(ctx.getEnvironment(), null))
        .withConfiguration(
            AutoConfigurations.of(
                CascadeCacheAutoConfiguration.class, CacheAutoConfiguration.class))
        .withUserConfiguration(GreetingsApplication.class)
        .withPropertyValues(properties);
  }

  /**
   * Shared, the second context's createCache of the declared cache failed "already exists", and its
   * clean-up closed the manager the first context was still using.
   */
  @Test
  void sameSettings_bothStart_andClosingOneLeavesTheOtherWorking() {
    String[] settings = {
      "cascade.redis.uri=" + redis.uri(), "cascade.caches.boot-two-items.ttl=1m"
    };
    app(settings)
        .run(
            first -> {
              assertThat(first).hasNotFailed();
              CacheManager firstManager = first.getBean(CacheManager.class);
              app(settings)
                  .run(
                      second -> {
                        assertThat(second).hasNotFailed();
                        assertThat(second.getBean(CacheManager.class)).isNotSameAs(firstManager);
                      });
              assertThat(firstManager.isClosed()).isFalse();
              Cache<Object, Object> items = firstManager.getCache("boot-two-items");
              items.put("k", "v");
              assertThat(items.get("k")).isEqualTo("v");
            });
  }

  /** A context that fails to start closes only what it opened. */
  @Test
  void aSecondContextThatFails_leavesTheFirstOnesManagerOpen() {
    app("cascade.redis.uri=" + redis.uri(), "cascade.caches.boot-two-ok.ttl=1m")
        .run(
            first -> {
              assertThat(first).hasNotFailed();
              CacheManager firstManager = first.getBean(CacheManager.class);
              app(
                      "cascade.redis.uri=" + redis.uri(),
                      "cascade.caches.boot-two-ok.ttl=1m",
                      "cascade.caches.boot-two-bad.key-type=com.acme.NoSuchType")
                  .run(second -> assertThat(second).hasFailed());
              assertThat(firstManager.isClosed()).isFalse();
            });
  }

  /**
   * With cascade.config the manager's URI is the file, the same for both contexts: shared, the
   * second one's cascade.redis.uri was ignored and it wrote to the first one's Redis.
   */
  @Test
  void cascadeConfig_eachContextTalksToItsOwnRedis() {
    try (RedisServer other = RedisServer.start()) {
      String config = "cascade.config=classpath:boot-test-cascade.yaml";
      app("cascade.redis.uri=" + redis.uri(), config)
          .run(
              first ->
                  app("cascade.redis.uri=" + other.uri(), config)
                      .run(
                          second -> {
                            assertThat(first).hasNotFailed();
                            assertThat(second).hasNotFailed();
                            CacheManager m1 = first.getBean(CacheManager.class);
                            CacheManager m2 = second.getBean(CacheManager.class);
                            assertThat(m2.getProperties().getProperty("cascade.redis.uri"))
                                .isEqualTo(other.uri());
                            Cache<String, String> c1 =
                                m1.getCache("boot-file-declared", String.class, String.class);
                            Cache<String, String> c2 =
                                m2.getCache("boot-file-declared", String.class, String.class);
                            c1.clear();
                            c2.put("only-in-other", "v");
                            assertThat(c1.get("only-in-other")).isNull();
                            assertThat(c2.get("only-in-other")).isEqualTo("v");
                          }));
    }
  }
}
