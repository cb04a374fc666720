package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.codec.CodecException;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bad input gets the spec's exception or a clear one that names what was wrong. */
@WithRedis
@Timeout(60)
class BadInputTest {

  private static CacheManager manager;

  @BeforeAll
  static void open(RedisServer redis) {
    manager = Managers.open(redis);
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  static final class Unserializable {}

  @Test
  void nullKeyOrValue_throwsNullPointerException() {
    Cache<Object, Object> cache =
        manager.createCache(Managers.uniqueName("nulls"), new MutableConfiguration<>());
    assertThrows(NullPointerException.class, () -> cache.put(null, "v"));
    assertThrows(NullPointerException.class, () -> cache.put("k", null));
    assertThrows(NullPointerException.class, () -> cache.get(null));
    assertThrows(NullPointerException.class, () -> cache.getAll(null));
  }

  @Test
  void putAll_withOneNullValue_changesNothing() {
    Cache<String, String> cache =
        manager.createCache(Managers.uniqueName("putall"), new MutableConfiguration<>());
    Map<String, String> entries = new HashMap<>();
    entries.put("a", "1");
    entries.put("b", null);
    entries.put("c", "3");
    assertThrows(NullPointerException.class, () -> cache.putAll(entries));
    assertFalse(cache.containsKey("a"));
    assertFalse(cache.containsKey("c"));
  }

  @Test
  void valueOfWrongType_throwsClassCastExceptionNamingTheTypes() {
    @SuppressWarnings({"unchecked", "rawtypes"})
    Cache<Object, Object> cache =
        (Cache)
            manager.createCache(
                Managers.uniqueName("typed"),
                new MutableConfiguration<String, Long>().setTypes(String.class, Long.class));
    ClassCastException e =
        assertThrows(ClassCastException.class, () -> cache.put("k", "not a long"));
    assertTrue(e.getMessage().contains("java.lang.Long"), e.getMessage());
  }

  @Test
  void unserializableValue_failsNamingTheClass_andStoresNothing() {
    Cache<String, Object> cache =
        manager.createCache(Managers.uniqueName("unserializable"), new MutableConfiguration<>());
    CodecException e =
        assertThrows(CodecException.class, () -> cache.put("k", new Unserializable()));
    assertTrue(e.getMessage().contains(Unserializable.class.getName()), e.getMessage());
    assertNull(cache.get("k"));
  }

  @Test
  void unreachableRedis_atGetCacheManager_namesTheUri() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String uri = "redis://127.0.0.1:" + port;
    CacheException e = assertThrows(CacheException.class, () -> Managers.open(uri));
    assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
  }

  @Test
  void storeByReference_isRefusedWithTheReason() {
    UnsupportedOperationException e =
        assertThrows(
            UnsupportedOperationException.class,
            () ->
                manager.createCache(
                    Managers.uniqueName("by-reference"),
                    new MutableConfiguration<>().setStoreByValue(false)));
    assertTrue(e.getMessage().contains("store-by-reference"), e.getMessage());
  }

  @Test
  void redisLostMidOperation_throwsCacheExceptionNamingTheServer_andRecoversAfterRestart() {
    try (RedisServer own = RedisServer.start()) {
      CacheManager m = Managers.open(own.uri() + "?timeout=1s");
      try {
        Cache<String, String> cache =
            m.createCache(
                "lost",
                new MutableConfiguration<String, String>().setTypes(String.class, String.class));
        cache.put("before", "1");
        own.kill();
        CacheException e = assertThrows(CacheException.class, () -> cache.put("during", "2"));
        assertTrue(e.getMessage().contains("127.0.0.1:" + own.port()), e.getMessage());
        own.restart();
        // Lettuce reconnects by itself; the next operations work (the data went with the process)
        long deadline = System.currentTimeMillis() + 20_000;
        while (true) {
          try {
            cache.put("after", "3");
            break;
          } catch (CacheException again) {
            if (System.currentTimeMillis() > deadline) {
              throw again;
            }
          }
        }
        assertEquals("3", cache.get("after"));
      } finally {
        m.close();
      }
    }
  }

  @Test
  void incompatibleRegistration_namesWhatDiffers() {
    String name = Managers.uniqueName("registry");
    manager.createCache(
        name, new MutableConfiguration<String, Long>().setTypes(String.class, Long.class));
    CacheManager other =
        new CascadeCachingProvider().getCacheManager(manager.getURI(), getClass().getClassLoader());
    try {
      CacheException e =
          assertThrows(
              CacheException.class,
              () ->
                  other.createCache(
                      name,
                      new MutableConfiguration<Long, Long>().setTypes(Long.class, Long.class)));
      assertTrue(
          e.getMessage().contains("key type java.lang.Long here, java.lang.String in Redis"),
          e.getMessage());
    } finally {
      other.close();
    }
  }
}
