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
}
