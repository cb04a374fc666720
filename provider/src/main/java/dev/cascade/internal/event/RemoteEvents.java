package dev.cascade.internal.event;

import dev.cascade.internal.store.Cleanup;
import dev.cascade.internal.store.RedisAccess;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Messages from other JVMs (and other CacheManagers of this JVM): one pub/sub connection per
 * CacheManager, subscribed to the event channel of each cache that has listeners here and to the
 * control channel of each open cache.
 *
 * <p>Handlers are called on the pub/sub I/O thread and must hand off quickly (they do: they queue
 * the decoding on the key's event lane). A handler that cannot use a message throws a
 * RuntimeException saying why; the message is dropped with a rate-limited WARNING that names the
 * cache and the channel, and nothing is thrown on the I/O thread.
 *
 * <p>Redis keeps no message for a subscriber that is not connected: what other JVMs publish while
 * the connection is down is lost. Lettuce reconnects and subscribes again by itself; once it has,
 * one WARNING says for how long, and the listeners of which caches missed what was published then.
 *
 * <p>Thread-safe.
 */
public final class RemoteEvents implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RemoteEvents.class);

  private final RedisAccess redis;
  private final Map<ByteBuffer, Subscription> handlers = new ConcurrentHashMap<>();
  private final DroppedMessages drops = new DroppedMessages(System::nanoTime);
  private volatile StatefulRedisPubSubConnection<byte[], byte[]> connection;

  /**
   * When the connection went down (System.nanoTime), or 0 while it is up. Written by the
   * connection's events, which a reconnect may deliver on another I/O thread.
   */
  private volatile long disconnectedAt;

  private static final class Subscription {
    final String cacheName;
    final boolean entryEvents;
    final Consumer<byte[]> handler;

    Subscription(String cacheName, boolean entryEvents, Consumer<byte[]> handler) {
      this.cacheName = cacheName;
      this.entryEvents = entryEvents;
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
   * @param entryEvents whether the channel carries the cache's entry events (which listeners here
   *     miss while the connection is down), rather than announcements
   */
  public synchronized void subscribe(
      byte[] channel, String cacheName, boolean entryEvents, Consumer<byte[]> handler) {
    ByteBuffer name = ByteBuffer.wrap(channel);
    if (handlers.put(name, new Subscription(cacheName, entryEvents, handler)) != null) {
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
        opened.addListener(
            new RedisConnectionStateListener() {
              // a closed connection's events concern nobody
              @Override
              public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
                if (opened == connection && disconnectedAt == 0) {
                  disconnectedAt = Math.max(1, System.nanoTime());
                }
              }

              @Override
              public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress at) {
                if (opened == connection && disconnectedAt != 0) {
                  long downNanos = System.nanoTime() - disconnectedAt;
                  disconnectedAt = 0;
                  reportLoss(downNanos);
                }
              }
            });
        connection = opened;
      }
      redis.await(
          connection.async().subscribe(channel),
          "subscribing to the "
              + (entryEvents ? "entry events" : "announcements")
              + " of cache '"
              + cacheName
              + "'");
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

  /**
   * Reports an event of {@code channel} dropped because this manager's asynchronous listeners are
   * too far behind ({@code cascade.event-queue}): a rate-limited WARNING.
   */
  public void droppedBehind(byte[] channel) {
    Subscription s = handlers.get(ByteBuffer.wrap(channel));
    drops.droppedBehind(s == null ? "?" : s.cacheName, text(channel));
  }

  /** The connection is back after {@code downNanos}: says whose events were lost meanwhile. */
  private void reportLoss(long downNanos) {
    TreeSet<String> listened = new TreeSet<>();
    for (Subscription s : handlers.values()) {
      if (s.entryEvents) {
        listened.add("'" + s.cacheName + "'");
      }
    }
    if (listened.isEmpty()) {
      return;
    }
    LOG.warn(
        "The pub/sub connection to Redis at {} was down for {} ms: entry events other JVMs"
            + " published in that time for cache(s) {} were not delivered to this JVM's listeners"
            + " (Redis keeps no message for a disconnected subscriber). It is connected again,"
            + " and its subscriptions are restored.",
        redis.target(),
        TimeUnit.NANOSECONDS.toMillis(downNanos),
        String.join(", ", listened));
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
