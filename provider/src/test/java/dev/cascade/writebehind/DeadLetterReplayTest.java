package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeAdmin;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.net.URI;
import java.sql.SQLIntegrityConstraintViolationException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replaying a dead-lettered delete must not take a newer write of its key out of the queue: a put
 * acknowledged after the delete failed, still queued and unread, and no longer in the cache (its
 * entry expired). Before, the replayed delete found the entry absent, was queued, and coalescing
 * replaced the unread put with it: an acknowledged write never reached the database.
 */
@WithRedis
@Timeout(60)
class DeadLetterReplayTest {

  static final Map<String, String> TABLE = new ConcurrentHashMap<>();
  static volatile boolean refuseDeletes = true;
  static final CountDownLatch HOLD = new CountDownLatch(1);

  @Test
  void aReplayedDelete_leavesANewerQueuedPutAlone(RedisServer redis) throws Exception {
    CacheManager manager =
        new CascadeCachingProvider()
            .getCacheManager(URI.create(redis.uri()), getClass().getClassLoader());
    String name = "replayed-delete-" + UUID.randomUUID().toString().substring(0, 8);
    try (CascadeAdmin admin = CascadeAdmin.of(manager)) {
      Cache<String, String> cache =
          manager.createCache(
              name,
              new MutableConfiguration<String, String>()
                  .setTypes(String.class, String.class)
                  .setExpiryPolicyFactory(
                      CreatedExpiryPolicy.factoryOf(
                          new javax.cache.expiry.Duration(TimeUnit.MILLISECONDS, 300)))
                  .setWriteThrough(true)
                  .setCacheWriterFactory(
                      WriteBehind.of(new FactoryBuilder.SingletonFactory<>(new Table()))
                          .partitions(1)
                          .batchSize(1)
                          .maxDelay(Duration.ofMillis(20))
                          .retryLimit(1)
                          .build()));

      cache.remove("k"); // the table refuses it: a dead letter
      long deadline = System.currentTimeMillis() + 20_000;
      while (admin.deadLetters(name, 10).isEmpty()) {
        assertTrue(System.currentTimeMillis() < deadline, "the delete never became a dead letter");
        Thread.sleep(20);
      }
      refuseDeletes = false;

      cache.put("held", "x"); // the flusher's next writer call waits on HOLD
      Thread.sleep(300); // it has read "held" and waits; "k" will stay unread behind it
      cache.put("k", "v2"); // acknowledged: queued, unread
      Thread.sleep(500); // the entry expires in the cache; its record is still queued

      List<CascadeAdmin.Replay> replays = admin.replayAll(name);
      HOLD.countDown();

      assertEquals(1, replays.size());
      assertEquals(
          CascadeAdmin.ReplayResult.SUPERSEDED, replays.get(0).result(), replays.toString());
      while (!"v2".equals(TABLE.get("k"))) {
        assertTrue(
            System.currentTimeMillis() < deadline + 20_000,
            "the acknowledged put of k never reached the table: " + TABLE);
        Thread.sleep(20);
      }
    } finally {
      HOLD.countDown();
      manager.close();
    }
  }

  /** The database: refuses deletes until told, and holds the write of "held" until released. */
  static final class Table implements CacheWriter<String, String>, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public void write(javax.cache.Cache.Entry<? extends String, ? extends String> entry) {
      if (entry.getKey().equals("held")) {
        try {
          HOLD.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      TABLE.put(entry.getKey(), entry.getValue());
    }

    @Override
    public void writeAll(
        Collection<javax.cache.Cache.Entry<? extends String, ? extends String>> entries) {
      for (javax.cache.Cache.Entry<? extends String, ? extends String> e : entries) {
        write(e);
      }
      entries.clear();
    }

    @Override
    public void delete(Object key) {
      if (refuseDeletes) {
        throw new CacheWriterException(
            "refused", new SQLIntegrityConstraintViolationException("a row refers to it"));
      }
      TABLE.remove(key);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      for (Object key : List.copyOf(keys)) {
        delete(key);
        keys.remove(key);
      }
    }
  }
}
