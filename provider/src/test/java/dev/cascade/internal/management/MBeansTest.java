package dev.cascade.internal.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * MBean names: the JCache convention the TCK looks beans up by, and no password in them. No server.
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

  @Test
  void name_uriWithoutPassword_isWhatTheTckLooksUp() throws Exception {
    for (String uri :
        new String[] {
          "redis://127.0.0.1:6379", "redis-cluster://h1:7000,h2:7001", "file:/etc/c.yaml"
        }) {
      assertEquals(
          tckName("CacheStatistics", uri, "users"),
          MBeans.name("javax.cache", "CacheStatistics", uri, "users"));
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
