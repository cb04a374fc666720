package dev.cascade.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;

/**
 * A Lettuce connection of raw bytes to a test server, for tests that plant or read bytes in
 * Cascade's keys or run its scripts directly, with no provider in between. Closing it closes the
 * connection and shuts its client down.
 *
 * <pre>
 * try (RawRedis raw = RawRedis.connect(redis)) {
 *   raw.sync().hset(entryKey, "v".getBytes(UTF_8), planted);
 * }
 * </pre>
 */
public final class RawRedis implements AutoCloseable {

  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;

  private RawRedis(RedisClient client, StatefulRedisConnection<byte[], byte[]> connection) {
    this.client = client;
    this.connection = connection;
  }

  /** Connects to {@code server} ({@link RedisServer#uri()}). */
  public static RawRedis connect(RedisServer server) {
    RedisClient client = RedisClient.create(server.uri());
    try {
      return new RawRedis(client, client.connect(ByteArrayCodec.INSTANCE));
    } catch (RuntimeException e) {
      client.shutdown();
      throw e;
    }
  }

  public RedisCommands<byte[], byte[]> sync() {
    return connection.sync();
  }

  public RedisAsyncCommands<byte[], byte[]> async() {
    return connection.async();
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
  }
}
