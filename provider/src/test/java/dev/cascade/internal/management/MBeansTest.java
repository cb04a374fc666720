package dev.cascade.internal.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * MBean names: the JCache convention the TCK looks beans up by, Micrometer's, and no password in
 * them. No server.
 */
class MBeansTest {

  /** What the TCK computes from {@code getURI()} and the cache name to find a bean. */
  private static ObjectName tckName(String type, String uri, String cache) throws Exception {
    return new ObjectName(
        "javax.cache:type="
            + type
            + ",CacheManager="
            + uri.replaceAll(",|:|=|\n", ".")
            + ",Cache="
            + cache.replaceAll(",|:|=|\n", "."));
  }

  /** What Micrometer's {@code JCacheMetrics} computes (it throws when this is malformed). */
  private static ObjectName micrometerName(String uri, String cache) throws Exception {
    return new ObjectName(
        "javax.cache:type=CacheStatistics,CacheManager="
            + uri.replace(':', '.')
            + ",Cache="
            + cache);
  }

  @Test
  void name_ofEveryUriForm_isWhatTheTckAndMicrometerLookUp() throws Exception {
    for (String uri :
        new String[] {
          "redis://127.0.0.1:6379",
          "redis://127.0.0.1:6379/1",
          "rediss://alice:pw@h1:6380/2?timeout=2s",
          "redis-cluster://h1:7000,h2:7001",
          "redis-sentinel://:pw@h1:26379,h2:26380#mymaster",
          "classpath:cascade.yaml",
          "file:/etc/c.yaml"
        }) {
      String name = ManagerName.of(java.net.URI.create(uri)).toString();
      ObjectName registered = MBeans.name("javax.cache", "CacheStatistics", name, "users");
      assertEquals(tckName("CacheStatistics", name, "users"), registered, uri);
      assertEquals(micrometerName(name, "users"), registered, uri);
      assertFalse(registered.isPattern(), uri);
    }
  }

  @Test
  void name_uriWithPassword_holdsNoneOfIt_andIsNoPattern() {
    ObjectName name =
        MBeans.name("dev.cascade", "WriteBehind", "redis://alice:zq7%40Kx%2FWv9@h1:6379", "users");
    assertFalse(name.toString().contains("zq7"), name.toString());
    assertFalse(name.isPattern(), name.toString());
    assertEquals(
        "redis.//alice.***@h1.6379", ObjectName.unquote(name.getKeyProperty("CacheManager")));

    ObjectName raw =
        MBeans.name(
            "javax.cache", "CacheConfiguration", "redis://:zq7@Kx/Wv:9@h1:6379,h2:6380", "users");
    assertFalse(raw.toString().contains("zq7") || raw.toString().contains("Kx"), raw.toString());
    assertEquals(
        "redis.//***@h1.6379.h2.6380", ObjectName.unquote(raw.getKeyProperty("CacheManager")));
  }
}
