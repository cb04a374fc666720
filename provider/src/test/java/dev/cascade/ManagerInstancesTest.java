package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.net.URI;
import java.util.Properties;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A second getCacheManager for an open manager's (URI, class loader): the same properties, or none,
 * find it; other properties fail instead of silently handing back a manager with other settings;
 * cascade.instance opens a manager of one's own, which closes alone.
 */
@WithRedis
class ManagerInstancesTest {

  private final CascadeCachingProvider provider = new CascadeCachingProvider();
  private final ClassLoader loader = getClass().getClassLoader();

  @AfterEach
  void closeAll() {
    provider.close();
  }

  private static Properties props(String... keyValues) {
    Properties p = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      p.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return p;
  }

  @Test
  void otherProperties_failNamingTheSetting_sameOrNoneFindTheManager(RedisServer redis) {
    URI uri = URI.create(redis.uri());
    CacheManager first =
        provider.getCacheManager(
            uri, loader, props("cascade.timeout", "3s", "cascade.event-queue", "1000"));

    CacheException e =
        assertThrows(
            CacheException.class,
            () ->
                provider.getCacheManager(
                    uri, loader, props("cascade.timeout", "5s", "cascade.event-queue", "1000")));
    assertTrue(e.getMessage().contains("cascade.timeout"), e.getMessage());
    assertFalse(e.getMessage().contains("cascade.event-queue"), e.getMessage());

    assertSame(
        first,
        provider.getCacheManager(
            uri, loader, props("cascade.timeout", "3s", "cascade.event-queue", "1000")));
    assertSame(first, provider.getCacheManager(uri, loader));
  }

  @Test
  void anInstance_getsAManagerOfItsOwn_thatClosesAlone(RedisServer redis) {
    URI uri = URI.create(redis.uri());
    CacheManager plain = provider.getCacheManager(uri, loader);
    CacheManager a = provider.getCacheManager(uri, loader, props("cascade.instance", "a"));
    CacheManager b = provider.getCacheManager(uri, loader, props("cascade.instance", "b"));
    assertNotSame(plain, a);
    assertNotSame(a, b);
    assertSame(a, provider.getCacheManager(uri, loader, props("cascade.instance", "a")));

    a.close();
    assertFalse(b.isClosed());
    assertFalse(plain.isClosed());
    CacheManager again = provider.getCacheManager(uri, loader, props("cascade.instance", "a"));
    assertNotSame(a, again);
    assertFalse(again.isClosed());
  }

  /**
   * Instances of one URI name their caches' MBeans alike (the last registered wins): closing one
   * instance's cache must not take away the other's, which it once did by name.
   */
  @Test
  void closingOneInstancesCache_leavesTheOthersMBeans(RedisServer redis) throws Exception {
    URI uri = URI.create(redis.uri());
    CacheManager a = provider.getCacheManager(uri, loader, props("cascade.instance", "a"));
    CacheManager b = provider.getCacheManager(uri, loader, props("cascade.instance", "b"));
    String name = Managers.uniqueName("mbeans");
    javax.cache.configuration.MutableConfiguration<String, String> config =
        new javax.cache.configuration.MutableConfiguration<String, String>()
            .setTypes(String.class, String.class)
            .setStatisticsEnabled(true)
            .setManagementEnabled(true);
    a.createCache(name, config);
    b.getCache(name, String.class, String.class); // joined: registered after a's
    b.enableStatistics(name, true);
    b.enableManagement(name, true);
    javax.management.MBeanServer server =
        java.lang.management.ManagementFactory.getPlatformMBeanServer();
    javax.management.ObjectName statistics =
        new javax.management.ObjectName(
            "javax.cache:type=CacheStatistics,CacheManager="
                + b.getURI().toString().replace(":", ".")
                + ",Cache="
                + name);
    assertTrue(server.isRegistered(statistics), statistics.toString());

    a.getCache(name).close();

    assertTrue(server.isRegistered(statistics), "b's statistics MBean is still there");
    b.getCache(name).close();
    assertFalse(server.isRegistered(statistics), "gone with the last one");
  }

  /** Settings in a Properties' defaults count as the caller sees them (getProperty). */
  @Test
  void propertiesWithDefaults_areReadWithTheirDefaults(RedisServer redis) {
    URI uri = URI.create(redis.uri());
    Properties asked = new Properties(props("cascade.timeout", "3s"));
    CacheManager manager = provider.getCacheManager(uri, loader, asked);

    assertTrue("3s".equals(manager.getProperties().getProperty("cascade.timeout")));
    assertSame(manager, provider.getCacheManager(uri, loader, asked), "the same properties");
  }
}
