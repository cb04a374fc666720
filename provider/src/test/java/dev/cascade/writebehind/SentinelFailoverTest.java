package dev.cascade.writebehind;

import dev.cascade.testing.RedisSentinelGroup;
import dev.cascade.testing.RedisServer;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * {@link PrimaryFailoverContract} on a Sentinel group (a primary, a replica, three sentinels): the
 * primary holds every partition, so every key is on the victim.
 */
class SentinelFailoverTest extends PrimaryFailoverContract {

  @Override
  Topology start() {
    RedisSentinelGroup group = RedisSentinelGroup.start();
    return new Topology() {
      @Override
      public String uri() {
        return group.sentinelUri().replace("#", "?timeout=2s#");
      }

      @Override
      public RedisServer victim(String cacheName) {
        return group.currentPrimary();
      }

      @Override
      public Predicate<String> onVictim(String cacheName, RedisServer victim) {
        return key -> true;
      }

      @Override
      public RedisServer replicaOf(RedisServer victim) {
        return group.replica();
      }

      @Override
      public void kill(RedisServer victim) {
        RedisServer killed = group.killPrimary();
        if (killed.port() != victim.port()) {
          throw new AssertionError(
              "the primary changed before the kill: " + victim + ", then " + killed);
        }
      }

      @Override
      public RedisServer awaitFailover(RedisServer victim, Duration timeout) {
        return group.awaitFailover(timeout);
      }

      @Override
      public String label() {
        return "sentinel";
      }

      @Override
      public void close() {
        group.close();
      }
    };
  }
}
