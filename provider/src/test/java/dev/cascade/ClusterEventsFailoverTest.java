package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.testing.Await;
import dev.cascade.testing.RedisCluster;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedisCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Events between JVMs on a cluster survive the loss of the node a listener's pub/sub connection is
 * attached to: Lettuce reconnects it to another node and subscribes again, and since PUBLISH
 * reaches every node of a cluster, the listener hears every change again. (Events published while
 * it reconnects are lost, as pub/sub is at most once.)
 *
 * <p>The listener's marks in the dead master's partitions are lost too, as a replica promoted
 * before it received them would lose them (here they are deleted just before the kill, so the test
 * does not depend on how fast replication was): until they are back, writers do not publish the
 * changes of those partitions. The listening JVM puts them back once it sees the new topology.
 */
@WithRedisCluster
@Timeout(120)
class ClusterEventsFailoverTest {

  @Test
  void listenerInAnotherManager_hearsChangesAgain_afterItsPubSubNodeDies(RedisCluster cluster)
      throws Exception {
    CacheManager writerManager = Managers.open(cluster.seedUri() + "?timeout=2s");
    CacheManager listenerManager = Managers.open(cluster.seedUri() + "?timeout=2s");
    try {
      String name = Managers.uniqueName("events-failover");
      Cache<String, String> writer =
          writerManager.createCache(
              name,
              new MutableConfiguration<String, String>().setTypes(String.class, String.class));
      Cache<String, String> listening = listenerManager.getCache(name, String.class, String.class);
      ClusterCacheTest.QueueListener.EVENTS.clear();
      listening.registerCacheEntryListener(
          new MutableCacheEntryListenerConfiguration<>(
              FactoryBuilder.factoryOf(ClusterCacheTest.QueueListener.class), null, false, false));
      assertTrue(
          heardAgain(writer, Duration.ofSeconds(10)), "the listener hears the other manager");

      // the listening manager's pub/sub connection is the one subscribed to two channels (control +
      // events)
      RedisServer node = null;
      for (RedisServer n : cluster.nodes()) {
        if (n.isRunning()
            && String.valueOf(n.command("CLIENT", "LIST", "TYPE", "pubsub")).contains(" sub=2 ")) {
          node = n;
        }
      }
      assertTrue(node != null, "found the node of the listener's subscription");
      KeyLayout layout = new KeyLayout(name, CascadeConfiguration.DEFAULT_PARTITIONS);
      if (cluster.masters().contains(node)) {
        for (int p = 0; p < layout.partitions(); p++) {
          String mark = new String(layout.listenerFlag(p), StandardCharsets.UTF_8);
          if (cluster.masterForSlot(RedisCluster.slot(mark)) == node) {
            node.command("DEL", mark);
          }
        }
        cluster.killMaster(node);
        cluster.awaitFailover(node, Duration.ofSeconds(60));
      } else {
        node.kill();
      }

      Await.until(
          "the listener's marks are in every partition again",
          () -> {
            for (int p = 0; p < layout.partitions(); p++) {
              String mark = new String(layout.listenerFlag(p), StandardCharsets.UTF_8);
              Object marks = cluster.masterForSlot(RedisCluster.slot(mark)).command("HLEN", mark);
              if (!Long.valueOf(1).equals(marks)) {
                return false;
              }
            }
            return true;
          });
      assertTrue(
          heardAgain(writer, Duration.ofSeconds(30)),
          "the listener hears changes again after the node of its subscription died");
      ClusterCacheTest.QueueListener.EVENTS.clear();
      Set<String> created = new HashSet<>();
      for (int i = 0; i < 300; i++) {
        putRetrying(writer, "after-" + i);
      }
      long until = System.currentTimeMillis() + 20_000;
      while (created.size() < 300 && System.currentTimeMillis() < until) {
        String event = ClusterCacheTest.QueueListener.EVENTS.poll(500, TimeUnit.MILLISECONDS);
        if (event != null && event.startsWith("CREATED after-")) {
          created.add(event);
        }
      }
      if (created.size() < 300) {
        // which partitions went unheard says which of the causes above it was
        Set<Integer> unheard = new TreeSet<>();
        for (int i = 0; i < 300; i++) {
          if (!created.contains("CREATED after-" + i)) {
            unheard.add(layout.partition(("after-" + i).getBytes(StandardCharsets.UTF_8)));
          }
        }
        assertEquals(
            300,
            created.size(),
            "every change after the reconnect is heard; unheard in " + unheard);
      }
    } finally {
      writerManager.close();
      listenerManager.close();
    }
  }

  /** A put that an application would retry while its slot fails over. */
  private static void putRetrying(Cache<String, String> cache, String key)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (true) {
      try {
        cache.put(key, "v");
        return;
      } catch (javax.cache.CacheException e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  /** Puts probe keys until the listener hears one (true) or the time is up (false). */
  private static boolean heardAgain(Cache<String, String> writer, Duration within)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + within.toMillis();
    for (int probe = 0; System.currentTimeMillis() < deadline; probe++) {
      try {
        writer.put("probe-" + probe + "-" + System.nanoTime(), "p");
      } catch (javax.cache.CacheException e) {
        Thread.sleep(100); // the slot of this probe may still be failing over
        continue;
      }
      String event = ClusterCacheTest.QueueListener.EVENTS.poll(200, TimeUnit.MILLISECONDS);
      if (event != null && event.startsWith("CREATED probe-")) {
        return true;
      }
    }
    return false;
  }
}
