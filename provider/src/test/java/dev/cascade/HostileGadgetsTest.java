package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.hostile.Chains;
import dev.cascade.hostile.Chains.Chain;
import dev.cascade.hostile.ProbeUrlHandlers;
import dev.cascade.hostile.SideEffects;
import dev.cascade.internal.codec.ValueTags;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.testing.Await;
import dev.cascade.testing.MapDatabase;
import dev.cascade.testing.RawRedis;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import dev.cascade.writebehind.WriteBehind;
import dev.cascade.writebehind.WriteBehindMXBean;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import java.io.ByteArrayInputStream;
import java.io.ObjectInputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real gadget chains (commons-collections 3.2.1, commons-beanutils 1.9.4, URLDNS) and resource
 * exhaustion, planted in Redis with a raw connection as someone who can write to it would, read by
 * a cache in the zero-configuration defaults (the application's package allowed) and with an HMAC
 * secret (the bytes untagged, or tagged under the attacker's own secret). Every read must fail with
 * a {@link CacheException}, quickly, without the chain's side effect; and the same bytes must run
 * the side effect under a plain {@code ObjectInputStream}, or the test would prove nothing.
 */
@WithRedis
@Timeout(120)
class HostileGadgetsTest {

  private static final String SECRET = "deser-test-secret-0123456789abcdef";

  /** The package a zero-configuration application would have derived from its main class. */
  private static final String APPLICATION = "dev.cascade.hostile";

  private static CacheManager zeroConfig;
  private static CacheManager withSecret;
  private static RawRedis bytes;

  @BeforeAll
  static void open(RedisServer redis) {
    Properties zero = new Properties();
    zero.setProperty("cascade.codec.application-packages", APPLICATION);
    zeroConfig = manager(redis, zero);
    Properties secret = new Properties();
    secret.setProperty("cascade.codec.application-packages", APPLICATION);
    secret.setProperty(ValueTags.KEY_PROPERTY, SECRET);
    withSecret = manager(redis, secret);
    bytes = RawRedis.connect(redis);
  }

  @AfterAll
  static void close() {
    zeroConfig.close();
    withSecret.close();
    bytes.close();
  }

  private static CacheManager manager(RedisServer redis, Properties properties) {
    return new CascadeCachingProvider()
        .getCacheManager(
            URI.create(redis.uri()), HostileGadgetsTest.class.getClassLoader(), properties);
  }

  /** How the attacker's bytes sit in the entry, and which manager reads them. */
  enum Planted {
    /** Cascade's untagged form; read with the zero-configuration defaults. */
    ZERO_CONFIG,
    /** Cascade's untagged form; the reader has a secret. */
    UNTAGGED_WITH_SECRET,
    /** The authenticated form, tagged with a secret of the attacker's own. */
    FORGED_TAG_WITH_SECRET
  }

  static Stream<Arguments> cases() {
    List<Arguments> all = new ArrayList<>();
    for (Chain chain : Chains.all()) {
      for (Planted planted : Planted.values()) {
        all.add(Arguments.of(chain, planted));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("cases")
  void get_plantedChain_isRefusedBeforeAnyGadgetRuns(Chain chain, Planted planted)
      throws Exception {
    String name = Managers.uniqueName("deser-gadget");
    CacheManager reader = planted == Planted.ZERO_CONFIG ? zeroConfig : withSecret;
    // what Spring, Hibernate and untyped code create: Object keys and values
    Cache<Object, Object> cache = reader.createCache(name, new MutableConfiguration<>());
    byte[] value =
        planted == Planted.FORGED_TAG_WITH_SECRET ? forged(name, chain) : untagged(chain);
    bytes.sync().hset(new KeyLayout(name, 16).entryKey(utf8("s:k")), utf8("v"), value);
    int fired = SideEffects.count();
    long files = SideEffects.files();
    int lookups = ProbeUrlHandlers.LOOKUPS.get();

    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
    long start = System.nanoTime();
    CacheException e = assertThrows(CacheException.class, () -> cache.get("k"));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;

    assertEquals(fired, SideEffects.count(), "the chain ran: " + e.getMessage());
    assertEquals(files, SideEffects.files(), "the chain created a file");
    assertEquals(lookups, ProbeUrlHandlers.LOOKUPS.get(), "the URL's host was looked up");
    assertTrue(millis < 2_000, "refusing took " + millis + " ms");
    assertTrue(allocated < 64L << 20, "refusing allocated " + allocated + " bytes");
    String message = e.getMessage();
    switch (planted) {
      case ZERO_CONFIG:
        assertTrue(message.startsWith("Refusing to deserialize"), message);
        break;
      case UNTAGGED_WITH_SECRET:
        assertTrue(message.contains("carries no authentication tag"), message);
        break;
      default:
        assertTrue(message.contains("authentication tag is not valid"), message);
    }
    cache.clear();
  }

  /**
   * A chain planted as an entry's key (an untyped cache's keys are Java-serialized into the Redis
   * key's name): iterating decodes it under the allow-list, with or without a secret, since keys
   * carry no tag.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("chainsWithSideEffects")
  void iterate_chainPlantedAsAKey_isRefusedBeforeAnyGadgetRuns(Chain chain) {
    for (CacheManager reader : List.of(zeroConfig, withSecret)) {
      String name = Managers.uniqueName("deser-gadget-key");
      Cache<Object, Object> cache = reader.createCache(name, new MutableConfiguration<>());
      byte[] key = new byte[chain.bytes().length + 2];
      key[0] = 'j';
      key[1] = ':';
      System.arraycopy(chain.bytes(), 0, key, 2, chain.bytes().length);
      bytes.sync().hset(new KeyLayout(name, 16).entryKey(key), utf8("v"), utf8("\u0001x"));
      int fired = SideEffects.count();
      int lookups = ProbeUrlHandlers.LOOKUPS.get();

      CacheException e =
          assertThrows(CacheException.class, () -> cache.iterator().forEachRemaining(x -> {}));

      assertEquals(fired, SideEffects.count(), "the chain ran: " + e.getMessage());
      assertEquals(lookups, ProbeUrlHandlers.LOOKUPS.get(), "the URL's host was looked up");
      assertTrue(e.getMessage().startsWith("Refusing to deserialize class"), e.getMessage());
      bytes.sync().del(new KeyLayout(name, 16).entryKey(key));
    }
  }

  /** Collects the keys of created events; the test thread asserts on them. */
  public static final class HeardKeys
      implements CacheEntryCreatedListener<Object, Object>, java.io.Serializable {
    static final BlockingQueue<Object> KEYS = new LinkedBlockingQueue<>();

    @Override
    public void onCreated(Iterable<CacheEntryEvent<?, ?>> events) {
      events.forEach(e -> KEYS.add(e.getKey()));
    }
  }

  /**
   * A chain published as the value of a well-formed event about a key of the cache (someone who can
   * PUBLISH): decoded on an event lane under the cache's allow-list, refused, dropped; the listener
   * keeps hearing real events.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("chainsWithSideEffects")
  void forgedEvent_chainAsItsValue_isDroppedBeforeAnyGadgetRuns(Chain chain, RedisServer redis)
      throws Exception {
    for (boolean secret : new boolean[] {false, true}) {
      Properties settings = new Properties();
      if (secret) {
        settings.setProperty(ValueTags.KEY_PROPERTY, SECRET);
      }
      CacheManager listening = manager(redis, settings);
      CacheManager writing = manager(redis, settings);
      try {
        String name = Managers.uniqueName("deser-gadget-event");
        MutableConfiguration<Object, Object> withListener = new MutableConfiguration<>();
        withListener.addCacheEntryListenerConfiguration(
            new MutableCacheEntryListenerConfiguration<>(
                FactoryBuilder.factoryOf(HeardKeys.class), null, false, false));
        listening.createCache(name, withListener);
        Cache<Object, Object> writer = writing.createCache(name, new MutableConfiguration<>());
        KeyLayout layout = new KeyLayout(name, 16);
        awaitHeard(writer, "probe");
        int fired = SideEffects.count();
        int lookups = ProbeUrlHandlers.LOOKUPS.get();

        bytes
            .sync()
            .publish(
                layout.eventChannel(),
                event('C', utf8("forger"), layout.entryKey(utf8("s:k")), untagged(chain)));
        writer.put("after", 1);

        assertEquals("after", HeardKeys.KEYS.poll(10, TimeUnit.SECONDS), "the listener stopped");
        assertEquals(fired, SideEffects.count(), "the chain ran");
        assertEquals(lookups, ProbeUrlHandlers.LOOKUPS.get(), "the URL's host was looked up");
        assertTrue(HeardKeys.KEYS.isEmpty(), "heard: " + HeardKeys.KEYS);
      } finally {
        listening.close();
        writing.close();
      }
    }
  }

  private static void awaitHeard(Cache<Object, Object> writer, String key)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!HeardKeys.KEYS.contains(key)) {
      assertTrue(System.currentTimeMillis() < deadline, "the listener never heard the writer");
      writer.remove(key);
      writer.put(key, 1);
      Thread.sleep(10);
    }
    Thread.sleep(100);
    HeardKeys.KEYS.clear();
  }

  /** An event message as {@code mutate.lua} publishes it: the kind, then length-prefixed fields. */
  private static byte[] event(char kind, byte[]... fields) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(kind);
    for (byte[] f : fields) {
      out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(f.length).array());
      out.writeBytes(f);
    }
    out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(-1).array());
    return out.toByteArray();
  }

  /** The control: without Cascade's checks the same bytes do run their side effect. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("chainsWithSideEffects")
  void plainObjectInputStream_sameBytes_runsTheSideEffect(Chain chain) throws Exception {
    int fired = SideEffects.count();
    long files = SideEffects.files();
    int lookups = ProbeUrlHandlers.LOOKUPS.get();

    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(chain.bytes()))) {
      in.readObject();
    } catch (Exception ignored) {
      // some chains fail after their side effect: CommonsCollections7's maps compare equal once
      // the chain ran (StreamCorruptedException), CommonsBeanutils1's comparator gets nulls
    }

    if (chain.firesSideEffect()) {
      assertTrue(SideEffects.count() > fired, chain + " did not fire");
      assertTrue(SideEffects.files() > files, chain + " created no file");
    } else {
      assertTrue(ProbeUrlHandlers.LOOKUPS.get() > lookups, chain + " looked up no host");
    }
  }

  /**
   * A chain planted as a write-behind record (an XADD to the partition's queue, beside a real
   * record of the same key): the flusher decodes it under the allow-list, the writer never sees it,
   * it ends in the dead letters with the reason, and listing the dead letters does not run it
   * either.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("chainsWithSideEffects")
  void writeBehindRecord_plantedChain_isDeadLetteredBeforeAnyGadgetRuns(Chain chain)
      throws Exception {
    String name = Managers.uniqueName("deser-queue");
    Cache<Object, Object> cache =
        zeroConfig.createCache(
            name,
            new MutableConfiguration<>()
                .setWriteThrough(true)
                .setCacheWriterFactory(
                    // a table per cache: each chain's run must see its own real record arrive
                    WriteBehind.<Object, Object>of(MapDatabase.writerFactory(name))
                        .partitions(1)
                        .maxDelay(Duration.ofMillis(20))
                        .retryLimit(1)
                        .backoff(Duration.ofMillis(10), Duration.ofMillis(20))
                        .build()));
    try {
      cache.put("real", "value");
      Await.until(
          "the real record is written", () -> "value".equals(MapDatabase.table(name).get("real")));
      KeyLayout layout = new KeyLayout(name, 1);
      List<StreamMessage<byte[], byte[]>> real =
          bytes.sync().xrange(layout.streamKey(0), Range.create("-", "+"));
      byte[] key = utf8("s:planted");
      byte[] op = null;
      for (StreamMessage<byte[], byte[]> m : real) {
        for (Map.Entry<byte[], byte[]> f : m.getBody().entrySet()) {
          if (new String(f.getKey(), StandardCharsets.UTF_8).equals("o")) {
            op = f.getValue();
          }
        }
      }
      int fired = SideEffects.count();
      long files = SideEffects.files();
      int lookups = ProbeUrlHandlers.LOOKUPS.get();
      Map<byte[], byte[]> record = new LinkedHashMap<>();
      record.put(utf8("k"), key);
      record.put(utf8("o"), op != null ? op : utf8("p"));
      record.put(utf8("v"), untagged(chain));
      bytes.sync().xadd(layout.streamKey(0), record);

      WriteBehindMXBean wb = cache.unwrap(CascadeCache.class).writeBehind();
      int[] more = {0};
      // a change is charged with a failure only while others succeed: keep good changes coming
      Await.until(
          "the planted record is dead-lettered",
          () -> {
            cache.put("good" + more[0]++ % 20, "v");
            return wb.getDeadLetters() == 1;
          });
      String[] listed = wb.listDeadLetters(10);

      assertEquals(fired, SideEffects.count(), "the chain ran");
      assertEquals(files, SideEffects.files(), "the chain created a file");
      assertEquals(lookups, ProbeUrlHandlers.LOOKUPS.get(), "the URL's host was looked up");
      assertTrue(!MapDatabase.table(name).containsKey("planted"), "the writer got the record");
      assertEquals(1, listed.length, String.join("\n", listed));
      assertTrue(
          listed[0].contains("cannot decode a queued record of cache '" + name + "'")
              && listed[0].contains("Refusing to deserialize"),
          listed[0]);
    } finally {
      zeroConfig.destroyCache(name);
    }
  }

  static Stream<Chain> chainsWithSideEffects() {
    return Chains.all().stream().filter(c -> c.firesSideEffect() || c.looksUpHost());
    // (CommonsCollections5 has nothing to fire on a JDK that fixed its trigger; see Chains)
  }

  private static byte[] untagged(Chain chain) {
    byte[] value = new byte[chain.bytes().length + 1];
    value[0] = 0x7F;
    System.arraycopy(chain.bytes(), 0, value, 1, chain.bytes().length);
    return value;
  }

  /** The authenticated form, tagged with the attacker's own secret for the right cache. */
  private static byte[] forged(String cacheName, Chain chain) {
    byte[] value = new byte[chain.bytes().length + 1 + ValueTags.TAG_LENGTH];
    value[0] = 0x7E;
    System.arraycopy(chain.bytes(), 0, value, 1, chain.bytes().length);
    ValueTags attackers =
        ValueTags.of("the attacker's own secret, 32+ bytes", null, false).forCache(cacheName);
    byte[] tag = attackers.tag(value, chain.bytes().length + 1);
    System.arraycopy(tag, 0, value, chain.bytes().length + 1, tag.length);
    return value;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
