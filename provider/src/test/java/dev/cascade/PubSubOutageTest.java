package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.Await;
import dev.cascade.testing.LogCapture;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis keeps no pub/sub message for a subscriber that is not connected: the entry events other
 * JVMs publish while this JVM's pub/sub connection is down are lost. That loss is reported (one
 * WARNING naming the server and the caches whose listeners missed events), and events flow again
 * once the connection is back.
 */
@WithRedis
@Timeout(60)
class PubSubOutageTest {

  static final Map<String, BlockingQueue<String>> HEARD = new ConcurrentHashMap<>();

  @Test
  void aDroppedPubSubConnection_isReported_andEventsFlowAgain(RedisServer redis) throws Exception {
    String name = Managers.uniqueName("outage");
    String quiet = Managers.uniqueName("unlistened");
    HEARD.put(name, new LinkedBlockingQueue<>());
    try (LogCapture log = LogCapture.of("dev.cascade", Level.WARNING)) {
      try (CacheManager listening = Managers.open(redis);
          CacheManager writing = Managers.open(redis)) {
        heardAcrossAnOutage(redis, log, name, quiet, listening, writing);
      }
      assertEquals(
          1, log.messages(Level.WARNING, "pub/sub connection").size(), "closing warns of nothing");
    } finally {
      HEARD.remove(name);
    }
  }

  private static void heardAcrossAnOutage(
      RedisServer redis,
      LogCapture log,
      String name,
      String quiet,
      CacheManager listening,
      CacheManager writing)
      throws Exception {
    MutableConfiguration<String, String> plain =
        new MutableConfiguration<String, String>().setTypes(String.class, String.class);
    Cache<String, String> here = listening.createCache(name, plain);
    listening.createCache(quiet, plain);
    here.registerCacheEntryListener(
        new MutableCacheEntryListenerConfiguration<>(
            FactoryBuilder.factoryOf(new Heard(name)), null, false, true));
    Cache<String, String> there = writing.getCache(name, String.class, String.class);
    there.put("before", "1");
    assertEquals("before", HEARD.get(name).poll(20, TimeUnit.SECONDS), "heard before");

    redis.command("CLIENT", "KILL", "TYPE", "pubsub");

    Await.until(
        "a warning about the outage",
        () -> !log.messages(Level.WARNING, "pub/sub connection").isEmpty());
    List<String> warnings = log.messages(Level.WARNING, "pub/sub connection");
    assertEquals(1, warnings.size(), "one warning for the outage: " + warnings);
    String warning = warnings.get(0);
    assertTrue(warning.contains("'" + name + "'"), "names the listened cache: " + warning);
    assertTrue(!warning.contains(quiet), "not a cache nobody listens to here: " + warning);
    assertTrue(warning.contains(String.valueOf(redis.port())), "names the server: " + warning);

    // subscribed again: events published from now on arrive (Lettuce resubscribes on its own,
    // so a put may still come before the SUBSCRIBE: put until one is heard)
    String heard = null;
    for (int i = 0; heard == null && i < 100; i++) {
      there.put("after-" + i, "2");
      heard = HEARD.get(name).poll(200, TimeUnit.MILLISECONDS);
    }
    assertTrue(heard != null && heard.startsWith("after-"), "heard after the outage: " + heard);
  }

  /** Records the keys of created entries for its cache. */
  static final class Heard implements CacheEntryCreatedListener<String, String>, Serializable {
    private static final long serialVersionUID = 1L;
    private final String cacheName;

    Heard(String cacheName) {
      this.cacheName = cacheName;
    }

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      for (CacheEntryEvent<? extends String, ? extends String> e : events) {
        HEARD.get(cacheName).add(e.getKey());
      }
    }
  }
}
