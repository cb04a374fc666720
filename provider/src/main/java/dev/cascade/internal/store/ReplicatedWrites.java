package dev.cascade.internal.store;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.cache.CacheException;

/**
 * Scripts whose changes must reach replicas before the caller hears of them (write-behind with
 * replica acknowledgement): each script runs on a connection of its own to the master of its keys'
 * slot, and a {@code WAIT replicas timeout} sent after it on that same connection must confirm it.
 *
 * <ul>
 *   <li><b>Same connection:</b> {@code WAIT} counts the writes of the connection it is sent on, so
 *       it must follow the script there. The shared connection will not do: a {@code WAIT} blocks
 *       its connection until the replicas answer (up to the timeout when they do not), and every
 *       command of every thread pipelined behind it would wait too.
 *   <li><b>Group commit:</b> a connection has at most one {@code WAIT} outstanding. Scripts sent
 *       meanwhile queue behind it in Redis and are all confirmed by the next one, so concurrent
 *       writers share acknowledgements instead of queueing one timeout each behind a missing
 *       replica. A change therefore waits at most about twice the timeout.
 *   <li><b>Explicit routing:</b> on a cluster a script goes to the master that the cluster client's
 *       topology names for its slot; a {@code MOVED}/{@code ASK} reply (the script did not run) is
 *       followed once to the node it names, and asks for a topology refresh. A transparent redirect
 *       could run the script on one node and the {@code WAIT} on another. A {@code TRYAGAIN} (the
 *       slot moving, its keys split between two masters; nothing ran) is sent again to the same
 *       node until the command timeout has passed since the change was first sent.
 *   <li><b>No automatic reconnect:</b> a {@code WAIT} replayed on a fresh connection after a
 *       reconnect would count that connection's writes (none) and confirm a change it never saw. A
 *       connection that drops is closed, its commands fail, and the next change opens a new one (on
 *       Sentinel, to the primary the sentinels name then).
 * </ul>
 *
 * One connection per node and setting (replicas, timeout). Thread-safe; futures complete on Lettuce
 * I/O threads.
 */
final class ReplicatedWrites implements AutoCloseable {

  private final RedisTarget target;
  private final NodeRouting routing;
  private final RedisClient client;
  private final Duration commandTimeout;
  private final Map<String, CompletableFuture<Lane>> lanes = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * @param routing where the master of a key is (the cluster client's topology, or the target)
   */
  ReplicatedWrites(NodeRouting routing, ClientResources resources) {
    this.target = routing.target();
    this.routing = routing;
    this.commandTimeout = target.timeout();
    this.client = RedisClient.create(resources);
    client.setOptions(
        RedisAccess.withTls(ClientOptions.builder(), target)
            .autoReconnect(false)
            .timeoutOptions(TimeoutOptions.enabled())
            .build());
  }

  /**
   * Runs {@code script}, then has it confirmed by a {@code WAIT replicas timeoutMillis} on the same
   * connection. Completes with the script's reply when at least {@code replicas} replicas
   * acknowledged; else fails with a {@link CacheException} saying that the change is applied on the
   * master but not confirmed on replicas.
   */
  CompletableFuture<List<Object>> eval(
      Script script, byte[][] keys, byte[][] args, int replicas, long timeoutMillis) {
    return evalAll(
            script,
            Collections.singletonList(keys),
            Collections.singletonList(args),
            replicas,
            timeoutMillis)
        .get(0);
  }

  /**
   * Like {@link #eval} for many scripts: they are sent together, and one {@code WAIT} per node
   * confirms them.
   */
  List<CompletableFuture<List<Object>>> evalAll(
      Script script, List<byte[][]> keys, List<byte[][]> args, int replicas, long timeoutMillis) {
    Map<String, List<Change>> byNode = new LinkedHashMap<>();
    Map<String, RedisURI> uris = new LinkedHashMap<>();
    List<CompletableFuture<List<Object>>> replies = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      Change change = new Change(script, keys.get(i), args.get(i));
      replies.add(change.result);
      try {
        RedisURI uri = routing.nodeFor(keys.get(i)[0]);
        String node = routing.nameOf(uri);
        uris.putIfAbsent(node, uri);
        byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(change);
      } catch (RuntimeException e) {
        change.result.completeExceptionally(e);
      }
    }
    for (Map.Entry<String, List<Change>> group : byNode.entrySet()) {
      send(group.getKey(), uris.get(group.getKey()), replicas, timeoutMillis, group.getValue());
    }
    return replies;
  }

  /** One script to run and confirm, and where its outcome goes. */
  private static final class Change {
    final Script script;
    final byte[][] keys;
    final byte[][] args;
    final CompletableFuture<List<Object>> result = new CompletableFuture<>();
    boolean sendBody;
    boolean asking;
    boolean redirected;
    CompletableFuture<List<Object>> reply;

    /** When it was first sent (System.nanoTime): TRYAGAIN is waited out until a timeout later. */
    final long sentAt = System.nanoTime();

    /** TRYAGAIN replies so far. */
    int tryAgains;

    Change(Script script, byte[][] keys, byte[][] args) {
      this.script = script;
      this.keys = keys;
      this.args = args;
    }
  }

  private void send(
      String node, RedisURI uri, int replicas, long timeoutMillis, List<Change> changes) {
    lane(node, uri, replicas, timeoutMillis)
        .whenComplete(
            (lane, failed) -> {
              if (failed != null) {
                routing.refreshTopology();
                for (Change c : changes) {
                  c.result.completeExceptionally(
                      translate(failed, node, "connecting for a change that waits for replicas"));
                }
              } else {
                lane.submit(changes);
              }
            });
  }

  /**
   * The connection to one node for one setting: scripts go out as they come, in order; one {@code
   * WAIT} at a time follows them and confirms every script sent before it.
   */
  private final class Lane {
    final String node;
    final RedisURI uri;
    final StatefulRedisConnection<byte[], byte[]> connection;
    final int replicas;
    final long timeoutMillis;

    /**
     * Sent since the outstanding WAIT (or the last one): the next WAIT confirms them. Guarded by
     * this.
     */
    private List<Change> unconfirmed = new ArrayList<>();

    private boolean waiting;

    Lane(
        String node,
        RedisURI uri,
        StatefulRedisConnection<byte[], byte[]> connection,
        int replicas,
        long timeoutMillis) {
      this.node = node;
      this.uri = uri;
      this.connection = connection;
      this.replicas = replicas;
      this.timeoutMillis = timeoutMillis;
    }

    void submit(List<Change> changes) {
      synchronized (this) {
        RedisAsyncCommands<byte[], byte[]> commands = connection.async();
        for (Change c : changes) {
          if (c.asking) {
            commands.asking(); // applies to the next command of this connection: the script
          }
          c.reply =
              (c.sendBody
                      ? commands.<List<Object>>eval(
                          c.script.body(), ScriptOutputType.MULTI, c.keys, c.args)
                      : commands.<List<Object>>evalsha(
                          c.script.sha(), ScriptOutputType.MULTI, c.keys, c.args))
                  .toCompletableFuture();
          unconfirmed.add(c);
        }
        if (!waiting) {
          sendWait();
        }
      }
    }

    /** Sends the WAIT that confirms everything sent so far. Called holding this. */
    private void sendWait() {
      List<Change> covered = unconfirmed;
      unconfirmed = new ArrayList<>();
      waiting = true;
      connection
          .async()
          .waitForReplication(replicas, timeoutMillis)
          .whenComplete(
              (acked, failed) -> {
                for (Change c : covered) {
                  settle(c, acked, failed);
                }
                synchronized (this) {
                  waiting = false;
                  if (!unconfirmed.isEmpty()) {
                    sendWait();
                  }
                }
              });
    }

    private void settle(Change c, Long acked, Throwable waitFailed) {
      c.reply.whenComplete(
          (reply, scriptFailed) -> {
            if (scriptFailed != null) {
              retryOrFail(this, c, RedisFailures.unwrap(scriptFailed));
            } else if (waitFailed != null) {
              Throwable why = RedisFailures.unwrap(waitFailed);
              c.result.completeExceptionally(
                  new CacheException(
                      "Redis at "
                          + describe(node)
                          + " applied the change,"
                          + " but the connection failed before its replicas confirmed it ("
                          + why.getMessage()
                          + "): a failover"
                          + " now may lose it. Retry the change if it must survive a failover.",
                      why));
            } else if (acked < replicas) {
              c.result.completeExceptionally(notReplicated(node, acked, replicas, timeoutMillis));
            } else {
              c.result.complete(reply);
            }
          });
    }
  }

  /**
   * A script that did not run: send its body if the node lacks it, follow a redirect once, else
   * fail.
   */
  private void retryOrFail(Lane lane, Change c, Throwable cause) {
    if (RedisFailures.isNoScript(cause) && !c.sendBody) {
      c.sendBody = true;
      lane.submit(List.of(c));
      return;
    }
    if (RedisFailures.isTryAgain(cause)
        && System.nanoTime() - c.sentAt < commandTimeout.toNanos()) {
      // the slot is moving and its keys are split between two masters; nothing ran. Sent again
      // to the same node (with ASKING if it was asked; a closed lane is opened again), after the
      // pauses RedisAccess makes before it resends
      long pauseMillis = RedisAccess.resendPauseMillis(++c.tryAgains);
      CompletableFuture.delayedExecutor(pauseMillis, TimeUnit.MILLISECONDS)
          .execute(
              () -> {
                try {
                  send(lane.node, lane.uri, lane.replicas, lane.timeoutMillis, List.of(c));
                } catch (RuntimeException e) {
                  // nobody else would complete it: the caller would wait out its whole bound
                  c.result.completeExceptionally(
                      translate(e, lane.node, "making a change that waits for replicas"));
                }
              });
      return;
    }
    Redirect redirect = Redirect.of(cause);
    if (redirect != null) {
      routing.refreshTopology();
      if (!c.redirected) {
        c.redirected = true;
        c.asking = redirect.ask;
        RedisURI uri = routing.uriFor(redirect.host, redirect.port);
        send(routing.nameOf(uri), uri, lane.replicas, lane.timeoutMillis, List.of(c));
        return;
      }
    }
    c.result.completeExceptionally(
        translate(cause, lane.node, "making a change that waits for replicas"));
  }

  /**
   * A change Redis applied that too few replicas confirmed in time: it is in the master's memory
   * only.
   */
  public static final class NotReplicated extends CacheException {
    private static final long serialVersionUID = 1L;

    NotReplicated(String message) {
      super(message);
    }
  }

  private CacheException notReplicated(String node, long acked, int replicas, long timeoutMillis) {
    return new NotReplicated(
        "Redis at "
            + describe(node)
            + " applied the change, but only "
            + acked
            + " of "
            + replicas
            + " replica(s) acknowledged it within "
            + timeoutMillis
            + " ms: it is in the master's memory"
            + " only, and a failover now would lose it. Retry the change if it must survive a failover"
            + " (a put or remove can simply be repeated).");
  }

  private CacheException translate(Throwable t, String node, String what) {
    return RedisFailures.translate(t, describe(node), what);
  }

  private String describe(String node) {
    return routing.describe(node);
  }

  /**
   * The open lane to {@code node} for this setting, opened if there is none or its connection
   * closed.
   */
  private CompletableFuture<Lane> lane(
      String node, RedisURI uri, int replicas, long timeoutMillis) {
    if (closed) {
      return CompletableFuture.failedFuture(
          new CacheException("The CacheManager of " + target + " is closed"));
    }
    return lanes.compute(
        node + "|" + replicas + "|" + timeoutMillis,
        (k, current) -> {
          if (current != null && (!current.isDone() || isUsable(current))) {
            return current;
          }
          if (current != null && !current.isCompletedExceptionally()) {
            current.join().connection.closeAsync();
          }
          return client
              .connectAsync(ByteArrayCodec.INSTANCE, uri)
              .toCompletableFuture()
              .thenApply(
                  c -> {
                    // a script may wait behind one WAIT, then for its own: Lettuce must not give up
                    // before Redis does
                    c.setTimeout(commandTimeout.plusMillis(2 * timeoutMillis));
                    return new Lane(node, uri, c, replicas, timeoutMillis);
                  });
        });
  }

  private static boolean isUsable(CompletableFuture<Lane> f) {
    return !f.isCompletedExceptionally() && f.join().connection.isOpen();
  }

  @Override
  public void close() {
    closed = true;
    for (CompletableFuture<Lane> f : lanes.values()) {
      if (f.isDone() && !f.isCompletedExceptionally()) {
        f.join().connection.close();
      }
    }
    lanes.clear();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  /**
   * A {@code MOVED} or {@code ASK} reply: the command did not run; the slot is served elsewhere.
   */
  static final class Redirect {
    final boolean ask;
    final String host;
    final int port;

    private Redirect(boolean ask, String host, int port) {
      this.ask = ask;
      this.host = host;
      this.port = port;
    }

    /** Parses {@code MOVED <slot> <host>:<port>} / {@code ASK ...}; null for any other failure. */
    static Redirect of(Throwable t) {
      String m = String.valueOf(t.getMessage());
      boolean ask = m.startsWith("ASK ");
      if (!ask && !m.startsWith("MOVED ")) {
        return null;
      }
      String[] parts = m.trim().split(" ");
      if (parts.length < 3) {
        return null;
      }
      int colon = parts[2].lastIndexOf(':');
      if (colon < 0) {
        return null;
      }
      try {
        return new Redirect(
            ask, parts[2].substring(0, colon), Integer.parseInt(parts[2].substring(colon + 1)));
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }
}
