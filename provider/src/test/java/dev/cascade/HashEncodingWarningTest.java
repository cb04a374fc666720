package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.LogCapture;
import dev.cascade.testing.RedisServer;
import java.net.URI;
import java.util.List;
import java.util.logging.Level;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A CacheManager says once, when it opens, that the server's {@code hash-max-listpack-value} makes
 * entries with values over 64 bytes cost about 120 bytes more, with the line that fixes it; and
 * says nothing when the limit is high enough. Entries then really are listpacks.
 */
@Timeout(60)
class HashEncodingWarningTest {

  @Test
  void defaultLimit_warnsOncePerServer_withTheConfigSetLine() {
    // Redis' own default (test-support's servers use the recommended 1024)
    try (RedisServer redis = RedisServer.builder().config("hash-max-ziplist-value", "64").start()) {
      // Redis 6.2 (-Dcascade.redis.server=embedded) knows the setting as hash-max-ziplist-value
      String name =
          redis.binary().majorVersion() >= 7 ? "hash-max-listpack-value" : "hash-max-ziplist-value";
      List<String> first = warningsOpening(redis);
      assertEquals(1, count(first, name + " is 64"), first.toString());
      assertTrue(
          first.stream().anyMatch(w -> w.contains("CONFIG SET " + name + " 1024")),
          first.toString());
      List<String> second = warningsOpening(redis);
      assertEquals(0, count(second, "hash-max-"), "once per JVM: " + second);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void raisedLimit_noWarning_andEntriesWithKilobyteValuesStayListpacks() {
    try (RedisServer redis =
        RedisServer.builder().config("hash-max-ziplist-value", "1024").start()) {
      List<String> warnings;
      try (LogCapture log = LogCapture.of("dev.cascade", Level.WARNING);
          CacheManager manager = manager(redis)) {
        Cache<String, String> cache =
            manager.createCache(
                "memory-hash-encoding",
                new MutableConfiguration<String, String>().setTypes(String.class, String.class));
        cache.put("user:123456", "x".repeat(1024));
        List<Object> reply =
            (List<Object>)
                redis.command(
                    "SCAN", "0", "MATCH", "cascade:memory-hash-encoding:{*", "COUNT", "1000");
        List<Object> keys = (List<Object>) reply.get(1);
        assertEquals(1, keys.size(), keys.toString());
        assertEquals(
            redis.binary().majorVersion() >= 7 ? "listpack" : "ziplist",
            redis.command("OBJECT", "ENCODING", (String) keys.get(0)));
        warnings = log.messagesAtLeast(Level.WARNING);
      }
      assertEquals(0, count(warnings, "hash-max"), warnings.toString());
    }
  }

  private static CacheManager manager(RedisServer redis) {
    return new CascadeCachingProvider()
        .getCacheManager(
            URI.create(redis.uri() + "?timeout=3s"),
            HashEncodingWarningTest.class.getClassLoader());
  }

  private static List<String> warningsOpening(RedisServer redis) {
    try (LogCapture log = LogCapture.of("dev.cascade", Level.WARNING)) {
      manager(redis).close();
      return log.messagesAtLeast(Level.WARNING);
    }
  }

  private static long count(List<String> warnings, String text) {
    return warnings.stream().filter(w -> w.contains(text)).count();
  }
}
