package dev.cascade.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cascade.testing.Await;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link RedisAccess#whenRedisMayHaveLost}: what makes a CacheManager put its listener marks back
 * at once. A connection that connects again is a reason (Redis may have restarted empty); a
 * connection's first connect is not (a cluster client opens fresh ones at every topology refresh,
 * which would make every refresh a round of checks).
 */
@WithRedis
@Timeout(60)
class RedisMayHaveLostTest {

  @Test
  void aReconnect_isAReason_aFirstConnectIsNot_andClosingStopsTheCalls(RedisServer server)
      throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (RedisAccess redis =
        RedisAccess.connect(RedisTarget.parse(server.uri(), Duration.ofSeconds(5)))) {
      AutoCloseable watching = redis.whenRedisMayHaveLost(calls::incrementAndGet);
      StatefulRedisPubSubConnection<byte[], byte[]> pubSub = redis.openPubSub();
      StatefulConnection<byte[], byte[]> dedicated = redis.openDedicated();
      try {
        pubSub.sync().subscribe(new byte[] {'c'}); // a pub/sub connection is one once subscribed
        ping(redis);
        assertEquals(0, calls.get(), "connections that connected once: no reason");

        // the shared connection connected before the watch began: its reconnect counts too
        long shared = redis.await(redis.commands().clientId(), "CLIENT ID");
        server.command("CLIENT", "KILL", "ID", Long.toString(shared));
        Await.until("the shared connection's reconnect is a reason", () -> calls.get() >= 1);
        ping(redis);
        int before = calls.get();
        server.command("CLIENT", "KILL", "TYPE", "pubsub");
        Await.until("a pub/sub connection's reconnect is a reason", () -> calls.get() > before);

        watching.close();
        ping(redis); // reconnected: whatever it set off has been said
        calls.set(0);
        server.command("CLIENT", "KILL", "TYPE", "normal");
        server.command("CLIENT", "KILL", "TYPE", "pubsub");
        ping(redis);
        Await.until("the pub/sub connection is back", () -> subscribed(server));
        assertEquals(0, calls.get(), "nothing once closed");
      } finally {
        pubSub.close();
        dedicated.close();
      }
    }
  }

  private static boolean subscribed(RedisServer server) {
    return String.valueOf(server.command("CLIENT", "LIST", "TYPE", "pubsub")).contains("sub=1");
  }

  /** A PING through the shared connection, once it answers (after a reconnect). */
  private static void ping(RedisAccess redis) {
    Await.until(
        "the shared connection answers",
        () -> {
          try {
            redis.await(redis.commands().ping(), "ping");
            return true;
          } catch (RuntimeException notYet) {
            return false;
          }
        });
  }
}
