package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cascade.testing.Await;
import dev.cascade.testing.RedisProxy;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A flusher's fenced read ({@code WATCH} of the lease, {@code MULTI}, {@code XREADGROUP}, {@code
 * EXEC}) whose outcome it never learns, because the command timeout passes first:
 *
 * <ul>
 *   <li>{@link RedisProxy.Direction#REPLIES}: the {@code EXEC} ran, and moved the records into the
 *       flusher's name, but its reply comes too late: the flusher must notice records pending in
 *       its name that it does not hold, and take them over;
 *   <li>{@link RedisProxy.Direction#REQUESTS}: the {@code EXEC} itself reaches Redis late, after
 *       the flusher gave up on the connection and went on, while new records keep arriving: a late
 *       {@code EXEC} that ran would move them into the flusher's name unseen; the flusher's next
 *       step renews its lease first, which makes the {@code WATCH} discard it.
 * </ul>
 *
 * Either way every record reaches the table soon after, not after {@code claimIdle} (ten minutes
 * here: records stranded in the flusher's name would make the drain time out), the table equals the
 * cache, and nothing stays pending.
 */
@WithRedis
@Timeout(120)
class FencedReadInDoubtTest {

  private static final int PARTITIONS = 1;

  @ParameterizedTest
  @EnumSource(RedisProxy.Direction.class)
  void aReadWhoseOutcomeIsUnknown_strandsNoRecord(RedisProxy.Direction held, RedisServer redis)
      throws Exception {
    try (RedisProxy proxy = new RedisProxy(redis.port());
        TableFixture t = new TableFixture("wb_indoubt")) {
      CacheManager manager =
          TableFixture.manager("redis://127.0.0.1:" + proxy.port(), Duration.ofMillis(500));
      try {
        String name = WriteBehindTest.name("indoubt");
        Cache<String, String> cache =
            manager.createCache(
                name,
                WriteBehindTest.writeBehind(
                    t.eagerWriteBehind(PARTITIONS).claimIdle(Duration.ofMinutes(10))));
        // a first record flushed: the partition is taken over, so the next XREADGROUP sent is a
        // fenced read of new records (a takeover reads its own pending records the same way)
        putSurely(cache, "first", "v0");
        Await.until("the first record is flushed", () -> t.rows().containsKey("first"));

        proxy.holdAfterNext("XREADGROUP", held, 2_000);
        for (int i = 1; i <= 200; i++) {
          // over about 3 s: records arrive while the read is held
          putSurely(cache, "k" + i, "v" + i);
          Thread.sleep(15);
        }
        Await.until("the proxy held a fenced read", proxy::triggered);

        Map<String, String> table = new TreeMap<>(t.drained(cache, Duration.ofSeconds(30)));
        assertEquals(201, table.size(), "every record reached the table: " + table.keySet());
        assertEquals(
            new TreeMap<>(TableFixture.contents(cache, table.keySet())),
            table,
            "the table equals the cache once the queue drained");
        AcknowledgedPuts.assertNothingPending(redis, name, PARTITIONS, 0);
      } finally {
        manager.close();
      }
    }
  }

  /**
   * A put, tried again if it fails: the fault here is in the flusher's read, but a put on a loaded
   * machine may also miss the 500 ms timeout, and the test needs every key in the cache.
   */
  private static void putSurely(Cache<String, String> cache, String key, String value) {
    for (int attempt = 1; ; attempt++) {
      try {
        cache.put(key, value);
        return;
      } catch (CacheException e) {
        if (attempt == 10) {
          throw e;
        }
      }
    }
  }
}
