package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisCluster;
import dev.cascade.testing.RedisSentinelGroup;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestCertificates;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.cache.JCacheMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Micrometer's own {@link JCacheMetrics}, what Spring Boot Actuator binds for every JCache cache,
 * finds each Cascade cache's statistics for every form of CacheManager URI: it computes the
 * statistics MBean's name from {@code getURI()} (only {@code :} replaced), so before manager names
 * it threw at bind for cluster and Sentinel URIs (commas) and for {@code ?timeout=} ({@code =}),
 * and read 0 forever for a URI with a password. No MBean name holds the password.
 */
@Timeout(180)
class JCacheMetricsTest {

  /** Characters that mean something in a URI, percent-encoded in it. */
  static final String PASSWORD = "mq4Vt@Zr8/Kp:Lw2%";

  private static RedisServer plain;
  private static RedisServer tls;
  private static TestCertificates certs;

  @BeforeAll
  static void start() {
    plain = RedisServer.builder().password(PASSWORD).start();
    certs = TestCertificates.shared();
    tls = RedisServer.builder().tls(certs, false).password(PASSWORD).start();
  }

  @AfterAll
  static void stop() {
    plain.close();
    tls.close();
  }

  private static String encodedPassword() {
    return URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "redis://:PW@127.0.0.1:PORT",
        "redis://default:PW@127.0.0.1:PORT/1",
        "redis://:PW@127.0.0.1:PORT?timeout=2s",
        "redis://default:PW@127.0.0.1:PORT/2?timeout=2s&clientName=metrics"
      })
  void jcacheMetrics_standaloneWithPassword_countsGetsAndPuts(String form) {
    String uri = form.replace("PW", encodedPassword()).replace("PORT", "" + plain.port());
    CascadeCachingProvider provider = new CascadeCachingProvider();
    CacheManager manager = provider.getCacheManager(URI.create(uri), loader());
    try {
      assertMetersMove(manager);
      // the name finds the manager again, in this provider and in another of this JVM
      assertSame(manager, provider.getCacheManager(manager.getURI(), loader()));
      CacheManager again = new CascadeCachingProvider().getCacheManager(manager.getURI(), loader());
      try {
        assertEquals(manager.getURI(), again.getURI());
      } finally {
        again.close();
      }
    } finally {
      manager.close();
    }
  }

  @Test
  void managerName_closesTheManager_andReopensItWithThePassword() {
    URI uri = URI.create("redis://:" + encodedPassword() + "@127.0.0.1:" + plain.port() + "/3");
    CascadeCachingProvider provider = new CascadeCachingProvider();
    CacheManager first = provider.getCacheManager(uri, loader());
    URI name = first.getURI();
    assertEquals("redis://127.0.0.1:" + plain.port() + "/3", name.toString());

    provider.close(name, loader());
    assertTrue(first.isClosed());

    // the name alone (no password in it) opens a working manager again, in any provider
    CacheManager again = new CascadeCachingProvider().getCacheManager(name, loader());
    try {
      assertEquals(name, again.getURI());
      assertMetersMove(again);
    } finally {
      again.close();
    }
  }

  @Test
  void jcacheMetrics_tlsWithPassword_countsGetsAndPuts() {
    String uri = "rediss://:" + encodedPassword() + "@127.0.0.1:" + tls.port() + "?timeout=5s";
    Properties trust = new Properties();
    trust.setProperty("cascade.redis.tls.truststore", certs.truststore().toString());
    trust.setProperty("cascade.redis.tls.truststore-password", certs.password());
    CacheManager manager =
        new CascadeCachingProvider().getCacheManager(URI.create(uri), loader(), trust);
    try {
      assertMetersMove(manager);
    } finally {
      manager.close();
    }
  }

  @Test
  void jcacheMetrics_fileUriNamingAUriWithPassword_countsGetsAndPuts(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("cascade.properties");
    Files.writeString(
        file,
        "cascade.redis.uri = redis://:" + encodedPassword() + "@127.0.0.1:" + plain.port() + "\n");
    CacheManager manager = new CascadeCachingProvider().getCacheManager(file.toUri(), loader());
    try {
      assertEquals(file.toUri(), manager.getURI());
      assertMetersMove(manager);
    } finally {
      manager.close();
    }
  }

  @Test
  void jcacheMetrics_statisticsSwitchedOnInTheConfigurationFile_countsForThatCacheOnly(
      @TempDir Path dir) throws IOException {
    // what a framework does: caches made from a default configuration, statistics off
    String name = Managers.uniqueName("filestats");
    Path file = dir.resolve("cascade.properties");
    Files.writeString(
        file,
        "cascade.redis.uri = redis://:"
            + encodedPassword()
            + "@127.0.0.1:"
            + plain.port()
            + "\ncascade.cache."
            + name
            + ".statistics = true\n");
    CacheManager manager = new CascadeCachingProvider().getCacheManager(file.toUri(), loader());
    try {
      Cache<String, String> cache =
          manager.createCache(
              name,
              new MutableConfiguration<String, String>().setTypes(String.class, String.class));
      Cache<String, String> other =
          manager.createCache(
              name + "-other",
              new MutableConfiguration<String, String>().setTypes(String.class, String.class));
      assertTrue(cache.getConfiguration(CompleteConfiguration.class).isStatisticsEnabled());
      assertFalse(other.getConfiguration(CompleteConfiguration.class).isStatisticsEnabled());

      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      new JCacheMetrics<>(cache, Tags.empty()).bindTo(registry);
      cache.put("k", "v");
      cache.get("k");
      assertEquals(1.0, registry.get("cache.puts").tag("cache", name).functionCounter().count());
      assertEquals(1.0, count(registry, "cache.gets", "hit"));
    } finally {
      manager.close();
    }
  }

  @Test
  void jcacheMetrics_classpathUri_countsGetsAndPuts() {
    Properties redis = new Properties();
    redis.setProperty(
        "cascade.redis.uri", "redis://:" + encodedPassword() + "@127.0.0.1:" + plain.port());
    URI uri = URI.create("classpath:dev/cascade/jcache-metrics.properties");
    CacheManager manager = new CascadeCachingProvider().getCacheManager(uri, loader(), redis);
    try {
      assertEquals(uri, manager.getURI());
      assertMetersMove(manager);
    } finally {
      manager.close();
    }
  }

  @Test
  void jcacheMetrics_cluster_countsGetsAndPuts() {
    try (RedisCluster cluster = RedisCluster.builder().masters(3).replicasPerMaster(0).start()) {
      CacheManager manager =
          new CascadeCachingProvider()
              .getCacheManager(URI.create(cluster.seedUri() + "?timeout=5s"), loader());
      try {
        assertMetersMove(manager);
      } finally {
        manager.close();
      }
    }
  }

  @Test
  void jcacheMetrics_sentinel_countsGetsAndPuts() {
    try (RedisSentinelGroup group = RedisSentinelGroup.start()) {
      CacheManager manager =
          new CascadeCachingProvider().getCacheManager(URI.create(group.sentinelUri()), loader());
      try {
        assertMetersMove(manager);
      } finally {
        manager.close();
      }
    }
  }

  /**
   * Binds {@link JCacheMetrics} as Actuator does, then: a miss, a put, two hits, a removal; and no
   * ObjectName or manager name holds the password.
   */
  private static void assertMetersMove(CacheManager manager) {
    String name = Managers.uniqueName("metrics");
    Cache<String, String> cache =
        manager.createCache(
            name,
            new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class)
                .setStatisticsEnabled(true));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new JCacheMetrics<>(cache, Tags.of("cache.manager", "test")).bindTo(registry);

    cache.get("k");
    cache.put("k", "v");
    cache.get("k");
    cache.get("k");
    cache.remove("k");

    String where = manager.getURI().toString();
    assertEquals(2.0, count(registry, "cache.gets", "hit"), where);
    assertEquals(1.0, count(registry, "cache.gets", "miss"), where);
    assertEquals(1.0, registry.get("cache.puts").tag("cache", name).functionCounter().count());
    assertEquals(1.0, registry.get("cache.removals").tag("cache", name).functionCounter().count());

    assertNoPassword(manager.getURI().toString());
    for (ObjectName bean : ManagementFactory.getPlatformMBeanServer().queryNames(null, null)) {
      assertNoPassword(bean.toString());
    }
    manager.destroyCache(name);
  }

  private static double count(SimpleMeterRegistry registry, String meter, String result) {
    return registry.get(meter).tag("result", result).functionCounter().count();
  }

  private static void assertNoPassword(String text) {
    for (String piece : new String[] {"mq4Vt", "Zr8/Kp", "Zr8%2FKp", "Kp:Lw2", "Kp%3ALw2"}) {
      assertFalse(text.contains(piece), text);
    }
  }

  private static ClassLoader loader() {
    return JCacheMetricsTest.class.getClassLoader();
  }
}
