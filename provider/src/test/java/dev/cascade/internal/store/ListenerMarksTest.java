package dev.cascade.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A JVM that listened to a cache and died without closing it leaves its mark in every partition's
 * listener hash, and every other listening JVM's renewal extends those hashes: the marks of the
 * dead must be removed by the living, or every JVM would publish its changes (and keep expired
 * entries for the dead one's grace) for good, one more mark after every restart.
 */
@WithRedis
@Timeout(30)
class ListenerMarksTest {

  private static final int PARTITIONS = 4;

  private RedisAccess redis;
  private KeyLayout layout;
  private EntryStore store;

  @BeforeEach
  void open(RedisServer server) {
    redis = RedisAccess.connect(RedisTarget.parse(server.uri(), Duration.ofSeconds(5)));
    layout = new KeyLayout("listener-marks-" + System.nanoTime(), PARTITIONS);
    store = new EntryStore(redis, layout, b("alive-here"));
  }

  @AfterEach
  void close() {
    redis.close();
  }

  @Test
  void theMarksOfASilentJvm_areRemoved_thoseOfLiveAndUnknownOnesStay() {
    store.flagListening(0, 60_000);
    long now = System.currentTimeMillis();
    mark("dead", now - 600_000);
    mark("alive-elsewhere", now - 1_000);
    mark("older-version", -1); // renews its marks but not the renewal time

    assertEquals(List.of("dead"), store.forgetSilentListeners(180_000));

    for (int p = 0; p < PARTITIONS; p++) {
      assertEquals(
          Set.of("alive-here", "alive-elsewhere", "older-version"),
          fields(layout.listenerFlag(p)),
          "partition " + p);
    }
    assertEquals(Set.of("alive-here", "alive-elsewhere"), fields(layout.listenersSeenKey()));
    assertTrue(store.othersListen());
    assertEquals(List.of(), store.forgetSilentListeners(180_000), "nothing more to remove");
  }

  @Test
  void othersListen_whileTheRosterOrPartitionZeroNamesAnother_evenIfTheOtherIsLost() {
    store.flagListening(0, 60_000);
    assertFalse(store.othersListen(), "only this JVM listens");
    mark("elsewhere", System.currentTimeMillis());
    assertTrue(store.othersListen());

    redis.await(redis.commands().del(layout.listenerFlag(0)), "lose partition 0's marks");
    assertTrue(store.othersListen(), "the roster still names the other JVM");

    mark("elsewhere", System.currentTimeMillis());
    redis.await(redis.commands().del(layout.listenersSeenKey()), "lose the roster");
    assertTrue(store.othersListen(), "partition 0 still names the other JVM");

    EntryStore.MarksRenewed renewed = store.flagListening(0, 60_000);
    assertEquals(1, renewed.partitionsMissing(), "this JVM's mark went with partition 0's");
    assertTrue(renewed.rosterMissing(), "a renewal says what Redis lost");
    assertFalse(store.flagListening(0, 60_000).anyMissing(), "and a second one finds all");
  }

  @Test
  void unflagging_removesTheRenewalTimeToo() {
    store.flagListening(0, 60_000);
    store.unflagListening();
    assertEquals(Set.of(), fields(layout.listenersSeenKey()));
  }

  /** Another JVM's marks, renewed at {@code at} (epoch ms; negative: no renewal time). */
  private void mark(String origin, long at) {
    for (int p = 0; p < PARTITIONS; p++) {
      redis.await(redis.commands().hset(layout.listenerFlag(p), b(origin), b("30000")), "arrange");
    }
    if (at >= 0) {
      redis.await(
          redis.commands().hset(layout.listenersSeenKey(), b(origin), b(Long.toString(at))),
          "arrange");
    }
  }

  private Set<String> fields(byte[] key) {
    Set<String> out = new TreeSet<>();
    for (byte[] f : redis.await(redis.commands().hkeys(key), "reading")) {
      out.add(new String(f, StandardCharsets.UTF_8));
    }
    return out;
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
