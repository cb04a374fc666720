package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.testing.Await;
import dev.cascade.testing.LogCapture;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A JVM's listener marks (the per-partition hashes that make other JVMs publish their changes) are
 * data in Redis like any other, and Redis can lose them: a restart without persistence, a failover
 * to a replica that had not received them yet, an eviction. Losing them silences the other JVMs'
 * changes for this JVM's listeners; what limits that loss is tested here: the listening JVM puts
 * its marks back as soon as its connection comes back (and at every periodic check), says so in a
 * WARNING (events were missed), and tells the other JVMs to look again; and a writer that finds one
 * partition unmarked still publishes the changes of the others.
 */
@WithRedis
@Timeout(120)
class ListenerMarksLostTest {

  /** Keys heard created, by cache: {@link PubSubOutageTest.Heard} records them here. */
  private static final Map<String, BlockingQueue<String>> HEARD = PubSubOutageTest.HEARD;

  @Test
  void aMarkLostInOnePartition_doesNotSilenceTheChangesOfTheOthers(RedisServer redis)
      throws Exception {
    String name = Managers.uniqueName("one-mark-lost");
    HEARD.put(name, new LinkedBlockingQueue<>());
    KeyLayout layout = new KeyLayout(name, CascadeConfiguration.DEFAULT_PARTITIONS);
    try (CacheManager listening = Managers.open(redis);
        CacheManager writing = Managers.open(redis)) {
      listen(listening.createCache(name, strings()), name);
      redis.command("DEL", new String(layout.listenerFlag(0), StandardCharsets.UTF_8));

      // the writer opens the cache now: what it learns of the listeners comes from what is left
      Cache<String, String> there = writing.getCache(name, String.class, String.class);
      Set<String> expected = new TreeSet<>();
      for (int i = 0; i < 200; i++) {
        String key = "k-" + i;
        there.put(key, "v");
        if (layout.partition(key.getBytes(StandardCharsets.UTF_8)) != 0) {
          expected.add(key);
        }
      }
      Set<String> heard = heard(name, expected, 20_000);
      expected.removeAll(heard);
      assertEquals(Set.of(), expected, "changes outside the unmarked partition are all published");
    } finally {
      HEARD.remove(name);
    }
  }

  @Test
  void marksLostInARedisRestart_comeBackWithAWarning_andEveryLaterChangeIsHeard(RedisServer redis)
      throws Exception {
    String name = Managers.uniqueName("marks-lost");
    HEARD.put(name, new LinkedBlockingQueue<>());
    KeyLayout layout = new KeyLayout(name, CascadeConfiguration.DEFAULT_PARTITIONS);
    try (LogCapture log = LogCapture.of("dev.cascade", Level.WARNING);
        CacheManager listening = Managers.open(redis);
        CacheManager writing = Managers.open(redis)) {
      listen(listening.createCache(name, strings()), name);
      Cache<String, String> there = writing.getCache(name, String.class, String.class);
      there.put("before", "1");
      assertEquals("before", HEARD.get(name).poll(20, TimeUnit.SECONDS), "heard before");

      redis.restart(); // no persistence: every key is gone, the listener marks with them

      Await.until(
          "a warning that the listener marks of '" + name + "' were lost",
          () -> !log.messages(Level.WARNING, "listener marks of cache '" + name + "'").isEmpty());
      String warning = log.messages(Level.WARNING, "listener marks of cache '" + name + "'").get(0);
      assertTrue(warning.contains("missed"), "says that events were missed: " + warning);
      for (int p = 0; p < layout.partitions(); p++) {
        assertEquals(
            1L,
            redis.command("HLEN", new String(layout.listenerFlag(p), StandardCharsets.UTF_8)),
            "partition " + p + " is marked again");
      }

      // the writer looks again when told; until then a put may go unpublished: put until heard
      String probe = null;
      for (int i = 0; probe == null && i < 100; i++) {
        there.put("probe-" + i, "2");
        probe = HEARD.get(name).poll(200, TimeUnit.MILLISECONDS);
      }
      assertTrue(probe != null, "the writer publishes again");
      HEARD.get(name).clear();
      Set<String> expected = new TreeSet<>();
      for (int i = 0; i < 200; i++) {
        there.put("after-" + i, "3");
        expected.add("after-" + i);
      }
      expected.removeAll(heard(name, expected, 20_000));
      assertEquals(Set.of(), expected, "every change after the marks came back is heard");
      assertEquals(
          1,
          log.messages(Level.WARNING, "listener marks of cache '" + name + "'").size(),
          "one warning for one loss");
    } finally {
      HEARD.remove(name);
    }
  }

  private static Set<String> heard(String name, Set<String> expected, long withinMillis)
      throws InterruptedException {
    Set<String> heard = new TreeSet<>();
    long until = System.currentTimeMillis() + withinMillis;
    while (!heard.containsAll(expected) && System.currentTimeMillis() < until) {
      String key = HEARD.get(name).poll(200, TimeUnit.MILLISECONDS);
      if (key != null) {
        heard.add(key);
      }
    }
    return heard;
  }

  private static void listen(Cache<String, String> cache, String name) {
    cache.registerCacheEntryListener(
        new MutableCacheEntryListenerConfiguration<>(
            FactoryBuilder.factoryOf(new PubSubOutageTest.Heard(name)), null, false, true));
  }

  private static MutableConfiguration<String, String> strings() {
    return new MutableConfiguration<String, String>().setTypes(String.class, String.class);
  }
}
