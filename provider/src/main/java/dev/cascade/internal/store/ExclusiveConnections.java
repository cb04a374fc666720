package dev.cascade.internal.store;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
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
 * Thread-safe; idle connections are kept per node (as many as calls ran at once). One unused for
 * {@link #IDLE_LIMIT} is closed by the next call that finds it, and a sweep at most once per limit,
 * run by a call to any node, closes those of every node: after a failover or a resharding nothing
 * asks for the former masters any more, and their connections stayed open until the CacheManager
 * closed. (No timer: while no partition flushes at all, nothing is swept until the next read.)
 */
final class ExclusiveConnections implements AutoCloseable {

  /**
   * How long a connection may sit idle before it is closed: a flusher with records to flush reads
   * every step; one that flushes less often than this reconnects for its next read.
   */
  static final Duration IDLE_LIMIT = Duration.ofSeconds(60);

  private final NodeRouting routing;
  private final RedisClient client;
  private final long idleLimitNanos;
  private final LongSupplier clock;
  private final Map<String, ConcurrentLinkedDeque<Idle>> idle = new ConcurrentHashMap<>();
  private final AtomicLong nextSweep;
  private volatile boolean closed;

  /** A connection waiting to be lent again, and since when (the clock's nanoseconds). */
  private record Idle(StatefulRedisConnection<byte[], byte[]> connection, long since) {}

  ExclusiveConnections(NodeRouting routing, ClientResources resources) {
    this(routing, resources, IDLE_LIMIT, System::nanoTime);
  }

  /** With another idle limit and clock (nanoseconds, as System.nanoTime): for tests. */
  ExclusiveConnections(
      NodeRouting routing, ClientResources resources, Duration idleLimit, LongSupplier clock) {
    this.idleLimitNanos = idleLimit.toNanos();
    this.clock = clock;
    this.nextSweep = new AtomicLong(clock.getAsLong() + idleLimitNanos);
    this.routing = routing;
    this.client = RedisClient.create(resources);
    client.setOptions(
        RedisAccess.withTls(ClientOptions.builder(), routing.target())
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
    long now = clock.getAsLong();
    sweep(now);
    ConcurrentLinkedDeque<Idle> pool =
        idle.computeIfAbsent(node, n -> new ConcurrentLinkedDeque<>());
    StatefulRedisConnection<byte[], byte[]> connection = null;
    for (Idle i; connection == null && (i = pool.pollFirst()) != null; ) {
      if (!i.connection.isOpen() || now - i.since > idleLimitNanos) {
        i.connection.closeAsync(); // a dropped one too: it stays registered with the client else
        continue;
      }
      connection = i.connection;
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
      Idle returned = new Idle(connection, clock.getAsLong());
      pool.addFirst(returned);
      if (closed && pool.remove(returned)) {
        connection.closeAsync(); // close() ran meanwhile and did not see it
      }
    }
    return result;
  }

  /**
   * Closes the connections idle for longer than the limit, on every node; at most once per limit.
   * Pools stay (an empty one costs a map entry): removing one while its connection is lent out
   * would close that connection, healthy, on its return.
   */
  private void sweep(long now) {
    long due = nextSweep.get();
    if (now - due < 0 || !nextSweep.compareAndSet(due, now + idleLimitNanos)) {
      return;
    }
    for (ConcurrentLinkedDeque<Idle> pool : idle.values()) {
      for (Idle i : pool) {
        if (now - i.since > idleLimitNanos && pool.remove(i)) {
          i.connection.closeAsync();
        }
      }
    }
  }

  /** The nodes with connections waiting to be lent again (for tests). */
  Set<String> nodesWithIdleConnections() {
    Set<String> nodes = new HashSet<>();
    idle.forEach(
        (node, pool) -> {
          if (!pool.isEmpty()) {
            nodes.add(node);
          }
        });
    return nodes;
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
    for (ConcurrentLinkedDeque<Idle> pool : idle.values()) {
      for (Idle i; (i = pool.pollFirst()) != null; ) {
        i.connection.close();
      }
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
