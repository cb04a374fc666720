package dev.cascade.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCacheManager;
import dev.cascade.boot.app.ClosingWriter;
import dev.cascade.boot.app.Greeting;
import dev.cascade.boot.app.Greetings;
import dev.cascade.boot.app.GreetingsApplication;
import dev.cascade.boot.app.GreetingsApplication.MapWriter;
import dev.cascade.boot.autoconfigure.CascadeCacheAutoConfiguration;
import dev.cascade.boot.autoconfigure.CascadeCacheCustomizer;
import dev.cascade.boot.autoconfigure.CascadeEnvironmentPostProcessor;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.cache.CacheAutoConfiguration;
import org.springframework.boot.autoconfigure.cache.JCacheManagerCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.jcache.JCacheCacheManager;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The starter inside Boot's own cache auto-configuration, against a private redis-server: which
 * Redis, which caches with which settings, the application's classes deserialized without a
 * setting, and clear errors for settings that cannot work.
 */
@WithRedis
class CascadeCacheAutoConfigurationTest {

  private static RedisServer redis;

  @BeforeAll
  static void open(RedisServer server) {
    redis = server;
  }

  /** The application's context, as Boot builds it (the post-processor included). */
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

  @Test
  void cascadeRedisUri_bootOpensCascadeOnIt_andClosesItWithTheContext() {
    List<CacheManager> opened = new ArrayList<>();
    app("cascade.redis.uri=" + redis.uri())
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              CacheManager manager = ctx.getBean(CacheManager.class);
              opened.add(manager);
              assertThat(manager).isInstanceOf(CascadeCacheManager.class);
              assertThat(manager.getURI().toString()).isEqualTo(redis.uri());
              assertThat(ctx.getBean(org.springframework.cache.CacheManager.class))
                  .isInstanceOf(JCacheCacheManager.class);
            });
    assertThat(opened.get(0).isClosed()).isTrue();
  }

  /**
   * The context closes Boot's manager (after requests in flight, before the DataSource): Cascade's
   * JVM shutdown hook must leave it alone, or at SIGTERM it closes the manager under the requests
   * and drains while Spring closes the DataSource.
   */
  @Test
  void bootsManager_optsOutOfCascadesShutdownHook_unlessTheApplicationSaysOtherwise() {
    app("cascade.redis.uri=" + redis.uri())
        .run(
            ctx ->
                assertThat(ctx.getBean(CacheManager.class).getProperties())
                    .containsEntry("cascade.shutdown-hook", "false"));
    app("cascade.redis.uri=" + redis.uri(), "cascade.shutdown-hook=true")
        .run(
            ctx ->
                assertThat(ctx.getBean(CacheManager.class).getProperties())
                    .containsEntry("cascade.shutdown-hook", "true"));
  }

  @Test
  void cascadesOwnManagerSettings_passThrough_andTheStartersStayOut() {
    app(
            "cascade.redis.uri=" + redis.uri(),
            "cascade.timeout=3s",
            "cascade.statistics=true",
            "cascade.cache.boot-plain.partitions=4",
            "cascade.health.timeout=2s",
            "cascade.caches.boot-passed.ttl=1m")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              java.util.Properties p = ctx.getBean(CacheManager.class).getProperties();
              assertThat(p)
                  .containsEntry("cascade.timeout", "3s")
                  .containsEntry("cascade.statistics", "true")
                  .containsEntry("cascade.cache.boot-plain.partitions", "4")
                  .containsEntry("cascade.redis.uri", redis.uri())
                  .doesNotContainKeys("cascade.health.timeout", "cascade.caches.boot-passed.ttl");
              assertThat(p.getProperty("cascade.codec.application-packages"))
                  .isEqualTo("dev.cascade.boot.app");
              assertThat(p).doesNotContainKey("cascade.codec.allow");
            });
  }

  /**
   * cascade.statistics=true also reaches the CacheManager, whose manager-wide default switched on
   * the statistics of a cache declared with statistics: false.
   */
  @Test
  void perCacheStatisticsFalse_winsOverCascadeStatisticsTrue() {
    app(
            "cascade.redis.uri=" + redis.uri(),
            "cascade.statistics=true",
            "cascade.caches.boot-stats-off.ttl=1m",
            "cascade.caches.boot-stats-off.statistics=false",
            "cascade.caches.boot-stats-on.ttl=1m")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              CacheManager manager = ctx.getBean(CacheManager.class);
              assertThat(statisticsOf(manager, "boot-stats-off")).isFalse();
              assertThat(statisticsOf(manager, "boot-stats-on")).isTrue();
            });
  }

  private static boolean statisticsOf(CacheManager manager, String cache) {
    return manager
        .getCache(cache)
        .getConfiguration(CompleteConfiguration.class)
        .isStatisticsEnabled();
  }

  /**
   * Only keys literally starting with "cascade." used to pass: an environment variable's form and a
   * list's [0], [1] entries were dropped without a word.
   */
  @Test
  void environmentVariablesAndListEntries_passThroughToo() {
    app(
            "cascade.redis.uri=" + redis.uri(),
            "cascade.cache.boot-list.codec.allow[0]=com.acme.a.*",
            "cascade.cache.boot-list.codec.allow[1]=com.acme.b.*",
            "cascade.cache.BootUpper.partitions=4")
        .withInitializer(
            ctx ->
                ctx.getEnvironment()
                    .getPropertySources()
                    .addFirst(
                        new SystemEnvironmentPropertySource(
                            "test-systemEnvironment",
                            java.util.Map.of(
                                "CASCADE_TIMEOUT",
                                "5s",
                                "CASCADE_EVENTQUEUE",
                                "5000",
                                "CASCADE_HEALTH_TIMEOUT",
                                "2s",
                                "CASCADE_HOME",
                                "/opt/cascade"))))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              java.util.Properties p = ctx.getBean(CacheManager.class).getProperties();
              assertThat(p)
                  .containsEntry("cascade.timeout", "5s")
                  .containsEntry("cascade.event-queue", "5000")
                  .containsEntry("cascade.cache.boot-list.codec.allow", "com.acme.a.*,com.acme.b.*")
                  .containsEntry("cascade.cache.BootUpper.partitions", "4")
                  .doesNotContainKeys("cascade.health.timeout", "cascade.home");
            });
  }

  @Test
  void cacheableOnTheApplicationsOwnClass_isReadBackFromRedisWithoutSettings() {
    app("cascade.redis.uri=" + redis.uri(), "spring.cache.cache-names=boot-greetings")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              Greetings greetings = ctx.getBean(Greetings.class);
              ctx.getBean(CacheManager.class).getCache("boot-greetings").clear();
              Greeting first = greetings.greet("ada");
              Greeting second = greetings.greet("ada"); // read from Redis: deserialized
              assertThat(second).isEqualTo(first);
              assertThat(greetings.calls()).isEqualTo(1);
            });
  }

  /** Guards the test above: it fails only because the application's packages are allowed. */
  @Test
  void cacheableOnTheApplicationsOwnClass_withoutTheApplicationPackages_isRefused() {
    app(
            "cascade.redis.uri=" + redis.uri(),
            "spring.cache.cache-names=boot-greetings",
            "cascade.codec.allow-application-packages=false")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              Greetings greetings = ctx.getBean(Greetings.class);
              ctx.getBean(CacheManager.class).getCache("boot-greetings").clear();
              greetings.greet("bob");
              Throwable refused = catchFailure(() -> greetings.greet("bob"));
              assertThat(refused).isNotNull();
              assertThat(messages(refused))
                  .contains("Refusing to deserialize class " + Greeting.class.getName());
            });
  }

  /** cascade.codec.strict (passed through) turns the application's packages off. */
  @Test
  void cacheableOnTheApplicationsOwnClass_strictMode_isRefused() {
    app(
            "cascade.redis.uri=" + redis.uri(),
            "spring.cache.cache-names=boot-greetings",
            "cascade.codec.strict=true")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              Greetings greetings = ctx.getBean(Greetings.class);
              ctx.getBean(CacheManager.class).getCache("boot-greetings").clear();
              greetings.greet("eve");
              Throwable refused = catchFailure(() -> greetings.greet("eve"));
              assertThat(messages(refused))
                  .contains("Refusing to deserialize class " + Greeting.class.getName());
            });
  }

  @Test
  void cascadeCaches_areCreatedWithTheirSettings_andBootsCachesGetStatistics() {
    List<String> customized = new ArrayList<>();
    List<String> seenByBootCustomizer = new ArrayList<>();
    app(
            "cascade.redis.uri=" + redis.uri(),
            "spring.cache.cache-names=boot-plain",
            "cascade.caches.boot-ttl.key-type=String",
            "cascade.caches.boot-ttl.value-type=java.lang.Long",
            "cascade.caches.boot-json.key-type=Long",
            "cascade.caches.boot-json.value-type=" + Greeting.class.getName(),
            "cascade.caches.boot-json.codec.name=json",
            "cascade.caches.boot-json.expiry=eternal",
            "cascade.caches.boot-ttl.ttl=10m",
            "cascade.caches.boot-ttl.partitions=4",
            "cascade.caches.boot-nostats.statistics=false")
        .withBean(
            "recordingCustomizer",
            CascadeCacheCustomizer.class,
            () -> (name, configuration) -> customized.add(name))
        .withBean(
            "applicationsManagerCustomizer",
            JCacheManagerCustomizer.class,
            () -> manager -> manager.getCacheNames().forEach(n -> seenByBootCustomizer.add(n)))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              CacheManager manager = ctx.getBean(CacheManager.class);
              Cache<String, Long> ttl = manager.getCache("boot-ttl", String.class, Long.class);
              @SuppressWarnings("unchecked")
              CompleteConfiguration<String, Long> c =
                  ttl.getConfiguration(CompleteConfiguration.class);
              ExpiryPolicy expiry = c.getExpiryPolicyFactory().create();
              assertThat(expiry).isInstanceOf(CreatedExpiryPolicy.class);
              assertThat(expiry.getExpiryForCreation().getDurationAmount()).isEqualTo(600_000);
              assertThat(c.isStatisticsEnabled()).isTrue();
              ttl.put("k", 1L);
              long pttl = (Long) redis.command("PTTL", firstKey("boot-ttl"));
              assertThat(pttl).isBetween(500_000L, 600_000L);
              assertThat(
                      manager
                          .getCache("boot-nostats")
                          .getConfiguration(CompleteConfiguration.class)
                          .isStatisticsEnabled())
                  .isFalse();
              assertThat(
                      manager
                          .getCache("boot-plain")
                          .getConfiguration(CompleteConfiguration.class)
                          .isStatisticsEnabled())
                  .isTrue();
              assertThat(customized).containsExactly("boot-ttl", "boot-json", "boot-nostats");
              // the application's JCacheManagerCustomizer runs after the starter's
              assertThat(seenByBootCustomizer)
                  .contains("boot-plain", "boot-ttl", "boot-json", "boot-nostats");
              Cache<Long, Greeting> json =
                  manager.getCache("boot-json", Long.class, Greeting.class);
              json.put(1L, new Greeting("ada", 1));
              assertThat(json.get(1L)).isEqualTo(new Greeting("ada", 1));
              assertThat(redis.command("HGET", firstKey("boot-json"), "v"))
                  .isEqualTo("{\"name\":\"ada\",\"serial\":1}");
              json.clear();
              ttl.clear();
            });
  }

  @Test
  void writeBehind_withTheWriterBeanNamed_reachesTheWriter() {
    app(
            "cascade.redis.uri=" + redis.uri(),
            "cascade.caches.boot-wb.writer=mapWriter",
            "cascade.caches.boot-wb.write-behind.max-delay=50ms",
            "cascade.caches.boot-wb.write-behind.flush-threads=1")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              Cache<Object, Object> cache = ctx.getBean(CacheManager.class).getCache("boot-wb");
              assertThat(cache.unwrap(CascadeCache.class).writeBehind()).isNotNull();
              cache.put("k", "v");
              MapWriter writer = ctx.getBean(MapWriter.class);
              await().atMost(Duration.ofSeconds(20)).until(() -> "v".equals(writer.rows.get("k")));
            });
  }

  @Test
  void aWriterBeanOfTwoCaches_staysOpenWhenOneCloses_andSpringClosesIt() {
    List<ClosingWriter> bean = new ArrayList<>();
    app(
            "cascade.redis.uri=" + redis.uri(),
            "cascade.caches.boot-shared-a.writer=closingWriter",
            "cascade.caches.boot-shared-b.writer=closingWriter")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              ClosingWriter writer = ctx.getBean("closingWriter", ClosingWriter.class);
              bean.add(writer);
              CacheManager manager = ctx.getBean(CacheManager.class);
              manager.getCache("boot-shared-a").close();

              manager.getCache("boot-shared-b").put("k", "v");
              assertThat(writer.closed).as("closed by the first cache to close").isFalse();
              assertThat(writer.rows).containsEntry("k", "v");
            });
    assertThat(bean.get(0).closed).as("closed by Spring, with the context").isTrue();
  }

  @Test
  void aWriterClass_givesEachOpeningOfTheCacheAnInstanceOfItsOwn() {
    eachOpeningHasAWriterOfItsOwn("boot-own-class", ClosingWriter.class.getName());
  }

  @Test
  void aPrototypeWriterBean_givesEachOpeningOfTheCacheAnInstanceOfItsOwn() {
    eachOpeningHasAWriterOfItsOwn("boot-own-prototype", "prototypeWriter");
  }

  private static void eachOpeningHasAWriterOfItsOwn(String cache, String writerSetting) {
    app("cascade.redis.uri=" + redis.uri(), "cascade.caches." + cache + ".writer=" + writerSetting)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              CacheManager manager = ctx.getBean(CacheManager.class);
              Cache<Object, Object> first = manager.getCache(cache);
              first.put(cache + "-a", "1");
              ClosingWriter firstWriter = writerHolding(cache + "-a");
              first.close();
              assertThat(firstWriter.closed).as("the cache closes the writer it owns").isTrue();

              manager.getCache(cache).put(cache + "-b", "2");
              ClosingWriter secondWriter = writerHolding(cache + "-b");
              assertThat(secondWriter).isNotSameAs(firstWriter);
              assertThat(secondWriter.closed).isFalse();
            });
  }

  private static ClosingWriter writerHolding(Object key) {
    return ClosingWriter.MADE.stream()
        .filter(w -> w.rows.containsKey(key))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no ClosingWriter wrote " + key));
  }

  @Test
  void springDataRedisSettings_areUsedWhenCascadeHasNone() {
    try (RedisServer secured = RedisServer.builder().password("p@ss word").start()) {
      app(
              "spring.data.redis.host=127.0.0.1",
              "spring.data.redis.port=" + secured.port(),
              "spring.data.redis.password=p@ss word",
              "spring.data.redis.database=2",
              "spring.data.redis.timeout=4s")
          .run(
              ctx -> {
                assertThat(ctx).hasNotFailed();
                CacheManager manager = ctx.getBean(CacheManager.class);
                // what the starter hands to the CacheManager (its getURI() is a name, which may
                // leave the password out)
                assertThat(manager.getProperties())
                    .containsEntry(
                        "cascade.redis.uri",
                        "redis://:p%40ss%20word@127.0.0.1:" + secured.port() + "/2");
                assertThat(manager.getURI().toString()).contains(":" + secured.port() + "/2");
                assertThat(manager.getProperties()).containsEntry("cascade.timeout", "4000ms");
                Cache<Object, Object> cache =
                    manager.createCache(
                        "boot-secured", new javax.cache.configuration.MutableConfiguration<>());
                cache.put("k", "v");
                assertThat(cache.get("k")).isEqualTo("v");
              });
    }
  }

  @Test
  void cascadeConfig_becomesBootsJCacheConfig() {
    app("cascade.redis.uri=" + redis.uri(), "cascade.config=classpath:boot-test-cascade.properties")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              CacheManager manager = ctx.getBean(CacheManager.class);
              assertThat(manager.getURI().toString()).endsWith("boot-test-cascade.properties");
              assertThat(manager.getURI().getScheme()).isEqualTo("file");
            });
  }

  @Test
  void cascadeConfigYaml_itsDeclaredCachesAreSpringCaches() {
    app(
            "cascade.redis.uri=" + redis.uri(),
            "cascade.config=classpath:boot-test-cascade.yaml",
            "cascade.codec.allow=com.acme.yml.*")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              Cache<String, String> declared =
                  ctx.getBean(CacheManager.class)
                      .getCache("boot-file-declared", String.class, String.class);
              @SuppressWarnings("unchecked")
              CompleteConfiguration<String, String> c =
                  declared.getConfiguration(CompleteConfiguration.class);
              assertThat(
                      c.getExpiryPolicyFactory()
                          .create()
                          .getExpiryForCreation()
                          .getDurationAmount())
                  .isEqualTo(120_000); // 2m, in ms
              org.springframework.cache.Cache spring =
                  ctx.getBean(org.springframework.cache.CacheManager.class)
                      .getCache("boot-file-declared");
              spring.put("k", "v");
              assertThat(spring.get("k", String.class)).isEqualTo("v");
              declared.clear();
              // the file's allow-list is kept beside the application's packages
              assertThat(ctx.getBean(CacheManager.class).getProperties())
                  .containsEntry(
                      "cascade.codec.allow",
                      "com.acme.fromfile.**;com.acme.other.Type;com.acme.yml.*")
                  .containsEntry(
                      "cascade.codec.application-packages",
                      "com.acme.fromfile,dev.cascade.boot.app");
            });
  }

  @Test
  void writeBehindWithoutAWriter_failsNamingTheKey() {
    app("cascade.redis.uri=" + redis.uri(), "cascade.caches.boot-bad.write-behind.batch-size=10")
        .run(
            ctx ->
                assertThat(messages(ctx.getStartupFailure()))
                    .contains("cascade.caches.boot-bad.write-behind needs a writer"));
  }

  @Test
  void partitionsOrNearCacheOutOfRange_failNamingTheKeyAndValue() {
    app("cascade.redis.uri=" + redis.uri(), "cascade.caches.boot-bad.partitions=0")
        .run(
            ctx ->
                assertThat(messages(ctx.getStartupFailure()))
                    .contains(
                        "cascade.caches.boot-bad.partitions: partitions must be between 1 and 16384, not 0"));
    app("cascade.redis.uri=" + redis.uri(), "cascade.caches.boot-bad.near-cache=-1")
        .run(
            ctx ->
                assertThat(messages(ctx.getStartupFailure()))
                    .contains("cascade.caches.boot-bad.near-cache: ")
                    .contains("not -1"));
  }

  @Test
  void twoExpiries_failNamingBoth() {
    app(
            "cascade.redis.uri=" + redis.uri(),
            "cascade.caches.boot-bad.ttl=1m",
            "cascade.caches.boot-bad.expiry.accessed=1m")
        .run(
            ctx ->
                assertThat(messages(ctx.getStartupFailure()))
                    .contains("cascade.caches.boot-bad.{ttl, expiry.accessed}"));
  }

  @Test
  void unknownLoader_failsNamingIt() {
    app("cascade.redis.uri=" + redis.uri(), "cascade.caches.boot-bad.loader=noSuchLoader")
        .run(
            ctx ->
                assertThat(messages(ctx.getStartupFailure()))
                    .contains(
                        "cascade.caches.boot-bad.loader: there is no bean named 'noSuchLoader' and no class of that name"));
  }

  @Test
  void aCacheInBothPlaces_failsSayingWhere() {
    app(
            "cascade.redis.uri=" + redis.uri(),
            "spring.cache.cache-names=boot-twice",
            "cascade.caches.boot-twice.ttl=1m")
        .run(
            ctx ->
                assertThat(messages(ctx.getStartupFailure()))
                    .contains(
                        "'boot-twice' is listed in spring.cache.cache-names and configured under cascade.caches.boot-twice"));
  }

  private static String firstKey(String cache) {
    Object keys = redis.command("KEYS", "cascade:" + cache + ":{*");
    return String.valueOf(((List<?>) keys).get(0));
  }

  private static Throwable catchFailure(Runnable r) {
    try {
      r.run();
      return null;
    } catch (Throwable t) {
      return t;
    }
  }

  private static String messages(Throwable t) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      all.append(c.getMessage()).append('\n');
    }
    return all.toString();
  }
}
