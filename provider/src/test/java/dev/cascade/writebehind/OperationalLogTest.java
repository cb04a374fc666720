package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeCache;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.testing.LogCapture;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an operator reads in the application's log (through SLF4J; the tests bind it to
 * java.util.logging): the flusher's lease changes, a dead-lettered record and Redis going away and
 * coming back, each once, naming the cache and the partition, and nothing per operation.
 */
@WithRedis
@Timeout(120)
class OperationalLogTest {

  private LogCapture log;

  @BeforeEach
  void capture() {
    log = LogCapture.of("dev.cascade", Level.INFO);
  }

  @AfterEach
  void release() {
    log.close();
  }

  @Test
  void leases_deadLetters_andAnOutage_areLoggedOnceEach_withCacheAndPartition(RedisServer redis)
      throws Exception {
    String name = WriteBehindTest.name("oplog");
    CacheManager manager =
        new CascadeCachingProvider()
            .getCacheManager(
                URI.create(redis.uri() + "?timeout=1s"), OperationalLogTest.class.getClassLoader());
    try {
      Cache<String, String> cache =
          manager.createCache(
              name,
              WriteBehindTest.writeBehind(
                  WriteBehind.<String, String>of(FactoryBuilder.factoryOf(RefusingWriter.class))
                      .partitions(4)
                      .maxDelay(Duration.ofMillis(20))
                      .retryLimit(2)
                      .backoff(Duration.ofMillis(10), Duration.ofMillis(20))));
      await(() -> !messages(Level.INFO, "took the flush leases").isEmpty(), "a lease message");
      String took = messages(Level.INFO, "took the flush leases").get(0);
      assertTrue(took.contains("'" + name + "'") && took.contains("4 of 4"), took);

      for (int i = 0; i < 100; i++) {
        cache.put("k" + i, "v" + i);
      }
      cache.put("poison", "x");
      WriteBehindMXBean stats = cache.unwrap(CascadeCache.class).writeBehind();
      // a change is charged with a failure only while other changes succeed (a lone failing change
      // could as well be an outage): keep good changes coming until the poison is dead-lettered
      int[] more = {0};
      await(
          () -> {
            cache.put("good" + more[0]++ % 50, "v");
            return stats.getDeadLetters() == 1;
          },
          "the poison record in the dead letters (last error " + stats.getLastError() + ")");
      // the count is read from Redis, where the script moved the record; the flusher warns once it
      // has the script's reply, a moment later
      await(
          () -> !messages(Level.WARNING, "dead letters").isEmpty(),
          "a warning about the dead-lettered record");
      List<String> dead = messages(Level.WARNING, "dead letters");
      assertEquals(1, dead.size(), "one warning for one dead-lettered key: " + dead);
      assertTrue(
          dead.get(0).contains("'" + name + "', partition ")
              && dead.get(0).contains("refused poison"),
          dead.get(0));

      redis.pause();
      try {
        await(
            () -> !messages(Level.WARNING, "does not answer").isEmpty(),
            "a warning that Redis does not answer");
        Thread.sleep(2_500); // several more failed flush steps while Redis is paused
      } finally {
        redis.resume();
      }
      await(() -> !messages(Level.INFO, "answers again").isEmpty(), "a message that it is back");
      assertEquals(
          1,
          messages(Level.WARNING, "does not answer").size(),
          "one warning per outage, not per step: " + messages(Level.WARNING, "does not answer"));
      assertTrue(messages(Level.WARNING, "does not answer").get(0).contains("'" + name + "'"));
      // the values never reach the log: an operator's log is read by more people than the data
      assertTrue(
          log.records().stream().noneMatch(r -> LogCapture.format(r).contains("v99")),
          "no value in any message");
    } finally {
      manager.close();
    }
  }

  private List<String> messages(Level level, String containing) {
    return log.messages(level, containing);
  }

  private void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + what + " within 30 s; logged: " + log.describe());
      }
      Thread.sleep(20);
    }
  }

  /** Writes nothing anywhere and refuses one key, as a database refuses a row it cannot hold. */
  public static final class RefusingWriter implements CacheWriter<String, String> {
    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      if (entry.getKey().equals("poison")) {
        throw new CacheWriterException("refused poison");
      }
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      // as CacheWriter says: what is written leaves the collection, what is left failed
      for (java.util.Iterator<Cache.Entry<? extends String, ? extends String>> i =
              entries.iterator();
          i.hasNext(); ) {
        write(i.next());
        i.remove();
      }
    }

    @Override
    public void delete(Object key) {}

    @Override
    public void deleteAll(Collection<?> keys) {
      keys.clear();
    }
  }
}
