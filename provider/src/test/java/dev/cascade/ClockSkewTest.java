package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.ChildJvm;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * JVMs whose clocks are ten minutes off Redis's, sharing a cache whose entries live five minutes.
 * Expiry was judged by each JVM's own clock while Redis enforced the native TTL by its own: a JVM
 * behind created entries Redis deleted at once, and a JVM ahead deleted the others' live entries as
 * expired. Both now judge by Redis's clock ({@code TIME}).
 */
@WithRedis
@Timeout(120)
class ClockSkewTest {

  private static final long TEN_MINUTES = 600;

  private static MutableConfiguration<String, String> fiveMinutes() {
    return new MutableConfiguration<String, String>()
        .setTypes(String.class, String.class)
        .setExpiryPolicyFactory(
            CreatedExpiryPolicy.factoryOf(new javax.cache.expiry.Duration(TimeUnit.MINUTES, 5)));
  }

  @Test
  void jvmsBehindAndAheadOfRedis_keepEntriesForTheirWholeLife(RedisServer redis) throws Exception {
    CacheManager manager = Managers.open(redis);
    String name = Managers.uniqueName("skew");
    try {
      Cache<String, String> cache = manager.createCache(name, fiveMinutes());
      cache.put("here", "v");

      // behind: its put must not expire at once
      try (ChildJvm behind = child(redis, name, -TEN_MINUTES, "put")) {
        behind.awaitOutputLine("DONE", Duration.ofSeconds(60));
      }
      assertEquals("v", cache.get("there"), "the entry put by the JVM behind Redis");
      long ttl = Long.parseLong(redis.command("PTTL", entryKey(name, "there")).toString());
      assertTrue(ttl > TimeUnit.MINUTES.toMillis(4), "PTTL " + ttl);

      // ahead: its read must not find this JVM's fresh entry expired (and delete it)
      try (ChildJvm ahead = child(redis, name, TEN_MINUTES, "get")) {
        assertEquals("GOT v", ahead.awaitOutputLine("GOT", Duration.ofSeconds(60)).trim());
      }
      assertEquals("v", cache.get("here"), "the entry read by the JVM ahead of Redis");
    } finally {
      manager.close();
    }
  }

  private static String entryKey(String cacheName, String key) {
    return new String(
        new dev.cascade.internal.store.KeyLayout(cacheName, 16)
            .entryKey(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  private static ChildJvm child(RedisServer redis, String name, long offsetSeconds, String what) {
    return ChildJvm.builder(Child.class)
        .clockOffsetSeconds(offsetSeconds)
        .args(redis.uri(), name, what)
        .start();
  }

  /** Opens the cache with the same configuration, then puts "there" or gets "here". */
  public static final class Child {
    public static void main(String[] args) {
      CacheManager manager =
          new CascadeCachingProvider()
              .getCacheManager(URI.create(args[0]), Child.class.getClassLoader());
      try {
        Cache<String, String> cache = manager.createCache(args[1], fiveMinutes());
        if (args[2].equals("put")) {
          cache.put("there", "v");
          System.out.println("DONE");
        } else {
          System.out.println("GOT " + cache.get("here"));
        }
      } finally {
        manager.close();
      }
    }
  }
}
