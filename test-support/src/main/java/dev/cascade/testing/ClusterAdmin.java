package dev.cascade.testing;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Lettuce connections to single cluster nodes, for the {@code CLUSTER ...} commands that form and
 * inspect a {@link RedisCluster}. Plain per-node connections, not a cluster client: a cluster that
 * is being built has no slot map to route by.
 *
 * <p>Connections do not reconnect by themselves: the fixtures kill nodes on purpose, and a
 * connection to a dead node should fail fast (and be replaced on next use) instead of retrying and
 * logging in the background.
 *
 * <p>Thread-safe: Lettuce connections are; the cache is a concurrent map.
 */
final class ClusterAdmin implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final RedisClient client;
  private final Map<Integer, StatefulRedisConnection<String, String>> connections =
      new ConcurrentHashMap<>();

  ClusterAdmin() {
    client = RedisClient.create();
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(false)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(TIMEOUT))
            .build());
  }

  /** Synchronous commands on the node at {@code port}, over a cached connection. */
  RedisCommands<String, String> on(int port) {
    StatefulRedisConnection<String, String> connection =
        connections.compute(
            port,
            (p, existing) -> {
              if (existing != null && existing.isOpen()) {
                return existing;
              }
              if (existing != null) {
                existing.close();
              }
              return client.connect(
                  RedisURI.builder()
                      .withHost(RedisServer.HOST)
                      .withPort(p)
                      .withTimeout(TIMEOUT)
                      .build());
            });
    return connection.sync();
  }

  /** {@code CLUSTER INFO} of the node as a map. */
  Map<String, String> clusterInfo(int port) {
    return RedisServer.parseInfo(on(port).clusterInfo());
  }

  ClusterTopology topology(int port) {
    return ClusterTopology.parse(on(port).clusterNodes());
  }

  /** Drops the cached connection, e.g. after the node was killed. */
  void forget(int port) {
    StatefulRedisConnection<String, String> connection = connections.remove(port);
    if (connection != null) {
      connection.closeAsync();
    }
  }

  @Override
  public void close() {
    connections.values().forEach(StatefulRedisConnection::closeAsync);
    connections.clear();
    client.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
