package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.hostile.Gadget;
import dev.cascade.store.KeyLayout;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Someone who can write to Redis, or only PUBLISH, plants bytes; this JVM must neither run a
 * class it did not allow, nor run out of memory or time, nor let one message silence its listeners.
 * Every payload here is written with a raw connection, as an attacker would.
 */
@WithRedis
@Timeout(60)
class HostileBytesTest {

  private static CacheManager manager;
  private static CacheManager other;
  private static RedisClient raw;
  private static StatefulRedisConnection<byte[], byte[]> bytes;

  @BeforeAll
  static void open(RedisServer redis) {
    manager = Managers.open(redis);
    other = Managers.open(redis);
    raw = RedisClient.create(redis.uri());
    bytes = raw.connect(ByteArrayCodec.INSTANCE);
  }

  @AfterAll
  static void close() {
    manager.close();
    other.close();
    bytes.close();
    raw.shutdown();
  }

  /** A value class of the tests' own package, which a caller may name as a cache's value type. */
  record Note(String text) implements Serializable {
  }

  @Test
  void getCache_registryNamesAGadgetType_opensButRefusesTheValueNamingTheClassAndSetting() throws Exception {
    String name = Managers.uniqueName("planted-meta");
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("layout", CacheSettings.LAYOUT_VERSION);
    meta.put("keyType", String.class.getName());
    meta.put("valueType", Gadget.class.getName());
    meta.put("partitions", "1");
    meta.put("writeBehind", "false");
    meta.put("queueBound", "-1");
    for (Map.Entry<String, String> e : meta.entrySet()) {
      bytes.sync().hset(KeyLayout.metaKeyOf(name), utf8(e.getKey()), utf8(e.getValue()));
    }
    plant(name, 1, utf8("k"), tagged(new Gadget()));
    int readsBefore = Gadget.READS.get();

    Cache<Object, Object> cache = manager.getCache(name);

    assertNotNull(cache, "the cache opens; only reading the planted class fails");
    CacheException e = assertThrows(CacheException.class, () -> cache.get("k"));
    assertEquals(readsBefore, Gadget.READS.get(), "the gadget's readObject ran");
    assertTrue(e.getMessage().contains(Gadget.class.getName()), e.getMessage());
    assertTrue(e.getMessage().contains("cascade.cache." + name + ".codec.allow"), e.getMessage());
  }

  @Test
  void getCache_withTypes_allowsTheCallersTypes() {
    String name = Managers.uniqueName("joined-typed");
    other.createCache(name, new MutableConfiguration<String, Note>().setTypes(String.class, Note.class))
        .put("k", new Note("hello"));

    Cache<String, Note> joined = manager.getCache(name, String.class, Note.class);

    assertEquals(new Note("hello"), joined.get("k"));
  }

  @Test
  void get_serializedUrl_isRefusedByDefault() throws Exception {
    String name = Managers.uniqueName("url");
    Cache<String, Object> cache = manager.createCache(name,
        new MutableConfiguration<String, Object>().setTypes(String.class, Object.class));
    // URL's hashCode resolves its host: inside a HashMap key that is the URLDNS probe
    plant(name, 16, utf8("k"), tagged(new URL("http://cascade-test.invalid/")));

    CacheException e = assertThrows(CacheException.class, () -> cache.get("k"));

    assertTrue(e.getMessage().contains("java.net.URL"), e.getMessage());
  }

  @Test
  void get_valueDeclaringAHugeLongArray_failsFastWithoutAllocatingIt() throws Exception {
    String name = Managers.uniqueName("long-array");
    Cache<String, Object> cache = manager.createCache(name,
        new MutableConfiguration<String, Object>().setTypes(String.class, Object.class));
    byte[] value = tagged(new long[0]);
    // the last 4 bytes of a serialized array are its length: 60,000,000 longs are 480 MB
    ByteBuffer.wrap(value).putInt(value.length - 4, 60_000_000);
    assertEquals(28, value.length);
    plant(name, 16, utf8("k"), value);

    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    CacheException e = assertThrows(CacheException.class, () -> cache.get("k"));
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    assertTrue(allocated < 16 << 20, "decoding 28 bytes allocated " + allocated + " bytes");
    assertTrue(e.getMessage().contains("60000000"), e.getMessage());
  }

  @Test
  void get_nestedSetsBomb_failsFastWithCacheException() throws Exception {
    String name = Managers.uniqueName("set-bomb");
    Cache<String, Object> cache = manager.createCache(name,
        new MutableConfiguration<String, Object>().setTypes(String.class, Object.class));
    plant(name, 16, utf8("k"), tagged(setBomb(26)));

    long start = System.nanoTime();
    CacheException e = assertThrows(CacheException.class, () -> cache.get("k"));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertTrue(millis < 1_000, "refusing the bomb took " + millis + " ms");
    assertTrue(e.getMessage().contains("max-depth"), e.getMessage());
  }

  /**
   * Sets nested {@code depth} deep, each level two sets that both hold both sets of the level below:
   * small on the wire, but hashing the top visits every one of the 2^depth paths.
   */
  static Set<Object> setBomb(int depth) {
    Set<Object> root = new HashSet<>();
    Set<Object> s1 = root;
    Set<Object> s2 = new HashSet<>();
    for (int i = 0; i < depth; i++) {
      Set<Object> t1 = new HashSet<>();
      Set<Object> t2 = new HashSet<>();
      t1.add("unequal"); // t1 must differ from t2, or the sets would collapse into one
      s1.add(t1);
      s1.add(t2);
      s2.add(t1);
      s2.add(t2);
      s1 = t1;
      s2 = t2;
    }
    return root;
  }

  /** The bytes Cascade's default value codec would store for {@code value}, without any filter. */
  static byte[] tagged(Object value) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x7F);
    try (ObjectOutputStream oos = new ObjectOutputStream(out)) {
      oos.writeObject(value);
    }
    return out.toByteArray();
  }

  /** Writes the entry {@code key -> value} of a cache straight into Redis, as an attacker would. */
  private static void plant(String cacheName, int partitions, byte[] encodedKey, byte[] value) {
    bytes.sync().hset(new KeyLayout(cacheName, partitions).entryKey(encodedKey), utf8("v"), value);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
