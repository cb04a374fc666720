package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.hostile.Gadget;
import dev.cascade.internal.engine.CacheSettings;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.testing.LogCapture;
import dev.cascade.testing.RawRedis;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Someone who can write to Redis, or only PUBLISH, plants bytes; this JVM must neither run a class
 * it did not allow, nor run out of memory or time, nor let one message silence its listeners. Every
 * payload here is written with a raw connection, as an attacker would.
 */
@WithRedis
@Timeout(60)
class HostileBytesTest {

  private static CacheManager manager;
  private static CacheManager other;
  private static RawRedis bytes;

  @BeforeAll
  static void open(RedisServer redis) {
    manager = Managers.open(redis);
    other = Managers.open(redis);
    bytes = RawRedis.connect(redis);
  }

  @AfterAll
  static void close() {
    manager.close();
    other.close();
    bytes.close();
  }

  /** A value class of the tests' own package, which a caller may name as a cache's value type. */
  record Note(String text) implements Serializable {}

  @Test
  void getCache_registryNamesAGadgetType_opensButRefusesTheValueNamingTheClassAndSetting()
      throws Exception {
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
    other
        .createCache(
            name, new MutableConfiguration<String, Note>().setTypes(String.class, Note.class))
        .put("k", new Note("hello"));

    Cache<String, Note> joined = manager.getCache(name, String.class, Note.class);

    assertEquals(new Note("hello"), joined.get("k"));
  }

  /**
   * A value of a type the JDK always allows, planted in a cache of another value type: handed back,
   * it would fail with a bare ClassCastException at the caller's own line, or later, inside a map
   * from getAll. Refused where it is read, naming the cache and both types.
   */
  @Test
  void getAndGetAll_valueOfAnotherType_areRefusedNamingTheCacheAndTheTypes() throws Exception {
    String name = Managers.uniqueName("typed");
    Cache<String, Note> cache =
        manager.createCache(
            name, new MutableConfiguration<String, Note>().setTypes(String.class, Note.class));
    cache.put("fine", new Note("fine"));
    plant(name, 16, utf8("k"), tagged(new java.util.HashMap<String, String>()));
    plant(name, 16, utf8("s"), new byte[] {1, 'x'}); // the tag of a String, then its bytes

    for (String key : List.of("k", "s")) {
      CacheException e = assertThrows(CacheException.class, () -> cache.get(key));
      assertTrue(e.getMessage().contains("'" + name + "'"), e.getMessage());
      assertTrue(e.getMessage().contains(Note.class.getName()), e.getMessage());
    }
    CacheException e = assertThrows(CacheException.class, () -> cache.getAll(Set.of("fine", "k")));
    assertTrue(e.getMessage().contains("java.util.HashMap"), e.getMessage());
    assertEquals(new Note("fine"), cache.get("fine"));
  }

  /**
   * Keys another program wrote under a cache's prefix: {@code "+5"} parses as 5, and handed back by
   * the iterator it named the real entry 5 ({@code iterator.remove()} deleted that one, and its row
   * through the writer); {@code "abc"} is no number at all and stopped every {@code removeAll()} at
   * its batch. Each is refused naming its Redis key, and removeAll() removes everything else.
   */
  @Test
  void plantedKeys_areRefusedNamingTheirRedisKey_andRemoveAllRemovesTheRest() {
    String name = Managers.uniqueName("planted-keys");
    Cache<Long, String> cache =
        manager.createCache(
            name, new MutableConfiguration<Long, String>().setTypes(Long.class, String.class));
    for (long i = 1; i <= 300; i++) {
      cache.put(i, "v" + i);
    }
    plant(name, 16, utf8("+5"), utf8("planted"));
    plant(name, 16, utf8("abc"), utf8("planted"));

    List<String> refused = new ArrayList<>();
    Set<Long> iterated = new HashSet<>();
    java.util.Iterator<Cache.Entry<Long, String>> it = cache.iterator();
    while (it.hasNext()) {
      try {
        Cache.Entry<Long, String> e = it.next();
        assertEquals("v" + e.getKey(), e.getValue(), "a planted value under a real key");
        iterated.add(e.getKey());
      } catch (CacheException e) {
        refused.add(e.getMessage());
      }
    }
    assertEquals(300, iterated.size(), "every real entry, once");
    assertEquals(2, refused.size(), refused.toString());
    for (String message : refused) {
      assertTrue(message.contains("cascade:" + name + ":{"), message);
    }

    CacheException e = assertThrows(CacheException.class, cache::removeAll);
    assertTrue(e.getMessage().contains("2 entries"), e.getMessage());
    for (long i = 1; i <= 300; i++) {
      assertNull(cache.get(i), "removeAll() left entry " + i);
    }
  }

  /**
   * An old value that cannot be read (planted, or of a class this JVM does not allow) is only read
   * after the change replaced it: getAndPut must say the put was made, and a listener that wants
   * old values still hears the change, without the old value. They once failed as if nothing had
   * changed, and the event was lost.
   */
  @Test
  void changesOverAnUnreadableOldValue_areMade_andSaySo() throws Exception {
    String name = Managers.uniqueName("unreadable-old");
    Cache<String, Note> cache =
        manager.createCache(
            name,
            new MutableConfiguration<String, Note>()
                .setTypes(String.class, Note.class)
                .addCacheEntryListenerConfiguration(
                    new MutableCacheEntryListenerConfiguration<>(
                        FactoryBuilder.factoryOf(OldValues.class), null, true, true)));
    plant(name, 16, utf8("k"), utf8("\u0041not a value"));
    plant(name, 16, utf8("r"), utf8("\u0041not a value"));

    try (LogCapture log = LogCapture.of("dev.cascade", Level.WARNING)) {
      CacheException e =
          assertThrows(CacheException.class, () -> cache.getAndPut("k", new Note("new")));
      assertTrue(e.getMessage().contains("was made"), e.getMessage());
      assertEquals(new Note("new"), cache.get("k"), "the put was made");
      cache.remove("r");
      assertNull(cache.get("r"), "the remove was made");
      assertEquals(List.of("UPDATED k old=null", "REMOVED r old=null"), OldValues.heard(name));
      assertEquals(1, log.messages(Level.WARNING, "old value").size(), log.describe());
    }
  }

  /** Records what it hears with the old value, synchronously. */
  public static final class OldValues
      implements CacheEntryUpdatedListener<String, Note>,
          CacheEntryRemovedListener<String, Note>,
          Serializable {
    private static final long serialVersionUID = 1L;
    static final Map<String, List<String>> HEARD = new java.util.concurrent.ConcurrentHashMap<>();

    static List<String> heard(String cache) {
      return HEARD.computeIfAbsent(cache, c -> new java.util.concurrent.CopyOnWriteArrayList<>());
    }

    private static void record(CacheEntryEvent<? extends String, ? extends Note> e) {
      heard(e.getSource().getName())
          .add(e.getEventType() + " " + e.getKey() + " old=" + e.getOldValue());
    }

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends Note>> events) {
      events.forEach(OldValues::record);
    }

    @Override
    public void onRemoved(Iterable<CacheEntryEvent<? extends String, ? extends Note>> events) {
      events.forEach(OldValues::record);
    }
  }

  @Test
  void get_serializedUrl_isRefusedByDefault() throws Exception {
    String name = Managers.uniqueName("url");
    Cache<String, Object> cache =
        manager.createCache(
            name, new MutableConfiguration<String, Object>().setTypes(String.class, Object.class));
    // URL's hashCode resolves its host: inside a HashMap key that is the URLDNS probe
    plant(name, 16, utf8("k"), tagged(new URL("http://cascade-test.invalid/")));

    CacheException e = assertThrows(CacheException.class, () -> cache.get("k"));

    assertTrue(e.getMessage().contains("java.net.URL"), e.getMessage());
  }

  @Test
  void get_valueDeclaringAHugeLongArray_failsFastWithoutAllocatingIt() throws Exception {
    String name = Managers.uniqueName("long-array");
    Cache<String, Object> cache =
        manager.createCache(
            name, new MutableConfiguration<String, Object>().setTypes(String.class, Object.class));
    byte[] value = tagged(new long[0]);
    // the last 4 bytes of a serialized array are its length: 60,000,000 longs are 480 MB
    ByteBuffer.wrap(value).putInt(value.length - 4, 60_000_000);
    assertEquals(28, value.length);
    plant(name, 16, utf8("k"), value);

    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    CacheException e = assertThrows(CacheException.class, () -> cache.get("k"));
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    assertTrue(allocated < 16 << 20, "decoding 28 bytes allocated " + allocated + " bytes");
    assertTrue(e.getMessage().contains("60000000"), e.getMessage());
  }

  @Test
  void get_nestedSetsBomb_failsFastWithCacheException() throws Exception {
    String name = Managers.uniqueName("set-bomb");
    Cache<String, Object> cache =
        manager.createCache(
            name, new MutableConfiguration<String, Object>().setTypes(String.class, Object.class));
    plant(name, 16, utf8("k"), tagged(setBomb(26)));

    long start = System.nanoTime();
    CacheException e = assertThrows(CacheException.class, () -> cache.get("k"));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertTrue(millis < 1_000, "refusing the bomb took " + millis + " ms");
    assertTrue(e.getMessage().contains("max-depth"), e.getMessage());
  }

  /** Collects events; the test thread asserts on them. */
  public static final class Heard
      implements CacheEntryCreatedListener<String, String>, Serializable {
    static final BlockingQueue<String> EVENTS = new LinkedBlockingQueue<>();

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      events.forEach(e -> EVENTS.add(e.getKey() + "=" + e.getValue()));
    }
  }

  @Test
  void forgedPublish_declaringAHugeField_isDroppedWithOneWarningAndListenersKeepHearing(
      RedisServer redis) throws Exception {
    String name = Managers.uniqueName("forged");
    byte[] channel = new KeyLayout(name, 16).eventChannel();
    // kind 'C', an empty origin, then a key that says it is 2 GB long: 9 bytes in all
    byte[] forged =
        ByteBuffer.allocate(9).put((byte) 'C').putInt(0).putInt(Integer.MAX_VALUE).array();
    // the same lie in a message as long as a real one, so the length check itself is what refuses
    // it
    byte[] padded = ByteBuffer.allocate(32).put(forged).array();
    // managers of its own: a message that breaks the pub/sub connection must not fail the other
    // tests
    CacheManager listening = Managers.open(redis);
    CacheManager writing = Managers.open(redis);
    List<LogRecord> logged;
    try (LogCapture log = LogCapture.of("dev.cascade", Level.WARNING)) {
      Cache<String, String> writer = listenedTo(name, listening, writing);
      for (int i = 0; i < 50; i++) {
        bytes.sync().publish(channel, i % 2 == 0 ? forged : padded);
      }
      writer.put("after", "real");
      // the forged messages arrived first on the same connection: once "after" is heard, all were
      // handled
      assertEquals(
          "after=real", Heard.EVENTS.poll(10, TimeUnit.SECONDS), "the listener stopped hearing");
      logged = log.records();
    } finally {
      listening.close();
      writing.close();
    }
    String channelName = new String(channel, StandardCharsets.UTF_8);
    List<String> warnings = new ArrayList<>();
    for (LogRecord r : logged) {
      if (r.getLevel().intValue() >= Level.WARNING.intValue()
          && r.getMessage().contains(channelName)) {
        warnings.add(r.getMessage());
      }
    }
    assertEquals(1, warnings.size(), "warnings about " + channelName + ": " + warnings);
    assertTrue(warnings.get(0).contains("'" + name + "'"), warnings.get(0));
  }

  @Test
  void forgedPublish_withAKeyOfAnotherCache_isIgnored() throws Exception {
    String name = Managers.uniqueName("forged-key");
    Cache<String, String> writer = listenedTo(name, manager, other);
    byte[] channel = new KeyLayout(name, 16).eventChannel();
    byte[] otherCachesKey = new KeyLayout(name + "x", 16).entryKey(utf8("stolen"));
    // well formed, as mutate.lua publishes it, but about an entry of cache name + "x"
    bytes.sync().publish(channel, event('C', utf8("forger"), otherCachesKey, utf8("v"), null));
    writer.put("after", "real");

    assertEquals("after=real", Heard.EVENTS.poll(10, TimeUnit.SECONDS));
    Thread.sleep(200);
    assertFalse(
        Heard.EVENTS.stream().anyMatch(e -> e.startsWith("stolen")), "heard: " + Heard.EVENTS);
  }

  @Test
  void forgedControlMessages_flood_costsOneListenerCheckAtATime() throws Exception {
    String name = Managers.uniqueName("control-flood");
    manager.createCache(
        name, new MutableConfiguration<String, String>().setTypes(String.class, String.class));
    byte[] control = new KeyLayout(name, 16).controlChannel();
    long before = hlenCalls();

    List<io.lettuce.core.RedisFuture<Long>> sent = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      sent.add(bytes.async().publish(control, utf8("listeners")));
    }
    for (io.lettuce.core.RedisFuture<Long> f : sent) {
      f.get(10, TimeUnit.SECONDS);
    }
    // wait until the checks have stopped: the count is still for half a second
    long checks = hlenCalls() - before;
    long deadline = System.currentTimeMillis() + 20_000;
    while (System.currentTimeMillis() < deadline) {
      Thread.sleep(500);
      long now = hlenCalls() - before;
      if (now == checks) {
        break;
      }
      checks = now;
    }

    // each check is one HLEN; other caches' periodic checks add a few
    assertTrue(checks < 1_000, "10,000 control messages cost " + checks + " listener checks");
  }

  private static long hlenCalls() {
    String stats = bytes.sync().info("commandstats");
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("cmdstat_hlen:calls=(\\d+)").matcher(stats);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /**
   * A cache with a {@link Heard} listener in {@code listening}, and the same cache in {@code
   * writing}, returned once {@code listening} hears {@code writing}'s changes.
   */
  private static Cache<String, String> listenedTo(
      String name, CacheManager listening, CacheManager writing) throws InterruptedException {
    MutableConfiguration<String, String> withListener =
        new MutableConfiguration<String, String>().setTypes(String.class, String.class);
    withListener.addCacheEntryListenerConfiguration(
        new MutableCacheEntryListenerConfiguration<>(
            FactoryBuilder.factoryOf(Heard.class), null, false, false));
    listening.createCache(name, withListener);
    Cache<String, String> writer =
        writing.createCache(
            name, new MutableConfiguration<String, String>().setTypes(String.class, String.class));
    long deadline = System.currentTimeMillis() + 10_000;
    while (!Heard.EVENTS.contains("probe=p")) {
      assertTrue(
          System.currentTimeMillis() < deadline, "the listener never heard the other manager");
      writer.remove("probe");
      writer.put("probe", "p");
      Thread.sleep(10);
    }
    Thread.sleep(100);
    Heard.EVENTS.clear();
    return writer;
  }

  /**
   * Sets nested {@code depth} deep, each level two sets that both hold both sets of the level
   * below: small on the wire, but hashing the top visits every one of the 2^depth paths.
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

  /**
   * An event message as {@code mutate.lua} publishes it: the kind, then each field as length and
   * bytes.
   */
  private static byte[] event(char kind, byte[]... fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(kind);
    for (byte[] f : fields) {
      out.writeBytes(ByteBuffer.allocate(4).putInt(f == null ? -1 : f.length).array());
      if (f != null) {
        out.writeBytes(f);
      }
    }
    return out.toByteArray();
  }
}
