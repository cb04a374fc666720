package dev.cascade.internal.store;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.cache.CacheException;
import reactor.core.Disposable;

/**
 * The Redis connection of one CacheManager: one shared, thread-safe Lettuce connection that
 * pipelines the commands of all threads, for a standalone server, a Sentinel-managed primary or a
 * Redis Cluster alike.
 *
 * <p>Concurrency: every method may be called from any thread. Futures complete on Lettuce I/O
 * threads; callers must not run user code (listeners, loaders, writers) in their continuations,
 * they {@link #await} instead.
 */
public final class RedisAccess implements AutoCloseable {

  /** Cluster: Lettuce reads the topology this often even when nothing signals a change. */
  static final Duration PERIODIC_TOPOLOGY_REFRESH = Duration.ofSeconds(10);

  /**
   * Cluster: the least time between two topology refreshes that a signal triggers (Lettuce's
   * adaptive triggers, or a command of ours failing). Lettuce's default of 30 s kept commands going
   * to a dead master for up to 30 s after its replica had taken over.
   */
  static final Duration SIGNALLED_TOPOLOGY_REFRESH = Duration.ofSeconds(1);

  private final RedisTarget target;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final StatefulConnection<byte[], byte[]> connection;
  private final RedisClusterAsyncCommands<byte[], byte[]> commands;
  private final long awaitMillis;

  /**
   * Where a connection of one's own reaches a node: shared by the replica-acknowledged writes, the
   * flushers' fenced reads and the near cache's tracking connections, so all three agree on a
   * node's address, credentials, TLS and timeout.
   */
  private final NodeRouting routing;

  private ReplicatedWrites replicated;
  private ExclusiveConnections exclusive;

  /** Cluster: the client of the near caches' connections to single nodes; opened on first use. */
  private RedisClient nodes;

  private final AtomicLong lastRefresh = new AtomicLong();

  /** Whether the server accepts script flags (Redis 7+): null until first asked. */
  private volatile Boolean scriptFlags;

  /** The server's maxmemory setting as last read for an out-of-memory failure, and when. */
  private volatile String memoryLimit;

  private volatile long memoryLimitReadAt;

  /** Calls sent again (after a dropped connection, or as EVAL after NOSCRIPT). */
  private final AtomicLong resends = new AtomicLong();

  private RedisAccess(
      RedisTarget target,
      ClientResources resources,
      AbstractRedisClient client,
      StatefulConnection<byte[], byte[]> connection,
      RedisClusterAsyncCommands<byte[], byte[]> commands) {
    this.target = target;
    this.resources = resources;
    this.client = client;
    this.connection = connection;
    this.commands = commands;
    // Lettuce times each command out itself; this bound guards against a future never completing.
    // A call resent after a dropped connection starts its last attempt within one timeout of the
    // first; that attempt, a script, may wait out TRYAGAIN for one timeout more and start a last
    // send then, which may take one timeout, and its EVAL after a NOSCRIPT one more: four
    // timeouts, and a margin. The caller waits longer in that worst case, rather than give up on
    // a call that still runs (a lock taken after its caller left would stay until its lease ends).
    // A change that LoggedChanges gathers may wait up to 4 s (half a timeout) before its first
    // send, inside the margin. Not counted: a change that waits for replicas may take twice its
    // WAIT timeout per send on top; with a long WAIT timeout its caller can hear "no reply"
    // (outcome unknown) first
    this.awaitMillis = 4 * target.timeout().toMillis() + 5_000;
    this.routing =
        new NodeRouting(
            target,
            client instanceof RedisClusterClient ? (RedisClusterClient) client : null,
            this::refreshTopology);
    this.clock = new RedisClock(commands::time, System::currentTimeMillis, target.toString());
  }

  private final RedisClock clock;
  private boolean clockMeasured;

  /**
   * Redis's time, the clock expiry is judged by ({@link RedisClock}); measured on the first call (a
   * few {@code TIME} round trips), then kept up to date in the background.
   */
  public synchronized RedisClock clock() {
    if (!clockMeasured) {
      clockMeasured = true;
      clock.measure(target.timeout().toMillis());
    }
    return clock;
  }

  /**
   * Connects now, so a wrong address fails at {@code getCacheManager} and not at the first put.
   *
   * @throws CacheException naming the URI when Redis cannot be reached
   */
  public static RedisAccess connect(RedisTarget target) {
    ClientResources resources = SharedResources.acquire();
    AbstractRedisClient client = null;
    try {
      if (target.kind() == RedisTarget.Kind.CLUSTER) {
        RedisClusterClient cluster = RedisClusterClient.create(resources, target.uris());
        ClusterClientOptions.Builder options = ClusterClientOptions.builder();
        withTls(options, target);
        cluster.setOptions(
            options
                .timeoutOptions(TimeoutOptions.enabled())
                .nodeFilter(RedisAccess::isHealthy)
                .topologyRefreshOptions(
                    ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(PERIODIC_TOPOLOGY_REFRESH)
                        .enableAllAdaptiveRefreshTriggers()
                        .adaptiveRefreshTriggersTimeout(SIGNALLED_TOPOLOGY_REFRESH)
                        .build())
                .build());
        client = cluster;
        StatefulRedisClusterConnection<byte[], byte[]> c = cluster.connect(ByteArrayCodec.INSTANCE);
        return new RedisAccess(target, resources, cluster, c, c.async());
      }
      RedisClient single = RedisClient.create(resources);
      single.setOptions(
          withTls(ClientOptions.builder(), target)
              .timeoutOptions(TimeoutOptions.enabled())
              .build());
      client = single;
      StatefulRedisConnection<byte[], byte[]> c =
          single.connect(ByteArrayCodec.INSTANCE, target.uris().get(0));
      return new RedisAccess(target, resources, single, c, c.async());
    } catch (RuntimeException e) {
      if (client != null) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
      SharedResources.release(resources);
      throw RedisFailures.connectFailure(e, target);
    }
  }

  /**
   * The truststore and keystore of a TLS target, on the options of every client that connects to it
   * (the shared connection, pub/sub, near cache invalidations, replica acknowledgement, a cluster's
   * nodes): the URI's {@code rediss} only switches TLS on.
   */
  static ClientOptions.Builder withTls(ClientOptions.Builder options, RedisTarget target) {
    if (target.isTls()) {
      options.sslOptions(target.tls().sslOptions());
    }
    return options;
  }

  /**
   * Cluster: the nodes Lettuce routes to. A node the cluster agrees has failed ({@code fail}, not
   * the local suspicion {@code fail?}) or that has no address drops out of the topology, so
   * commands for its slots fail at once ("no master for slot") until the promoted replica is known,
   * instead of waiting a whole command timeout on a dead connection. A JVM that sent nothing to a
   * master during its failover otherwise routed its next command there and waited the full timeout.
   */
  private static boolean isHealthy(RedisClusterNode node) {
    return !(node.is(RedisClusterNode.NodeFlag.FAIL) || node.is(RedisClusterNode.NodeFlag.NOADDR));
  }

  /**
   * The server's {@code maxmemory-policy}, from {@code INFO memory} (allowed where {@code CONFIG
   * GET} often is not: managed services, least-privilege ACL users); null if the server does not
   * say. On a cluster, the node Lettuce picks for keyless commands answers.
   */
  public String maxmemoryPolicy() {
    String info = await(commands.info("memory"), "reading INFO memory");
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("maxmemory_policy:")) {
        return line.substring("maxmemory_policy:".length()).trim();
      }
    }
    return null;
  }

  /**
   * {@code CONFIG GET hash-max-*-value}: {@code hash-max-listpack-value} and its alias {@code
   * hash-max-ziplist-value} on Redis 7, {@code hash-max-ziplist-value} on 6.2 (see {@link
   * HashEncoding}). Null when the connection logs in as an ACL user of its own: Cascade's
   * least-privilege user has no right to {@code CONFIG} (it can read secrets), and a refused
   * command would land in {@code ACL LOG}.
   */
  public Map<String, String> hashValueLimits() {
    if (!logsInAsDefaultUser()) {
      return null;
    }
    return await(commands.configGet("hash-max-*-value"), "reading hash-max-listpack-value");
  }

  /** True unless the URI names an ACL user other than {@code default} (or we cannot tell). */
  private boolean logsInAsDefaultUser() {
    RedisCredentialsProvider credentials = target.uris().get(0).getCredentialsProvider();
    if (credentials == null) {
      return true;
    }
    if (!(credentials instanceof RedisCredentialsProvider.ImmediateRedisCredentialsProvider now)) {
      return false;
    }
    RedisCredentials resolved = now.resolveCredentialsNow();
    return resolved == null || !resolved.hasUsername() || "default".equals(resolved.getUsername());
  }

  public RedisClusterAsyncCommands<byte[], byte[]> commands() {
    return commands;
  }

  /** False while the shared connection is down (Lettuce reconnects in the background). */
  public boolean isConnected() {
    return connection.isOpen();
  }

  public boolean isCluster() {
    return target.kind() == RedisTarget.Kind.CLUSTER;
  }

  public RedisTarget target() {
    return target;
  }

  /** Waits for a command's reply on the calling thread, translating failures. */
  public <T> T await(CompletionStage<T> reply, String what) {
    return await(reply, what, null);
  }

  /**
   * Like {@link #await(CompletionStage, String)}, the failure's message saying "{@code what} in
   * {@code where}": joined only when a failure needs it, as the hot paths of every cache call wait
   * here.
   */
  public <T> T await(CompletionStage<T> reply, String what, String where) {
    try {
      return reply.toCompletableFuture().get(awaitMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      throw failedWaiting(e, what, where);
    }
  }

  /**
   * {@link #await(CompletionStage, String, String)} that an interrupt does not cut short, for a
   * change that may still wait in Cascade's own queue ({@link LoggedChanges}) rather than in
   * Lettuce's: a caller that stopped waiting there could make its next change, which another path
   * sends at once, and see it overtaken by the one it gave up on. The interrupt is kept for the
   * caller's next blocking call. Bounded like {@code await}: a change waits in the queue at most
   * half a command timeout.
   */
  public <T> T awaitThroughInterrupts(CompletionStage<T> reply, String what, String where) {
    CompletableFuture<T> future = reply.toCompletableFuture();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(awaitMillis);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException | TimeoutException e) {
          throw failedWaiting(e, what, where);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * {@link #await(CompletionStage, String, String)} for a read that is safe to send again: when the
   * connection dropped under {@code reply} (Lettuce fails the command that was on the wire), it
   * pauses and sends {@code again} as {@link #resendingOnConnectionLoss} would, until answered or
   * the command timeout has passed. Only a failed read pays for it: the hot path of a plain {@code
   * get} waits for its reply as {@code await} does, without an extra future stage, and {@code
   * again} is a function of {@code argument} so that the caller need not build a closure per read.
   */
  public <A, T> T awaitResending(
      CompletableFuture<T> reply,
      Function<A, CompletableFuture<T>> again,
      A argument,
      String what,
      String where) {
    // the resends' deadline counts from the first send, as resendingOnConnectionLoss's does, not
    // from a loss that came late in the first wait
    long deadline = System.nanoTime() + target.timeout().toNanos();
    try {
      return reply.get(awaitMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!RedisFailures.isConnectionLoss(e.getCause())) {
        throw failedWaiting(e, what, where);
      }
    } catch (InterruptedException | TimeoutException e) {
      throw failedWaiting(e, what, where);
    }
    return await(
        resendAfterPause(() -> again.apply(argument), RedisFailures::isConnectionLoss, deadline, 1),
        what,
        where);
  }

  /** What a failed wait for a reply throws: the failure translated, naming the server. */
  private CacheException failedWaiting(Exception e, String what, String where) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return RedisFailures.translate(e, target.toString(), describe(what, where));
    }
    if (e instanceof ExecutionException) {
      afterFailure(e.getCause());
      return RedisFailures.translate(
          e.getCause(), target.toString(), describe(what, where), this::memoryLimit);
    }
    refreshTopology(); // no reply in time
    return RedisFailures.translate(
        new RedisCommandTimeoutException("no reply within " + awaitMillis + " ms"),
        target.toString(),
        describe(what, where));
  }

  private static String describe(String what, String where) {
    return where == null ? what : what + " in " + where;
  }

  /**
   * A command failed: if the failure can mean that a cluster's topology changed (a node that does
   * not answer, a redirect, a read-only former master), read the topology again. Lettuce's own
   * adaptive triggers miss the commonest case: after a master dies, commands routed to it time out,
   * and its reconnect attempts (which would trigger a refresh) back off to seconds apart.
   */
  private void afterFailure(Throwable failure) {
    Throwable t = RedisFailures.unwrap(failure);
    if (!(t instanceof RedisCommandExecutionException)) {
      refreshTopology(); // timeouts, lost connections
      return;
    }
    String m = String.valueOf(t.getMessage());
    if (m.startsWith("MOVED")
        || m.startsWith("ASK")
        || m.startsWith("CLUSTERDOWN")
        || m.startsWith("READONLY")
        || m.startsWith("TRYAGAIN")) {
      refreshTopology();
    }
  }

  /**
   * Cluster: asks Lettuce to read the topology again, at most once per {@link
   * #SIGNALLED_TOPOLOGY_REFRESH}.
   */
  void refreshTopology() {
    if (!(client instanceof RedisClusterClient)) {
      return;
    }
    long now = System.currentTimeMillis();
    long last = lastRefresh.get();
    if (now - last >= SIGNALLED_TOPOLOGY_REFRESH.toMillis()
        && lastRefresh.compareAndSet(last, now)) {
      ((RedisClusterClient) client).refreshPartitionsAsync();
    }
  }

  /**
   * Sends {@code PING} and waits for the answer at most {@code timeout} (not the command timeout),
   * so a health check cannot hang on a paused server.
   *
   * @return the round trip
   * @throws CacheException naming the server when it does not answer in time or fails
   */
  public Duration ping(Duration timeout) {
    long start = System.nanoTime();
    try {
      commands.ping().toCompletableFuture().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return Duration.ofNanos(System.nanoTime() - start);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RedisFailures.translate(e, target.toString(), "PING");
    } catch (ExecutionException e) {
      throw RedisFailures.translate(e.getCause(), target.toString(), "PING");
    } catch (TimeoutException e) {
      throw RedisFailures.translate(
          new RedisCommandTimeoutException("no reply within " + timeout.toMillis() + " ms"),
          target.toString(),
          "PING");
    }
  }

  public CacheException failure(Throwable t, String what) {
    return RedisFailures.translate(t, target.toString(), what);
  }

  /**
   * Runs a script by {@code EVALSHA}; on {@code NOSCRIPT} sends its body once with {@code EVAL}.
   * While a cluster moves the script's slot and its keys are split between two nodes, Redis runs
   * nothing and answers {@code TRYAGAIN}: the script is sent again ({@link #whileResharding}).
   */
  public CompletableFuture<List<Object>> eval(Script script, byte[][] keys, byte[]... args) {
    return whileResharding(() -> evalOnce(script, ScriptOutputType.MULTI, keys, args));
  }

  /** Like {@link #eval} for scripts that reply with one integer. */
  public CompletableFuture<Long> evalInteger(Script script, byte[][] keys, byte[]... args) {
    return whileResharding(() -> evalOnce(script, ScriptOutputType.INTEGER, keys, args));
  }

  private <T> CompletableFuture<T> evalOnce(
      Script script, ScriptOutputType type, byte[][] keys, byte[][] args) {
    CompletableFuture<T> first =
        commands.<T>evalsha(script.sha(), type, keys, args).toCompletableFuture();
    return first.exceptionallyCompose(
        e -> {
          if (RedisFailures.isNoScript(e)) {
            resends.incrementAndGet();
            return commands.<T>eval(script.body(), type, keys, args).toCompletableFuture();
          }
          return CompletableFuture.failedFuture(e);
        });
  }

  /**
   * Sends a call again, after a short pause, while Redis Cluster answers {@code TRYAGAIN} (a slot
   * being moved, its keys split between two nodes: see {@link RedisFailures#isTryAgain}), until it
   * is answered otherwise or the command timeout has passed since the first send. Safe for every
   * call, as Redis ran none of it. A script that declares a key that does not exist (an entry not
   * yet written, the listener marks of a cache nobody listens to) meets it for as long as its slot
   * is migrating, not only while its own keys move: a slot that takes longer to move than the
   * command timeout still fails such calls.
   */
  private <T> CompletableFuture<T> whileResharding(Supplier<CompletableFuture<T>> call) {
    return resend(
        call, RedisFailures::isTryAgain, System.nanoTime() + target.timeout().toNanos(), 1);
  }

  /**
   * How many calls were sent again so far ({@link #resendingOnConnectionLoss}, the {@code EVAL} of
   * a script Redis did not know, a script that met {@code TRYAGAIN}): a call sent again may run
   * after calls sent after its first send.
   */
  public long resends() {
    return resends.get();
  }

  /**
   * Sends a call again, after a short pause, while it fails because the connection dropped under it
   * (a reset, a closed channel: Lettuce fails the command that was on the wire then, whether or not
   * Redis ran it), until it is answered or the command timeout has passed since the first send.
   * Only for calls that are safe to send twice: reads, and scripts that answer a repeated operation
   * id from their log ({@code mutate.lua}, {@code changes.lua}). A timeout is not resent: Redis may
   * still be running it.
   */
  public <T> CompletableFuture<T> resendingOnConnectionLoss(Supplier<CompletableFuture<T>> call) {
    return resend(
        call, RedisFailures::isConnectionLoss, System.nanoTime() + target.timeout().toNanos(), 1);
  }

  /** The pause before the {@code attempt}th resend: 10, 20, 40, 80, 160, then 200 ms. */
  static long resendPauseMillis(int attempt) {
    return Math.min(200, 5L << Math.min(attempt, 6));
  }

  /**
   * Sends {@code call} again while it fails with what {@code worth} accepts, until the deadline.
   */
  private <T> CompletableFuture<T> resend(
      Supplier<CompletableFuture<T>> call, Predicate<Throwable> worth, long deadline, int attempt) {
    // composed on failure only: an answered call (nearly all) costs no extra stage
    return call.get()
        .exceptionallyCompose(
            failure -> {
              if (!worth.test(failure) || System.nanoTime() >= deadline) {
                return CompletableFuture.<T>failedFuture(failure);
              }
              return resendAfterPause(call, worth, deadline, attempt);
            });
  }

  /** Counts a resend, pauses {@link #resendPauseMillis}({@code attempt}), then {@link #resend}s. */
  private <T> CompletableFuture<T> resendAfterPause(
      Supplier<CompletableFuture<T>> call, Predicate<Throwable> worth, long deadline, int attempt) {
    resends.incrementAndGet();
    // a dropped connection can be a cluster master that died: read the topology now, as a failed
    // wait does (afterFailure), or the resends would go to the dead node until Lettuce notices
    refreshTopology();
    return CompletableFuture.supplyAsync(
            () -> (T) null,
            CompletableFuture.delayedExecutor(resendPauseMillis(attempt), TimeUnit.MILLISECONDS))
        .thenCompose(ignored -> resend(call, worth, deadline, attempt + 1));
  }

  /**
   * Runs a script that must work while Redis is over {@code maxmemory}: flush leases and the
   * acknowledgement of flushed records, without which a queue that fills memory could never drain
   * it. On Redis 7 and later the script declares {@code allow-oom} ({@link Script#allowingOom()}).
   * Before 7.0 scripts take no flags; Redis then refuses only a script whose first write command is
   * one that may grow memory ({@code denyoom}), so such scripts begin with a write that cannot
   * ({@code DEL}, {@code XACK}).
   */
  public CompletableFuture<List<Object>> evalOverMemoryLimit(
      Script script, byte[][] keys, byte[]... args) {
    return overMemoryLimit(script, s -> eval(s, keys, args));
  }

  /** Like {@link #evalOverMemoryLimit} for scripts that reply with one integer. */
  public CompletableFuture<Long> evalIntegerOverMemoryLimit(
      Script script, byte[][] keys, byte[]... args) {
    return overMemoryLimit(script, s -> evalInteger(s, keys, args));
  }

  private <T> CompletableFuture<T> overMemoryLimit(
      Script script, Function<Script, CompletableFuture<T>> run) {
    return scriptFlags()
        .thenCompose(
            flags -> {
              if (!flags) {
                return run.apply(script);
              }
              return run.apply(script.allowingOom())
                  .exceptionallyCompose(
                      e -> {
                        if (!RedisFailures.isScriptFlagsUnsupported(e)) {
                          return CompletableFuture.failedFuture(e);
                        }
                        // a server before 7.0 answers now (a failover to an older replica, a
                        // cluster mid-upgrade)
                        scriptFlags = Boolean.FALSE;
                        return run.apply(script);
                      });
            });
  }

  /** Whether the server takes script flags (Redis 7+), asked once with {@code INFO server}. */
  private CompletableFuture<Boolean> scriptFlags() {
    Boolean known = scriptFlags;
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    return commands
        .info("server")
        .toCompletableFuture()
        .handle(
            (info, failure) -> {
              if (failure != null) {
                return false; // not cached: the scripts without flags work on every version, asked
                // again next time
              }
              boolean flags = majorVersion(info) >= 7;
              scriptFlags = flags;
              return flags;
            });
  }

  static int majorVersion(String info) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("redis_version:")) {
        String v = line.substring("redis_version:".length()).trim();
        int dot = v.indexOf('.');
        try {
          return Integer.parseInt(dot < 0 ? v : v.substring(0, dot));
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }

  /**
   * The server's {@code maxmemory} and policy, for the message of an out-of-memory failure; read at
   * most once a second (while memory is full, every change fails), null when it cannot be read.
   * Synchronized: threads failing at once wait for the one read in flight and share its answer;
   * before, a second thread within that second got the answer not yet read (null), and its message
   * lacked the limit (seen once in WriteBehindOutOfMemoryTest).
   */
  private synchronized String memoryLimit() {
    long now = System.currentTimeMillis();
    if (now - memoryLimitReadAt < 1_000) {
      return memoryLimit;
    }
    memoryLimitReadAt = now;
    try {
      String info = commands.info("memory").toCompletableFuture().get(1_000, TimeUnit.MILLISECONDS);
      Map<String, String> fields = new HashMap<>();
      for (String line : info.split("\r?\n")) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
      }
      memoryLimit =
          "maxmemory "
              + fields.get("maxmemory")
              + " bytes ("
              + fields.get("maxmemory_human")
              + "), maxmemory-policy "
              + fields.get("maxmemory_policy")
              + ", used memory "
              + fields.get("used_memory")
              + " bytes";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      memoryLimit = null;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      memoryLimit = null;
    }
    return memoryLimit;
  }

  /**
   * The connections for writes that wait for replicas ({@code WAIT} after the script), opened on
   * first use: a write-behind cache with replica acknowledgement needs them, nothing else does.
   */
  synchronized ReplicatedWrites replicated() {
    if (replicated == null) {
      replicated = new ReplicatedWrites(routing, resources);
    }
    return replicated;
  }

  /**
   * Connections lent to one caller at a time, to the master of a key (for {@code WATCH}/{@code
   * MULTI}), opened on first use: only write-behind flushers need them.
   */
  synchronized ExclusiveConnections exclusive() {
    if (exclusive == null) {
      exclusive = new ExclusiveConnections(routing, resources);
    }
    return exclusive;
  }

  /** A new connection for pub/sub; the caller closes it. */
  public StatefulRedisPubSubConnection<byte[], byte[]> openPubSub() {
    try {
      if (client instanceof RedisClusterClient) {
        return ((RedisClusterClient) client).connectPubSub(ByteArrayCodec.INSTANCE);
      }
      return ((RedisClient) client).connectPubSub(ByteArrayCodec.INSTANCE, target.uris().get(0));
    } catch (RuntimeException e) {
      throw failure(e, "opening a pub/sub connection");
    }
  }

  /**
   * Calls {@code action} (on a Lettuce I/O thread: it must hand off at once) whenever Redis may
   * have lost what this client wrote before: a connection of this client connected again (after a
   * restart, a dropped connection, a Sentinel failover), or, on a cluster, a topology refresh saw
   * the topology change (a failover; the shared event bus says so for every cluster client of the
   * JVM, so it may also come from another CacheManager's client). A connection's first connect is
   * not a reason: a cluster client connects afresh to every node at each topology refresh. Closing
   * the result stops the calls.
   */
  public AutoCloseable whenRedisMayHaveLost(Runnable action) {
    Set<RedisChannelHandler<?, ?>> connectedBefore =
        Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    RedisConnectionStateListener reconnected =
        new RedisConnectionStateListener() {
          @Override
          public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress at) {
            if (!connectedBefore.add(handler)) {
              action.run();
            }
          }
        };
    // the shared connection connected before this was asked: its next connect is a reconnect
    if (connection instanceof RedisChannelHandler) {
      connectedBefore.add((RedisChannelHandler<?, ?>) connection);
    }
    client.addListener(reconnected);
    Disposable topology =
        client instanceof RedisClusterClient
            ? resources
                .eventBus()
                .get()
                .filter(e -> e instanceof ClusterTopologyChangedEvent)
                .subscribe(e -> action.run())
            : null;
    return () -> {
      client.removeListener(reconnected);
      if (topology != null) {
        topology.dispose();
      }
    };
  }

  /** A new dedicated connection (for blocking reads); the caller closes it. */
  public StatefulConnection<byte[], byte[]> openDedicated() {
    try {
      if (client instanceof RedisClusterClient) {
        return ((RedisClusterClient) client).connect(ByteArrayCodec.INSTANCE);
      }
      return ((RedisClient) client).connect(ByteArrayCodec.INSTANCE, target.uris().get(0));
    } catch (RuntimeException e) {
      throw failure(e, "opening a dedicated connection");
    }
  }

  /**
   * Cluster: the masters as Lettuce last read the topology (healthy ones only), as {@code
   * host:port}; empty when not a cluster.
   */
  public List<String> masters() {
    if (!(client instanceof RedisClusterClient)) {
      return List.of();
    }
    List<String> masters = new ArrayList<>();
    for (RedisClusterNode node : ((RedisClusterClient) client).getPartitions()) {
      if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && node.getUri() != null) {
        masters.add(node.getUri().getHost() + ":" + node.getUri().getPort());
      }
    }
    return masters;
  }

  /**
   * Cluster: the master of the entry key's slot as Lettuce routes it now ({@code host:port}), or
   * null when no master serves it or this is not a cluster.
   */
  public String masterOf(byte[] key) {
    if (!(client instanceof RedisClusterClient)) {
      return null;
    }
    RedisClusterNode node =
        ((RedisClusterClient) client).getPartitions().getMasterBySlot(SlotHash.getSlot(key));
    return node == null || node.getUri() == null
        ? null
        : node.getUri().getHost() + ":" + node.getUri().getPort();
  }

  /** Cluster: reads the topology again now (blocking; not on an I/O thread). */
  public void refreshTopologyNow() {
    if (client instanceof RedisClusterClient) {
      ((RedisClusterClient) client).refreshPartitions();
      lastRefresh.set(System.currentTimeMillis());
    }
  }

  /**
   * Cluster: a new connection to one node ({@code host:port}, as {@link #masters} names it), with
   * the seed's credentials, TLS and timeout; it reconnects by itself. The caller closes it.
   */
  public StatefulRedisConnection<byte[], byte[]> openNode(String node) {
    if (!routing.isCluster()) {
      // off a cluster the routing knows one target: connecting there would ignore the node asked
      // for
      throw new IllegalStateException(
          "openNode(" + node + ") needs a Redis Cluster; " + target + " is not one");
    }
    int colon = node.lastIndexOf(':');
    RedisURI uri =
        routing.uriFor(node.substring(0, colon), Integer.parseInt(node.substring(colon + 1)));
    RedisClient c;
    synchronized (this) {
      if (nodes == null) {
        nodes = RedisClient.create(resources);
        nodes.setOptions(
            withTls(ClientOptions.builder(), target)
                .timeoutOptions(TimeoutOptions.enabled())
                .build());
      }
      c = nodes;
    }
    try {
      return c.connect(ByteArrayCodec.INSTANCE, uri);
    } catch (RuntimeException e) {
      throw failure(e, "opening a connection to cluster node " + node);
    }
  }

  public AbstractRedisClient client() {
    return client;
  }

  @Override
  public void close() {
    try {
      synchronized (this) {
        if (replicated != null) {
          replicated.close();
        }
        if (exclusive != null) {
          exclusive.close();
        }
        if (nodes != null) {
          nodes.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
      }
      connection.close();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      SharedResources.release(resources);
    }
  }

  @Override
  public String toString() {
    return target.toString();
  }
}
