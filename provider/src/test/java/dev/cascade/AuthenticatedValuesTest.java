package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.elsewhere.Unlisted;
import dev.cascade.hostile.Chains;
import dev.cascade.internal.codec.ValueTags;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.testing.RawRedis;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Values authenticated with {@code cascade.codec.hmac-key}: what a tag lets through, what it does
 * not, and how a secret is rolled out, changed and kept secret. Real Redis; planted bytes are
 * written with a raw connection.
 */
@WithRedis
@Timeout(60)
class AuthenticatedValuesTest {

  private static final String SECRET = "deser-first-secret-0123456789abcdef";
  private static final String NEXT_SECRET = "deser-second-secret-fedcba9876543210";

  private static RedisServer redis;
  private static RawRedis bytes;
  private static final List<CacheManager> OPENED = new ArrayList<>();

  @BeforeAll
  static void open(RedisServer server) {
    redis = server;
    bytes = RawRedis.connect(redis);
  }

  @AfterAll
  static void close() {
    OPENED.forEach(CacheManager::close);
    bytes.close();
  }

  private static CacheManager manager(String... settings) {
    Properties p = new Properties();
    for (int i = 0; i < settings.length; i += 2) {
      p.setProperty(settings[i], settings[i + 1]);
    }
    CacheManager m =
        new CascadeCachingProvider()
            .getCacheManager(
                URI.create(redis.uri()), AuthenticatedValuesTest.class.getClassLoader(), p);
    OPENED.add(m);
    return m;
  }

  private static Cache<Object, Object> untyped(CacheManager m, String name) {
    Cache<Object, Object> c = m.getCache(name);
    return c != null ? c : m.createCache(name, new MutableConfiguration<>());
  }

  @Test
  void get_taggedValueOfAClassOnNoAllowList_isRead() {
    String name = Managers.uniqueName("deser-tagged");
    Cache<Object, Object> writer = untyped(manager(ValueTags.KEY_PROPERTY, SECRET), name);
    Cache<Object, Object> reader = untyped(manager(ValueTags.KEY_PROPERTY, SECRET), name);

    writer.put("k", new Unlisted("hello"));

    assertEquals(new Unlisted("hello"), reader.get("k"));
    byte[] stored = bytes.sync().hget(new KeyLayout(name, 16).entryKey(utf8("s:k")), utf8("v"));
    assertEquals(0x7E, stored[0], "an authenticated value");
  }

  @Test
  void get_sameClassWithoutSecret_isRefusedByTheAllowList() {
    String name = Managers.uniqueName("deser-untagged");
    Cache<Object, Object> cache = untyped(manager(), name);
    cache.put("k", new Unlisted("hello"));

    CacheException e = assertThrows(CacheException.class, () -> cache.get("k"));

    assertTrue(e.getMessage().contains(Unlisted.class.getName()), e.getMessage());
  }

  @Test
  void get_taggedValueOverALimit_isStillRefused() {
    String name = Managers.uniqueName("deser-tagged-bomb");
    Cache<Object, Object> cache = untyped(manager(ValueTags.KEY_PROPERTY, SECRET), name);
    cache.put("k", Chains.setBomb(26));

    long start = System.nanoTime();
    CacheException e = assertThrows(CacheException.class, () -> cache.get("k"));

    assertTrue(e.getMessage().contains("max-depth"), e.getMessage());
    assertTrue(System.nanoTime() - start < 2_000_000_000L);
  }

  @Test
  void get_tagMovedFromAnotherCache_isRefused() {
    String from = Managers.uniqueName("deser-from");
    String to = Managers.uniqueName("deser-to");
    CacheManager m = manager(ValueTags.KEY_PROPERTY, SECRET);
    untyped(m, from).put("k", new Unlisted("moved"));
    Cache<Object, Object> target = untyped(m, to);
    byte[] taggedForOther =
        bytes.sync().hget(new KeyLayout(from, 16).entryKey(utf8("s:k")), utf8("v"));
    bytes.sync().hset(new KeyLayout(to, 16).entryKey(utf8("s:k")), utf8("v"), taggedForOther);

    CacheException e = assertThrows(CacheException.class, () -> target.get("k"));

    assertTrue(e.getMessage().contains("authentication tag is not valid"), e.getMessage());
  }

  @Test
  void get_oneBitFlippedInATaggedValue_isRefused() {
    String name = Managers.uniqueName("deser-flipped");
    Cache<Object, Object> cache = untyped(manager(ValueTags.KEY_PROPERTY, SECRET), name);
    cache.put("k", new Unlisted("original"));
    byte[] key = new KeyLayout(name, 16).entryKey(utf8("s:k"));
    byte[] stored = bytes.sync().hget(key, utf8("v"));
    stored[stored.length / 2] ^= 1;
    bytes.sync().hset(key, utf8("v"), stored);

    assertThrows(CacheException.class, () -> cache.get("k"));
  }

  @Test
  void rollOut_jvmsWithoutTheSecretReadTaggedValues_andAcceptUntaggedReadsOldOnes() {
    String name = Managers.uniqueName("deser-rollout");
    Cache<Object, Object> old = untyped(manager(), name);
    Cache<Object, Object> migrating =
        untyped(
            manager(ValueTags.KEY_PROPERTY, SECRET, ValueTags.ACCEPT_UNTAGGED_PROPERTY, "true"),
            name);
    Cache<Object, Object> done = untyped(manager(ValueTags.KEY_PROPERTY, SECRET), name);
    old.put("written-before", java.time.LocalDate.of(2026, 12, 6));
    migrating.put("written-after", java.time.LocalDate.of(2026, 12, 7));

    assertEquals(java.time.LocalDate.of(2026, 12, 6), migrating.get("written-before"));
    assertEquals(java.time.LocalDate.of(2026, 12, 7), old.get("written-after"));
    assertEquals(java.time.LocalDate.of(2026, 12, 7), done.get("written-after"));
    CacheException e = assertThrows(CacheException.class, () -> done.get("written-before"));
    assertTrue(e.getMessage().contains(ValueTags.ACCEPT_UNTAGGED_PROPERTY), e.getMessage());
  }

  @Test
  void secretChange_previousSecretStillReads_andOnlyItsHolderWrites() {
    String name = Managers.uniqueName("deser-rotate");
    Cache<Object, Object> before = untyped(manager(ValueTags.KEY_PROPERTY, SECRET), name);
    Cache<Object, Object> after =
        untyped(
            manager(ValueTags.KEY_PROPERTY, NEXT_SECRET, ValueTags.PREVIOUS_KEY_PROPERTY, SECRET),
            name);
    Cache<Object, Object> onlyNew = untyped(manager(ValueTags.KEY_PROPERTY, NEXT_SECRET), name);
    before.put("k", new Unlisted("under the first secret"));

    assertEquals(new Unlisted("under the first secret"), after.get("k"));
    assertThrows(CacheException.class, () -> onlyNew.get("k"));
    after.put("k", new Unlisted("under the second"));
    assertEquals(new Unlisted("under the second"), onlyNew.get("k"));
  }

  @Test
  void strictWithSecret_taggedValueMustStillBeAllowed() {
    String name = Managers.uniqueName("deser-strict-tagged");
    Cache<Object, Object> cache =
        untyped(manager(ValueTags.KEY_PROPERTY, SECRET, "cascade.codec.strict", "true"), name);
    cache.put("k", new Unlisted("tagged"));

    CacheException e = assertThrows(CacheException.class, () -> cache.get("k"));

    assertTrue(e.getMessage().contains(Unlisted.class.getName()), e.getMessage());
  }

  @Test
  void shortSecret_failsAtGetCacheManager_withoutShowingIt() {
    CacheException e =
        assertThrows(CacheException.class, () -> manager(ValueTags.KEY_PROPERTY, "tooShort99"));

    assertTrue(e.getMessage().contains(ValueTags.KEY_PROPERTY), e.getMessage());
    assertFalse(e.getMessage().contains("tooShort99"), e.getMessage());
  }

  @Test
  void secret_appearsInNoMessageLogOrMBean() throws Exception {
    List<String> seen = new ArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            seen.add(String.valueOf(r.getMessage()) + r.getThrown());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger.getLogger("dev.cascade").addHandler(capture);
    try {
      String name = Managers.uniqueName("deser-secret");
      CacheManager m =
          manager(ValueTags.KEY_PROPERTY, SECRET, ValueTags.PREVIOUS_KEY_PROPERTY, NEXT_SECRET);
      Cache<Object, Object> cache =
          m.createCache(
              name,
              new MutableConfiguration<>().setStatisticsEnabled(true).setManagementEnabled(true));
      seen.add(m.toString());
      seen.add(cache.toString());
      bytes
          .sync()
          .hset(
              new KeyLayout(name, 16).entryKey(utf8("s:k")),
              utf8("v"),
              new byte[] {
                0x7E, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33
              });
      CacheException e = assertThrows(CacheException.class, () -> cache.get("k"));
      java.io.StringWriter trace = new java.io.StringWriter();
      e.printStackTrace(new java.io.PrintWriter(trace));
      seen.add(trace.toString());
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      for (ObjectName bean : server.queryNames(new ObjectName("javax.cache:*"), null)) {
        seen.add(bean.toString());
        for (var attribute : server.getMBeanInfo(bean).getAttributes()) {
          seen.add(String.valueOf(server.getAttribute(bean, attribute.getName())));
        }
      }
    } finally {
      Logger.getLogger("dev.cascade").removeHandler(capture);
    }
    // the secrets' random parts (their beginnings are words that messages hold anyway)
    for (String s : seen) {
      for (String secret : List.of(SECRET, NEXT_SECRET)) {
        String random = secret.substring(secret.lastIndexOf('-') + 1);
        for (int i = 0; i + 5 <= random.length(); i++) {
          assertFalse(s.contains(random.substring(i, i + 5)), s);
        }
      }
    }
  }

  @Test
  void directValues_carryNoTag() {
    String name = Managers.uniqueName("deser-direct");
    Cache<String, String> cache =
        manager(ValueTags.KEY_PROPERTY, SECRET)
            .createCache(
                name,
                new MutableConfiguration<String, String>().setTypes(String.class, String.class));
    cache.put("k", "readable");

    assertArrayEquals(
        utf8("readable"),
        bytes.sync().hget(new KeyLayout(name, 16).entryKey(utf8("k")), utf8("v")));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
