package dev.cascade.event;

import dev.cascade.store.Cleanup;
import dev.cascade.store.RedisAccess;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Messages from other JVMs (and other CacheManagers of this JVM): one pub/sub connection per
 * CacheManager, subscribed to the event channel of each cache that has listeners here and to the
 * control channel of each open cache.
 *
 * <p>Handlers are called on the pub/sub I/O thread and must hand off quickly (they do: they queue
 * the decoding on the key's event lane). Thread-safe.
 */
public final class RemoteEvents implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(RemoteEvents.class.getName());

  private final RedisAccess redis;
  private final Map<ByteBuffer, Consumer<byte[]>> handlers = new ConcurrentHashMap<>();
  private StatefulRedisPubSubConnection<byte[], byte[]> connection;

  public RemoteEvents(RedisAccess redis) {
    this.redis = redis;
  }

  /**
   * Hands every message of the channel to {@code handler}, on the pub/sub I/O thread (it must hand
   * off quickly); replaces an earlier handler of the channel.
   */
  public synchronized void subscribe(byte[] channel, Consumer<byte[]> handler) {
    if (handlers.put(ByteBuffer.wrap(channel), handler) != null) {
      return;
    }
    if (connection == null) {
      connection = redis.openPubSub();
      connection.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(byte[] channel, byte[] message) {
          onMessage(channel, message);
        }
      });
    }
    redis.await(connection.async().subscribe(channel), "subscribing to entry events");
  }

  public synchronized void unsubscribe(byte[] channel) {
    if (handlers.remove(ByteBuffer.wrap(channel)) != null && connection != null) {
      redis.await(connection.async().unsubscribe(channel), "unsubscribing from entry events");
    }
  }

  /**
   * Stops handling the channel at once; the {@code UNSUBSCRIBE} goes through {@code cleanup} (with
   * Redis unreachable it is skipped: a message that still arrives finds no handler).
   */
  public synchronized void unsubscribe(byte[] channel, Cleanup cleanup) {
    if (handlers.remove(ByteBuffer.wrap(channel)) != null && connection != null) {
      StatefulRedisPubSubConnection<byte[], byte[]> c = connection;
      cleanup.run("unsubscribing from a Cascade channel",
          () -> redis.await(c.async().unsubscribe(channel), "unsubscribing from entry events"));
    }
  }

  private void onMessage(byte[] channel, byte[] message) {
    Consumer<byte[]> handler = handlers.get(ByteBuffer.wrap(channel));
    if (handler == null) {
      return;
    }
    try {
      handler.accept(message);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Dropped a message on a Cascade channel it could not handle", e);
    }
  }

  @Override
  public synchronized void close() {
    handlers.clear();
    if (connection != null) {
      connection.close();
      connection = null;
    }
  }
}
