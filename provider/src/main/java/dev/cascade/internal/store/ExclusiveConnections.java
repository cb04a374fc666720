package dev.cascade.internal.store;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Function;
import javax.cache.CacheException;

/**
 * Connections lent to one caller at a time, for commands whose meaning depends on the state of
 * their connection ({@code WATCH} … {@code MULTI}/{@code EXEC}): the shared connection pipelines
 * every thread's commands, so another thread's {@code EXEC} or {@code UNWATCH} could land inside a
 * transaction.
 *
 * <ul>
 *   <li><b>To the key's master:</b> on a cluster, a connection goes to the master that the cluster
 *       client's topology names for the key's slot ({@link NodeRouting}); a cluster connection of
 *       Lettuce's would route each command on its own, {@code MULTI} and {@code EXEC} included. A
 *       {@code MOVED} reply fails the call (the caller's await asks for a topology refresh).
 *   <li><b>No automatic reconnect:</b> a {@code WATCH} sent before a reconnect is gone after it,
 *       and an {@code EXEC} replayed on the new connection would run unguarded. A connection that
 *       drops fails its commands and is discarded; the next call opens a new one (on Sentinel, to
 *       the primary the sentinels name then).
 *   <li><b>Discarded after any failure:</b> a call that failed may leave its connection inside
 *       {@code MULTI} or with keys watched; only a connection whose call returned normally is lent
 *       again.
 * </ul>
 *
 * Thread-safe; idle connections are kept per node (as many as calls ran at once).
 */
final class ExclusiveConnections implements AutoCloseable {

  private final NodeRouting routing;
  private final RedisClient client;
  private final Map<String, ConcurrentLinkedDeque<StatefulRedisConnection<byte[], byte[]>>> idle =
      new ConcurrentHashMap<>();
  private volatile boolean closed;

  ExclusiveConnections(
      RedisTarget target,
      ClientResources resources,
      RedisClusterClient cluster,
      Runnable refreshTopology) {
    this.routing = new NodeRouting(target, cluster, refreshTopology);
    this.client = RedisClient.create(resources);
    client.setOptions(
        RedisAccess.withTls(ClientOptions.builder(), target)
            .autoReconnect(false)
            .timeoutOptions(TimeoutOptions.enabled())
            .build());
  }

  /**
   * Runs {@code call} on a connection of its own to the master of {@code key}'s slot.
   *
   * @param what what the call does, for the message of a failure to connect
   */
  <T> T withConnection(
      byte[] key, String what, Function<RedisAsyncCommands<byte[], byte[]>, T> call) {
    if (closed) {
      throw new CacheException("The CacheManager of " + routing.target() + " is closed");
    }
    RedisURI uri = routing.nodeFor(key);
    String node = routing.nameOf(uri);
    ConcurrentLinkedDeque<StatefulRedisConnection<byte[], byte[]>> pool =
        idle.computeIfAbsent(node, n -> new ConcurrentLinkedDeque<>());
    StatefulRedisConnection<byte[], byte[]> connection = pool.pollFirst();
    while (connection != null && !connection.isOpen()) {
      connection = pool.pollFirst();
    }
    if (connection == null) {
      connection = open(uri, node, what);
    }
    T result;
    try {
      result = call.apply(connection.async());
    } catch (RuntimeException | Error e) {
      connection.closeAsync();
      throw e;
    }
    if (closed || !connection.isOpen()) {
      connection.closeAsync();
    } else {
      pool.addFirst(connection);
      if (closed && pool.remove(connection)) {
        connection.closeAsync(); // close() ran meanwhile and did not see it
      }
    }
    return result;
  }

  private StatefulRedisConnection<byte[], byte[]> open(RedisURI uri, String node, String what) {
    try {
      return client.connect(ByteArrayCodec.INSTANCE, uri);
    } catch (RuntimeException e) {
      routing.refreshTopology();
      throw RedisFailures.translate(e, routing.describe(node), "connecting for " + what);
    }
  }

  @Override
  public void close() {
    closed = true;
    for (ConcurrentLinkedDeque<StatefulRedisConnection<byte[], byte[]>> pool : idle.values()) {
      for (StatefulRedisConnection<byte[], byte[]> c; (c = pool.pollFirst()) != null; ) {
        c.close();
      }
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
