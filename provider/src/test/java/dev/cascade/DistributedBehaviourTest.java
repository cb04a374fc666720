package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two CacheManagers on one Redis behave like two JVMs sharing the same caches. */
@WithRedis
@Timeout(60)
class DistributedBehaviourTest {

  private static CacheManager first;
  private static CacheManager second;
  private static RedisClient raw;
  private static StatefulRedisConnection<String, String> rawConnection;

  @BeforeAll
  static void open(RedisServer redis) {
    first = Managers.open(redis);
    second = Managers.open(redis);
    raw = RedisClient.create(redis.uri());
    rawConnection = raw.connect();
  }

  @AfterAll
  static void close() {
    first.close();
    second.close();
    rawConnection.close();
    raw.shutdown();
  }

  private static MutableConfiguration<String, String> strings() {
    return new MutableConfiguration<String, String>().setTypes(String.class, String.class);
  }

  @Test
  void put_inOneManager_isSeenByTheOther() {
    String name = Managers.uniqueName("shared");
    Cache<String, String> a = first.createCache(name, strings());
    Cache<String, String> b = second.createCache(name, strings());
    a.put("k", "from-a");
    assertEquals("from-a", b.get("k"));
    b.remove("k");
    assertNull(a.get("k"));
  }

  @Test
  void getCache_opensACacheAnotherManagerCreated() {
    String name = Managers.uniqueName("joined");
    first.createCache(name, strings()).put("k", "v");
    Cache<String, String> joined = second.getCache(name, String.class, String.class);
    assertNotNull(joined);
    assertEquals("v", joined.get("k"));
  }

  /**
   * Collects events into a queue; the test thread asserts on them (assertions in listeners go
   * unseen).
   */
  public static final class Collecting
      implements CacheEntryCreatedListener<String, String>,
          CacheEntryUpdatedListener<String, String>,
          Serializable {
    static final BlockingQueue<String> EVENTS = new LinkedBlockingQueue<>();

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      events.forEach(e -> EVENTS.add("created " + e.getKey() + "=" + e.getValue()));
    }

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      events.forEach(
          e ->
              EVENTS.add("updated " + e.getKey() + "=" + e.getValue() + " was " + e.getOldValue()));
    }
  }

  @Test
  void listener_inOneManager_hearsTheOthersChangesInOrder() throws Exception {
    String name = Managers.uniqueName("events");
    Cache<String, String> a = first.createCache(name, strings());
    MutableConfiguration<String, String> withListener = strings();
    withListener.addCacheEntryListenerConfiguration(
        new MutableCacheEntryListenerConfiguration<>(
            FactoryBuilder.factoryOf(Collecting.class), null, true, false));
    second.createCache(name, withListener);
    // the other manager learns over pub/sub that someone listens now: wait until a probe is heard
    long deadline = System.currentTimeMillis() + 10_000;
    while (!Collecting.EVENTS.contains("created probe=p")) {
      assertTrue(
          System.currentTimeMillis() < deadline, "the listener never heard the other manager");
      a.remove("probe");
      a.put("probe", "p");
      Thread.sleep(10);
    }
    Thread.sleep(100);
    Collecting.EVENTS.clear();

    a.put("k", "one");
    a.put("k", "two");

    assertEquals("created k=one", Collecting.EVENTS.poll(10, TimeUnit.SECONDS));
    assertEquals("updated k=two was one", Collecting.EVENTS.poll(10, TimeUnit.SECONDS));
  }

  @Test
  void entriesOfOneCache_landInManyPartitions() {
    String name = Managers.uniqueName("spread");
    Cache<String, String> cache = first.createCache(name, strings());
    for (int i = 0; i < 200; i++) {
      cache.put("key-" + i, "v");
    }
    Set<String> partitions = new HashSet<>();
    Pattern tag = Pattern.compile("\\{" + Pattern.quote(name) + "#(\\d+)(?:\\.\\d+)?}");
    ScanIterator<String> keys =
        ScanIterator.scan(
            rawConnection.sync(), ScanArgs.Builder.matches("cascade:" + name + ":{*"));
    int count = 0;
    while (keys.hasNext()) {
      Matcher m = tag.matcher(keys.next());
      assertTrue(m.find());
      partitions.add(m.group(1));
      count++;
    }
    assertEquals(200, count);
    assertEquals(16, partitions.size(), "200 keys over 16 partitions: " + partitions);
  }

  @Test
  void finiteExpiry_leavesANativeTtlOnTheEntry() {
    String name = Managers.uniqueName("ttl");
    MutableConfiguration<String, String> c = strings();
    c.setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(new Duration(TimeUnit.MINUTES, 1)));
    Cache<String, String> cache = first.createCache(name, c);
    cache.put("k", "v");
    Cache<String, String> eternal = first.createCache(name + "-eternal", strings());
    eternal.put("k", "v");

    String entryKey = singleKey("cascade:" + name + ":{*");
    long ttl = rawConnection.sync().pttl(entryKey);
    assertTrue(ttl > 0 && ttl <= 60_000, "native TTL in ms: " + ttl);
    assertEquals(-1L, rawConnection.sync().pttl(singleKey("cascade:" + name + "-eternal:{*")));
  }

  @Test
  void clear_leavesOtherCachesUntouched() {
    Cache<String, String> cleared = first.createCache(Managers.uniqueName("cleared"), strings());
    Cache<String, String> kept = first.createCache(cleared.getName() + "x", strings());
    for (int i = 0; i < 50; i++) {
      cleared.put("k" + i, "v");
      kept.put("k" + i, "v");
    }
    cleared.clear();
    assertFalse(cleared.iterator().hasNext());
    assertEquals(50, count(kept));
  }

  private static int count(Cache<?, ?> cache) {
    int n = 0;
    for (Cache.Entry<?, ?> ignored : cache) {
      n++;
    }
    return n;
  }

  private static String singleKey(String pattern) {
    List<String> keys = rawConnection.sync().keys(pattern);
    assertEquals(1, keys.size(), "keys matching " + pattern + ": " + keys);
    return keys.get(0);
  }
}
