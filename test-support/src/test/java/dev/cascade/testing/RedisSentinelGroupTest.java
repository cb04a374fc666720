package dev.cascade.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/** One group for the class; the failover test runs last because it changes who is primary. */
@WithRedisSentinel
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisSentinelGroupTest {

  @Test
  @Order(1)
  void start_sentinelsNameThePrimary(RedisSentinelGroup group) {
    assertEquals(group.primary().port(), group.currentPrimaryPort());
    assertEquals(3, group.sentinels().size());
    assertEquals("slave", group.replica().info("replication").get("role"));
    String uri = group.sentinelUri();
    assertTrue(uri.startsWith("redis-sentinel://127.0.0.1:") && uri.endsWith("#mymaster"), uri);
    assertEquals(group.masterName(), RedisURI.create(uri).getSentinelMasterId());
    assertEquals(3, RedisURI.create(uri).getSentinels().size());
  }

  @Test
  @Order(2)
  void killPrimary_awaitFailover_replicaBecomesPrimaryWithData(RedisSentinelGroup group) {
    RedisClient client = RedisClient.create();
    RedisURI uri = RedisURI.create(group.sentinelUri());
    uri.setTimeout(Duration.ofSeconds(10));
    try (StatefulRedisConnection<String, String> connection = client.connect(uri)) {
      connection.sync().set("k", "v");
      assertEquals(1L, connection.sync().waitForReplication(1, 2000));
    }

    RedisServer killed = group.killPrimary();
    RedisServer promoted = group.awaitFailover(Duration.ofSeconds(30));

    assertFalse(killed.isRunning());
    assertEquals(group.replica(), promoted);
    assertEquals(promoted.port(), group.currentPrimaryPort());
    try (StatefulRedisConnection<String, String> connection = client.connect(uri)) {
      assertEquals(
          "v", connection.sync().get("k"), "a new sentinel connection finds the new primary");
      connection.sync().set("k", "v2");
    } finally {
      client.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }
}
