package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.util.ArrayList;
import java.util.List;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cache closed and opened again in the same CacheManager: its changes go through the same
 * operation log in Redis as before, so the new handle must not reuse an id the log still holds (it
 * would be answered with the old call's reply and change nothing).
 */
@WithRedis
@Timeout(60)
class ReopenedCacheTest {

  @Test
  void remove_afterCloseAndReopen_removesEveryKey(RedisServer redis) {
    CacheManager manager = Managers.open(redis);
    String name = Managers.uniqueName("reopened");
    MutableConfiguration<String, String> config =
        new MutableConfiguration<String, String>().setTypes(String.class, String.class);
    try {
      Cache<String, String> first = manager.createCache(name, config);
      for (int i = 0; i < 200; i++) {
        assertTrue(first.putIfAbsent("a" + i, "v"));
      }
      first.close();

      // the same keys in the same order: the n-th call of the new handle goes to the partition of
      // the old handle's n-th call, where the log still holds that call's reply
      Cache<String, String> again = manager.getCache(name, String.class, String.class);
      List<String> lost = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        boolean removed = again.remove("a" + i);
        if (!removed || again.get("a" + i) != null) {
          lost.add("a" + i + (removed ? " (answered true, still there)" : " (answered false)"));
        }
      }
      assertEquals(List.of(), lost, "removes of the reopened cache that did not take effect");
    } finally {
      manager.close();
    }
  }
}
