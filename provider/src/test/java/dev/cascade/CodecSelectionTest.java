package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.net.URI;
import java.time.LocalDate;
import java.util.Properties;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How a cache's codec is chosen (configuration, CacheManager properties, the registry for joined
 * caches, providers found by name, service or class), and that the registry keeps every JVM on the
 * codec a cache was created with.
 */
@WithRedis
@Timeout(60)
class CodecSelectionTest {

  record Visit(String page, LocalDate day) {}

  private static RedisServer server;
  private static CacheManager manager;
  private static CacheManager other;
  private static RedisClient raw;
  private static StatefulRedisConnection<String, String> text;

  @BeforeAll
  static void open(RedisServer redis) {
    server = redis;
    manager = Managers.open(redis);
    other = Managers.open(redis);
    raw = RedisClient.create(redis.uri());
    text = raw.connect(StringCodec.UTF8);
  }

  @AfterAll
  static void close() {
    manager.close();
    other.close();
    text.close();
    raw.shutdown();
  }

  private static String recordedCodec(String cache) {
    return text.sync().hget("cascade:" + cache + ":meta", "codec");
  }

  private static String storedValue(String cache, String key) {
    return text.sync().hget(entryKey(cache, key), "v");
  }

  private static String entryKey(String cache, String key) {
    return new String(
        new KeyLayout(cache, 16).entryKey(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  private static CacheManager managerWith(Properties properties) {
    return new CascadeCachingProvider()
        .getCacheManager(URI.create(server.uri()), getClass0().getClassLoader(), properties);
  }

  private static Class<?> getClass0() {
    return CodecSelectionTest.class;
  }

  @Test
  void default_isJava_recordedInTheRegistry() {
    String name = Managers.uniqueName("codec-default");
    manager
        .createCache(
            name, new MutableConfiguration<String, String>().setTypes(String.class, String.class))
        .put("k", "plain");
    assertEquals("java", recordedCodec(name));
    assertEquals("plain", storedValue(name, "k"), "the java codec's bytes, as before codecs");
    manager.destroyCache(name);
  }

  @Test
  void otherCodec_inAnotherManager_isRefusedNamingTheCacheBothCodecsAndTheFix() {
    String name = Managers.uniqueName("codec-mismatch");
    manager.createCache(
        name,
        new CascadeConfiguration<String, Visit>()
            .setTypes(String.class, Visit.class)
            .setCodec("json"));

    CacheException e =
        assertThrows(
            CacheException.class,
            () ->
                other.createCache(
                    name,
                    new MutableConfiguration<String, Visit>().setTypes(String.class, Visit.class)));
    String m = e.getMessage();
    assertTrue(m.contains("'" + name + "'"), m);
    assertTrue(m.contains("with codec 'json'"), m);
    assertTrue(m.contains("with codec 'java'"), m);
    assertTrue(m.contains("cascade.cache." + name + ".codec.name=json"), m);
    assertTrue(m.contains("destroyCache"), m);
    manager.destroyCache(name);
  }

  @Test
  void recordWithoutCodecField_meansJava() {
    String name = Managers.uniqueName("codec-old-record");
    manager
        .createCache(
            name, new MutableConfiguration<String, String>().setTypes(String.class, String.class))
        .put("k", "v");
    manager.getCache(name).close();
    text.sync().hdel("cascade:" + name + ":meta", "codec"); // as registered before codecs

    Cache<String, String> again =
        other.createCache(
            name, new MutableConfiguration<String, String>().setTypes(String.class, String.class));
    assertEquals("v", again.get("k"));
    again.close();
    CacheException e =
        assertThrows(
            CacheException.class,
            () ->
                other.createCache(
                    name,
                    new CascadeConfiguration<String, String>()
                        .setTypes(String.class, String.class)
                        .setCodec("json")));
    assertTrue(e.getMessage().contains("with codec 'java'"), e.getMessage());
    other.destroyCache(name);
  }

  @Test
  void managerProperty_setsTheDefault_andCacheProperty_overridesIt() {
    String jsonCache = Managers.uniqueName("codec-prop-json");
    String javaCache = Managers.uniqueName("codec-prop-java");
    Properties p = new Properties();
    p.setProperty("cascade.codec.name", "json");
    p.setProperty("cascade.cache." + javaCache + ".codec.name", "java");
    CacheManager configured = managerWith(p);
    try {
      configured
          .createCache(
              jsonCache,
              new MutableConfiguration<String, Visit>().setTypes(String.class, Visit.class))
          .put("home", new Visit("/", LocalDate.of(2026, 12, 6)));
      assertEquals("json", recordedCodec(jsonCache));
      assertEquals("{\"page\":\"/\",\"day\":\"2026-12-06\"}", storedValue(jsonCache, "home"));

      // Object types: fine for java, which this cache's own setting picks
      configured.createCache(javaCache, new MutableConfiguration<>()).put("k", 1L);
      assertEquals("java", recordedCodec(javaCache));

      // CascadeConfiguration wins over both
      String own = Managers.uniqueName("codec-prop-own");
      configured.createCache(
          own,
          new CascadeConfiguration<String, String>()
              .setTypes(String.class, String.class)
              .setCodec("java"));
      assertEquals("java", recordedCodec(own));
    } finally {
      configured.close();
    }
  }

  @Test
  void json_withObjectValueType_isRefusedAtCreation_leavingNoRecord() {
    String name = Managers.uniqueName("codec-json-object");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                manager.createCache(
                    name, new CascadeConfiguration<Object, Object>().setCodec("json")));
    assertTrue(e.getMessage().contains("'" + name + "'"), e.getMessage());
    assertTrue(e.getMessage().contains("declares none (java.lang.Object)"), e.getMessage());
    assertEquals(0L, text.sync().exists("cascade:" + name + ":meta"));
    assertNull(manager.getCache(name));
  }

  @Test
  void joinedJsonCache_bindsOnlyTypesTheCallerNames() {
    String name = Managers.uniqueName("codec-json-joined");
    manager
        .createCache(
            name,
            new CascadeConfiguration<String, Visit>()
                .setTypes(String.class, Visit.class)
                .setCodec("json"))
        .put("k", new Visit("/a", LocalDate.of(2026, 1, 1)));

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> other.getCache(name));
    assertTrue(
        e.getMessage().contains("getCache(\"" + name + "\", keyType, valueType)"), e.getMessage());

    // the codec comes from the registry: this manager names none and still reads JSON
    Cache<String, Visit> joined = other.getCache(name, String.class, Visit.class);
    assertEquals(new Visit("/a", LocalDate.of(2026, 1, 1)), joined.get("k"));
    manager.destroyCache(name);
  }

  @Test
  void unknownCodecName_isRefusedNamingTheCacheAndSetting() {
    String name = Managers.uniqueName("codec-unknown");
    CacheException e =
        assertThrows(
            CacheException.class,
            () ->
                manager.createCache(
                    name,
                    new CascadeConfiguration<String, String>()
                        .setTypes(String.class, String.class)
                        .setCodec("protobuf")));
    assertTrue(e.getMessage().contains("'" + name + "'"), e.getMessage());
    assertTrue(e.getMessage().contains("'protobuf'"), e.getMessage());
    assertTrue(e.getMessage().contains("registered: test-hex"), e.getMessage());
    CacheException notAProvider =
        assertThrows(
            CacheException.class,
            () ->
                manager.createCache(
                    name,
                    new CascadeConfiguration<String, String>()
                        .setTypes(String.class, String.class)
                        .setCodec("java.lang.String")));
    assertTrue(notAProvider.getMessage().contains("does not implement"), notAProvider.getMessage());
  }

  @Test
  void provider_foundByServiceName_className_orGiven_recordsItsName() {
    String byService = Managers.uniqueName("codec-hex-service");
    String byClass = Managers.uniqueName("codec-hex-class");
    String given = Managers.uniqueName("codec-hex-given");
    manager
        .createCache(
            byService,
            new CascadeConfiguration<String, String>()
                .setTypes(String.class, String.class)
                .setCodec(HexCodecProvider.NAME))
        .put("k", "hi");
    manager
        .createCache(
            byClass,
            new CascadeConfiguration<String, String>()
                .setTypes(String.class, String.class)
                .setCodec(HexCodecProvider.class.getName()))
        .put("k", "hi");
    manager
        .createCache(
            given,
            new CascadeConfiguration<String, String>()
                .setTypes(String.class, String.class)
                .setCodec(new HexCodecProvider()))
        .put("k", "hi");
    for (String cache : new String[] {byService, byClass, given}) {
      assertEquals(HexCodecProvider.NAME, recordedCodec(cache), cache);
      // the key is hex too: "k" is 6b
      assertEquals("6869", text.sync().hget(entryKey(cache, "6b"), "v"), cache);
      assertEquals("hi", other.getCache(cache, String.class, String.class).get("k"), cache);
    }
  }
}
