package dev.cascade.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.internal.store.KeyLayout;
import dev.cascade.internal.store.QueueStore;
import dev.cascade.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import javax.cache.Cache;
import javax.cache.CacheException;

/**
 * A writer for fault tests: puts numbered values ({@code v<n>}) to {@code k0..k<keys-1>} in turn
 * while a fault goes on and for three rounds of the keys after it, and remembers the newest put of
 * each key that returned and every put that failed (in doubt: it may still have been applied). Then
 * checks a drained table against the cache and against what returned.
 */
final class AcknowledgedPuts implements Callable<Void> {

  private final Cache<String, String> cache;
  private final int keys;
  private final BooleanSupplier faultGoesOn;
  private final long pauseMillis;

  /** The newest put of each key that returned: the table must end with it or a later one. */
  final Map<String, Integer> acknowledged = new ConcurrentHashMap<>();

  /** The puts that failed, with why. */
  final Queue<String> failures = new ConcurrentLinkedQueue<>();

  AcknowledgedPuts(
      Cache<String, String> cache, int keys, BooleanSupplier faultGoesOn, long pauseMillis) {
    this.cache = cache;
    this.keys = keys;
    this.faultGoesOn = faultGoesOn;
    this.pauseMillis = pauseMillis;
  }

  @Override
  public Void call() throws InterruptedException {
    int end = Integer.MAX_VALUE; // set when the fault is over: three rounds of the keys later
    for (int i = 0; i < end; i++) {
      if (end == Integer.MAX_VALUE && !faultGoesOn.getAsBoolean()) {
        end = i + 3 * keys;
      }
      String key = "k" + i % keys;
      try {
        cache.put(key, "v" + i);
        acknowledged.put(key, i);
      } catch (CacheException e) {
        failures.add(key + " = v" + i + ": " + e.getMessage());
      }
      if (pauseMillis > 0) {
        Thread.sleep(pauseMillis);
      }
    }
    return null;
  }

  /**
   * The drained table holds every key, equals the cache, and holds each put that returned or a
   * later one of its key.
   */
  void assertHeldBy(Map<String, String> drainedTable, String context) {
    Map<String, String> table = new TreeMap<>(drainedTable);
    assertEquals(keys, table.size(), "every key written reaches the table (" + context + ")");
    assertEquals(
        new TreeMap<>(TableFixture.contents(cache, table.keySet())),
        table,
        "the table equals the cache once the queue drained (" + context + ")");
    acknowledged.forEach(
        (key, i) ->
            assertTrue(
                Integer.parseInt(table.get(key).substring(1)) >= i,
                key
                    + ": the put of v"
                    + i
                    + " returned, the table holds "
                    + table.get(key)
                    + " ("
                    + context
                    + ")"));
  }

  /** No record of the partition stays pending in the flushers' group on {@code node}. */
  static void assertNothingPending(RedisServer node, String cacheName, int partitions, int p) {
    String stream =
        new String(new KeyLayout(cacheName, partitions).streamKey(p), StandardCharsets.UTF_8);
    List<?> pending = (List<?>) node.command("XPENDING", stream, QueueStore.GROUP);
    assertEquals(0L, pending.get(0), "records left pending in partition " + p + ": " + pending);
  }
}
