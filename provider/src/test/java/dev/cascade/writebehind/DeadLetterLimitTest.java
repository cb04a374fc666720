package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeAdmin;
import dev.cascade.CascadeCache;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.integration.CacheWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Dead letters are bounded: {@code XADD MAXLEN ~ deadLetterLimit} keeps about that many, the
 * newest, however many records the writer refuses.
 */
@WithRedis
@Timeout(180)
class DeadLetterLimitTest {

  @Test
  void manyPoisonRecords_keepAboutTheLimit_newestFirst(RedisServer redis) {
    try (CacheManager manager =
            new CascadeCachingProvider()
                .getCacheManager(
                    URI.create(redis.uri()), DeadLetterLimitTest.class.getClassLoader());
        TableFixture t = new TableFixture("wb_deadlimit", ", CHECK (v <> 'poison')")) {
      String name = WriteBehindTest.name("deadlimit");
      Cache<String, String> cache =
          manager.createCache(
              name,
              WriteBehindTest.writeBehind(
                  WriteBehind.of(t.writerFactory())
                      .deadLetterLimit(10)
                      .retryLimit(1)
                      .partitions(1)
                      .backoff(Duration.ofMillis(5), Duration.ofMillis(20))
                      .maxDelay(Duration.ofMillis(20))));
      // One poison record per batch, with good ones, the queue drained in between, so the letters
      // are written in key order (dense refusals: WriteBehindDenseRefusalsTest). 130 letters fill
      // several stream nodes (at most 100 entries or 4 KB each), which MAXLEN ~ can drop.
      WriteBehindMXBean wb = cache.unwrap(CascadeCache.class).writeBehind();
      int poisoned = 130;
      int good = 0;
      for (int i = 0; i < poisoned; i++) {
        for (int j = 0; j < 5; j++) {
          cache.put("good" + good, "v" + good++);
        }
        cache.put("bad" + i, "poison");
        long nudgeAt = System.currentTimeMillis() + 1_000;
        long deadline = System.currentTimeMillis() + 30_000;
        while (wb.getQueueDepth() > 0) {
          assertTrue(System.currentTimeMillis() < deadline, "stuck: " + wb.getLastError());
          if (System.currentTimeMillis() > nudgeAt) {
            // not needed since a CHECK violation alone is charged; kept as a guard against a stall
            cache.put("good" + good, "v" + good++);
            nudgeAt = System.currentTimeMillis() + 1_000;
          }
          TableFixture.sleep(5);
        }
      }
      t.drained(cache, Duration.ofSeconds(120));
      assertEquals(good, t.rows().size());
      long letters = wb.getDeadLetters();
      // MAXLEN ~ trims whole stream nodes (at most 100 entries, 4 KB): at least the limit stays, at
      // most about a node more (19 in a run); without the limit all 130 would
      assertTrue(letters >= 10 && letters <= 10 + 100, "dead letters: " + letters);
      try (CascadeAdmin admin = CascadeAdmin.of(manager)) {
        List<CascadeAdmin.DeadLetter> kept = admin.deadLetters(name, 1000);
        assertEquals(letters, kept.size());
        // the newest are kept: the last poisoned key is among them
        assertEquals("bad" + (poisoned - 1), kept.get(kept.size() - 1).key().decoded());
      }
      manager.destroyCache(name);
    }
  }

  @Test
  void deadLetterLimit_isPositive_andDefaultsToTenThousand() {
    assertEquals(10_000, WriteBehindSettings.DEFAULT_DEAD_LETTER_LIMIT);
    assertEquals(
        10_000, WriteBehind.settingsOf(WriteBehind.of(NoopWriter::new).build()).deadLetterLimit());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> WriteBehind.of(NoopWriter::new).deadLetterLimit(0));
    assertTrue(e.getMessage().contains("deadLetterLimit"), e.getMessage());
  }

  /** A writer that writes nothing (settings tests only). */
  static final class NoopWriter implements CacheWriter<String, String> {
    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {}

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {}

    @Override
    public void delete(Object key) {}

    @Override
    public void deleteAll(Collection<?> keys) {}
  }
}
