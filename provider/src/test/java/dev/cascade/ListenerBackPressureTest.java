package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.Await;
import dev.cascade.testing.LogCapture;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.io.Serializable;
import java.net.URI;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A blocked asynchronous listener must not let events fill the heap: at most {@code
 * cascade.event-queue} wait. What other JVMs change beyond that is dropped with a WARNING naming
 * the cache (the pub/sub thread cannot wait), and the listener hears new changes once it catches
 * up. (That a change made in this JVM waits for room instead: EventLanesTest.)
 */
@WithRedis
@Timeout(120)
class ListenerBackPressureTest {

  static final List<String> HEARD = new CopyOnWriteArrayList<>();
  static volatile CountDownLatch release = new CountDownLatch(1);

  @Test
  void anotherJvmsChangesBeyondTheQueue_areDroppedWithAWarning_andTheListenerRecovers(
      RedisServer redis) throws Exception {
    String name = Managers.uniqueName("behind");
    release = new CountDownLatch(1);
    HEARD.clear();
    try (CacheManager listening = open(redis.uri(), setting("cascade.event-queue", "4"));
        CacheManager writing = Managers.open(redis);
        LogCapture log = LogCapture.of("dev.cascade", Level.WARNING)) {
      MutableConfiguration<String, String> config =
          new MutableConfiguration<String, String>().setTypes(String.class, String.class);
      config.addCacheEntryListenerConfiguration(
          new MutableCacheEntryListenerConfiguration<>(
              FactoryBuilder.factoryOf(Blocking.class), null, false, false));
      listening.createCache(name, config);
      Cache<String, String> other =
          writing.createCache(
              name,
              new MutableConfiguration<String, String>().setTypes(String.class, String.class));

      for (int i = 0; i < 20; i++) {
        other.put("k" + i, "v");
      }
      Await.until(
          "a WARNING says the listeners are behind",
          () -> !log.messages(Level.WARNING, "cascade.event-queue").isEmpty());
      String warning = log.messages(Level.WARNING, "cascade.event-queue").get(0);
      assertTrue(warning.contains("cache '" + name + "'"), warning);
      ListenerStatistics missed =
          listening
              .getCache(name, String.class, String.class)
              .unwrap(CascadeCache.class)
              .listeners();
      assertTrue(missed.eventsDropped() > 0, "the drops are counted");

      release.countDown();
      // changes made while the queue still drains may be dropped too: keep changing until heard
      int[] n = {0};
      Await.until(
          "the listener hears changes again once it caught up",
          () -> {
            other.put("after" + n[0]++, "v");
            return HEARD.stream().anyMatch(k -> k.startsWith("after"));
          });
      long heardOfTheFirst = HEARD.stream().filter(k -> k.matches("k[0-9]+")).count();
      assertTrue(heardOfTheFirst < 20, "some of the first 20 were dropped: " + HEARD);
      assertTrue(HEARD.contains("k0"), "the first change was heard: " + HEARD);
    }
  }

  /**
   * This JVM's own changes wait for room, at most the command timeout (here the URI's 500 ms), and
   * are then dropped, counted and warned about; the writer goes on.
   */
  @Test
  void thisJvmsChangesWaitForRoom_thenAreDroppedAndCounted(RedisServer redis) throws Exception {
    String name = Managers.uniqueName("behindHere");
    release = new CountDownLatch(1);
    try (CacheManager manager =
            open(redis.uri() + "?timeout=500ms", setting("cascade.event-queue", "2"));
        LogCapture log = LogCapture.of("dev.cascade", Level.WARNING)) {
      MutableConfiguration<String, String> config =
          new MutableConfiguration<String, String>().setTypes(String.class, String.class);
      config.addCacheEntryListenerConfiguration(
          new MutableCacheEntryListenerConfiguration<>(
              FactoryBuilder.factoryOf(Blocking.class), null, false, false));
      Cache<String, String> cache = manager.createCache(name, config);
      // both lane threads block on their first event; two events fill the queue of 2
      for (int i = 0; i < 6; i++) {
        cache.put("here" + i, "v");
      }
      ListenerStatistics missed = cache.unwrap(CascadeCache.class).listeners();
      assertTrue(missed.eventsDropped() > 0, "dropped: " + missed.eventsDropped());
      assertTrue(
          log.messages(Level.WARNING, "Dropped an event of cache '" + name + "'").size() == 1,
          log.describe());
      release.countDown();
    }
  }

  @Test
  void badEventSettings_areRefusedNamingTheSetting(RedisServer redis) {
    for (String[] bad :
        new String[][] {{"cascade.event-queue", "0"}, {"cascade.event-threads", "17"}}) {
      String key = bad[0];
      CacheException e =
          assertThrows(
              CacheException.class, () -> open(redis.uri(), setting(key, bad[1])).close(), key);
      assertTrue(e.getMessage().contains(key), e.getMessage());
    }
  }

  private static CacheManager open(String uri, Properties properties) {
    return new CascadeCachingProvider()
        .getCacheManager(
            URI.create(uri), ListenerBackPressureTest.class.getClassLoader(), properties);
  }

  private static Properties setting(String key, String value) {
    Properties p = new Properties();
    p.setProperty(key, value);
    return p;
  }

  /** Blocks on its first event until released; records every key it hears. */
  public static final class Blocking
      implements CacheEntryCreatedListener<String, String>, Serializable {
    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      for (CacheEntryEvent<? extends String, ? extends String> e : events) {
        HEARD.add(e.getKey());
        try {
          release.await();
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
