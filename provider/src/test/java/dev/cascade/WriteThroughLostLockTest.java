package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.integration.CacheWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A write-through writer runs longer than the key's lock lease: another JVM takes the lock, writes
 * its value to the database and the cache, and then the slow writer's older value reaches the
 * database. The slow put fails (its lock is gone, the cache must not take its value), but the cache
 * must not keep the other value either, which the database no longer holds: the entry is removed,
 * so the next read goes to the database.
 */
@WithRedis
@Timeout(60)
class WriteThroughLostLockTest {

  /** The database: one map, as two JVMs would share one table. */
  static final Map<String, String> TABLE = new ConcurrentHashMap<>();

  static final CountDownLatch SLOW_STARTED = new CountDownLatch(1);
  static final CountDownLatch FAST_WRITTEN = new CountDownLatch(1);

  @Test
  void aWriterThatOutlivesItsLease_leavesNoValueInTheCacheThatTheDatabaseLacks(RedisServer redis)
      throws Exception {
    String name = Managers.uniqueName("lost-lock");
    CacheManager slowJvm = Managers.open(redis);
    CacheManager fastJvm = Managers.open(redis);
    ExecutorService threads = Executors.newSingleThreadExecutor();
    try {
      Cache<String, String> slow = slowJvm.createCache(name, config());
      Cache<String, String> fast = fastJvm.createCache(name, config());

      Future<?> slowPut = threads.submit(() -> slow.put("k", "slow"));
      assertTrue(SLOW_STARTED.await(10, TimeUnit.SECONDS), "the slow writer never ran");
      Thread.sleep(600); // the slow put's lease (300 ms) runs out while its writer waits
      fast.put("k", "fast"); // takes the lock, writes the table and the cache
      FAST_WRITTEN.countDown(); // now the slow writer writes its older value

      ExecutionException failed =
          assertThrows(ExecutionException.class, () -> slowPut.get(20, TimeUnit.SECONDS));
      assertInstanceOf(CacheException.class, failed.getCause());
      assertEquals("slow", TABLE.get("k"), "the slow writer wrote last");
      String cached = fast.get("k");
      assertTrue(
          cached == null || cached.equals(TABLE.get("k")),
          "the cache holds " + cached + " while the database holds " + TABLE.get("k"));
    } finally {
      threads.shutdownNow();
      slowJvm.close();
      fastJvm.close();
    }
  }

  private static CascadeConfiguration<String, String> config() {
    CascadeConfiguration<String, String> c = new CascadeConfiguration<>();
    c.setTypes(String.class, String.class);
    c.setWriteThrough(true);
    c.setCacheWriterFactory(new FactoryBuilder.SingletonFactory<>(new SlowForSlow()));
    c.setLockLease(Duration.ofMillis(300));
    return c;
  }

  /** Writes to {@link #TABLE}; the value "slow" only after the other JVM wrote. */
  static final class SlowForSlow implements CacheWriter<String, String> {
    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      if ("slow".equals(entry.getValue())) {
        SLOW_STARTED.countDown();
        try {
          FAST_WRITTEN.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      TABLE.put(entry.getKey(), entry.getValue());
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      entries.forEach(this::write);
      entries.clear();
    }

    @Override
    public void delete(Object key) {
      TABLE.remove(key);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      keys.forEach(TABLE::remove);
      keys.clear();
    }
  }
}
