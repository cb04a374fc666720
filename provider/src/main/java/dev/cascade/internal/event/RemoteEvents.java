package dev.cascade.internal.event;

import dev.cascade.internal.store.Cleanup;
import dev.cascade.internal.store.RedisAccess;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Messages from other JVMs (and other CacheManagers of this JVM): one pub/sub connection per
 * CacheManager, subscribed to the event channel of each cache that has listeners here and to the
 * control channel of each open cache.
 *
 * <p>Handlers are called on the pub/sub I/O thread and must hand off quickly (they do: they queue
 * the decoding on the key's event lane). A handler that cannot use a message throws a
 * RuntimeException saying why; the message is dropped with a rate-limited WARNING that names the
 * cache and the channel, and nothing is thrown on the I/O thread. Thread-safe.
 */
public final class RemoteEvents implements AutoCloseable {

  private final RedisAccess redis;
  private final Map<ByteBuffer, Subscription> handlers = new ConcurrentHashMap<>();
  private final DroppedMessages drops = new DroppedMessages(System::nanoTime);
  private StatefulRedisPubSubConnection<byte[], byte[]> connection;

  private static final class Subscription {
    final String cacheName;
    final Consumer<byte[]> handler;

    Subscription(String cacheName, Consumer<byte[]> handler) {
      this.cacheName = cacheName;
      this.handler = handler;
    }
  }

  public RemoteEvents(RedisAccess redis) {
    this.redis = redis;
  }

  /**
   * Hands every message of the channel to {@code handler}, on the pub/sub I/O thread (it must hand
   * off quickly, and throw to drop a message it cannot use); replaces an earlier handler of the
   * channel.
   *
   * @param cacheName the cache the channel belongs to, for the warnings about dropped messages
   */
  public synchronized void subscribe(byte[] channel, String cacheName, Consumer<byte[]> handler) {
    ByteBuffer name = ByteBuffer.wrap(channel);
    if (handlers.put(name, new Subscription(cacheName, handler)) != null) {
      return;
    }
    try {
      if (connection == null) {
        StatefulRedisPubSubConnection<byte[], byte[]> opened = redis.openPubSub();
        opened.addListener(
            new RedisPubSubAdapter<>() {
              @Override
              public void message(byte[] channel, byte[] message) {
                onMessage(channel, message);
              }
            });
        connection = opened;
      }
      redis.await(connection.async().subscribe(channel), "subscribing to entry events");
    } catch (RuntimeException | Error e) {
      // not subscribed: a handler left in place would make every later call return above, and
      // the channel would stay unsubscribed for good
      handlers.remove(name);
      throw e;
    }
  }

  public synchronized void unsubscribe(byte[] channel) {
    if (handlers.remove(ByteBuffer.wrap(channel)) != null && connection != null) {
      drops.forget(text(channel));
      redis.await(connection.async().unsubscribe(channel), "unsubscribing from entry events");
    }
  }

  /**
   * Stops handling the channel at once; the {@code UNSUBSCRIBE} goes through {@code cleanup} (with
   * Redis unreachable it is skipped: a message that still arrives finds no handler).
   */
  public synchronized void unsubscribe(byte[] channel, Cleanup cleanup) {
    if (handlers.remove(ByteBuffer.wrap(channel)) != null && connection != null) {
      drops.forget(text(channel));
      StatefulRedisPubSubConnection<byte[], byte[]> c = connection;
      cleanup.run(
          "unsubscribing from a Cascade channel",
          () -> redis.await(c.async().unsubscribe(channel), "unsubscribing from entry events"));
    }
  }

  /**
   * Reports a message of {@code channel} that could not be used after it was handed off (its key or
   * value did not decode): a rate-limited WARNING, like a message the handler refused.
   */
  public void dropped(byte[] channel, String reason) {
    Subscription s = handlers.get(ByteBuffer.wrap(channel));
    drops.dropped(s == null ? "?" : s.cacheName, text(channel), reason);
  }

  private void onMessage(byte[] channel, byte[] message) {
    Subscription s = handlers.get(ByteBuffer.wrap(channel));
    if (s == null) {
      return;
    }
    try {
      s.handler.accept(message);
    } catch (RuntimeException e) {
      // never thrown on: the I/O thread serves every command and message of the connection
      drops.dropped(s.cacheName, text(channel), String.valueOf(e.getMessage()));
    }
  }

  private static String text(byte[] channel) {
    return new String(channel, StandardCharsets.UTF_8);
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
