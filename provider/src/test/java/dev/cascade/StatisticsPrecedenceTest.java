package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.net.URI;
import java.util.Properties;
import javax.cache.CacheManager;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * cascade.statistics=true is the manager-wide default: it switches on the statistics of a cache
 * whose configuration did not say (a framework's default MutableConfiguration), but not of one set
 * to false for that cache; cascade.cache.NAME.statistics still decides for its cache.
 */
@WithRedis
class StatisticsPrecedenceTest {

  private CacheManager manager;

  @AfterEach
  void close() {
    if (manager != null) {
      manager.close();
    }
  }

  @Test
  void aCachesOwnFalse_winsOverTheManagerWideTrue(RedisServer redis) {
    Properties p = new Properties();
    p.setProperty("cascade.statistics", "true");
    p.setProperty("cascade.cache.stats-forced.statistics", "true");
    manager =
        new CascadeCachingProvider()
            .getCacheManager(URI.create(redis.uri()), getClass().getClassLoader(), p);
    String off = Managers.uniqueName("stats-off");
    String plain = Managers.uniqueName("stats-plain");
    manager.createCache(off, new CascadeConfiguration<>().setStatisticsEnabled(false));
    manager.createCache(plain, new MutableConfiguration<>());
    manager.createCache("stats-forced", new CascadeConfiguration<>().setStatisticsEnabled(false));

    assertFalse(statistics(off), "statistics: false for this cache");
    assertTrue(statistics(plain), "no choice: the manager-wide default");
    assertTrue(statistics("stats-forced"), "cascade.cache.<name>.statistics decides");
    manager.destroyCache(off);
    manager.destroyCache(plain);
    manager.destroyCache("stats-forced");
  }

  private boolean statistics(String cache) {
    return manager
        .getCache(cache)
        .getConfiguration(CompleteConfiguration.class)
        .isStatisticsEnabled();
  }
}
