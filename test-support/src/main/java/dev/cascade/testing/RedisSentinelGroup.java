package dev.cascade.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A private Redis Sentinel setup on loopback: a primary, one replica, and three sentinels that
 * monitor the primary with quorum 2, {@code down-after-milliseconds} 1000 and {@code
 * failover-timeout} 5000, so a killed primary is replaced within a few seconds.
 *
 * <pre>{@code
 * try (RedisSentinelGroup group = RedisSentinelGroup.start()) {
 *     RedisClient client = RedisClient.create(group.sentinelUri());
 *     ...
 *     group.killPrimary();
 *     RedisServer newPrimary = group.awaitFailover(Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * <p>Thread-safe: every query asks a sentinel afresh; {@link #killPrimary()} and {@link
 * #awaitFailover} are meant to be called by one test thread in that order.
 */
public final class RedisSentinelGroup implements AutoCloseable {

  public static final String DEFAULT_MASTER_NAME = "mymaster";
  static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);

  private final String masterName;
  private final RedisServer primary;
  private final RedisServer replica;
  private final List<RedisServer> sentinels;
  private volatile RedisServer killedPrimary;

  private RedisSentinelGroup(
      String masterName, RedisServer primary, RedisServer replica, List<RedisServer> sentinels) {
    this.masterName = masterName;
    this.primary = primary;
    this.replica = replica;
    this.sentinels = List.copyOf(sentinels);
  }

  /** Starts the default group (master name {@code mymaster}) and waits until it has settled. */
  public static RedisSentinelGroup start() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The name the sentinels monitor the primary under. */
  public String masterName() {
    return masterName;
  }

  /** The server started as primary (after a failover it may be dead or a replica). */
  public RedisServer primary() {
    return primary;
  }

  /** The server started as replica (after a failover it is usually the primary). */
  public RedisServer replica() {
    return replica;
  }

  public List<RedisServer> sentinels() {
    return sentinels;
  }

  /**
   * {@code redis-sentinel://127.0.0.1:s1,127.0.0.1:s2,127.0.0.1:s3#<masterName>}, Lettuce's syntax.
   */
  public String sentinelUri() {
    return sentinels.stream()
        .map(s -> s.host() + ":" + s.port())
        .collect(Collectors.joining(",", "redis-sentinel://", "#" + masterName));
  }

  /** The primary's port as the first answering sentinel reports it. */
  public int currentPrimaryPort() {
    RuntimeException last = null;
    for (RedisServer sentinel : sentinels) {
      if (sentinel.isRunning()) {
        try {
          return primaryPortSeenBy(sentinel);
        } catch (RuntimeException e) {
          last = e;
        }
      }
    }
    throw new FixtureException("no sentinel of " + sentinelUri() + " names a primary", last);
  }

  /** The server the sentinels currently name as primary. */
  public RedisServer currentPrimary() {
    return dataNode(currentPrimaryPort());
  }

  /** SIGKILLs the current primary. */
  public RedisServer killPrimary() {
    RedisServer victim = currentPrimary();
    killedPrimary = victim;
    victim.kill();
    return victim;
  }

  /**
   * Waits until every running sentinel names a running server other than the one {@link
   * #killPrimary()} killed, and that server reports {@code role:master}.
   *
   * @return the new primary
   */
  public RedisServer awaitFailover(Duration timeout) {
    RedisServer killed = killedPrimary;
    if (killed == null) {
      throw new IllegalStateException("call killPrimary() before awaitFailover()");
    }
    Waiting.until(
        "sentinels " + sentinelUri() + " to promote a replica of " + killed,
        timeout,
        () -> {
          for (RedisServer sentinel : sentinels) {
            if (sentinel.isRunning() && primaryPortSeenBy(sentinel) == killed.port()) {
              return false;
            }
          }
          RedisServer candidate = currentPrimary();
          try {
            return candidate.isRunning()
                && "master".equals(candidate.info("replication").get("role"));
          } catch (FixtureException e) {
            // a promoting sentinel disconnects the new primary's clients (CLIENT KILL TYPE normal):
            // this probe's connection can be reset mid-reply; the next probe asks again
            return false;
          }
        },
        this::describe);
    return currentPrimary();
  }

  /** Kills every process and deletes their directories. Idempotent. */
  @Override
  public void close() {
    List<RedisServer> all = new ArrayList<>(sentinels);
    all.add(replica);
    all.add(primary);
    try {
      all.forEach(RedisServer::kill);
    } finally {
      all.forEach(RedisServer::close);
    }
  }

  @Override
  public String toString() {
    return "RedisSentinelGroup[" + sentinelUri() + "]";
  }

  private int primaryPortSeenBy(RedisServer sentinel) {
    List<?> address = (List<?>) sentinel.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName);
    if (address == null) {
      throw new FixtureException("sentinel " + sentinel + " does not know " + masterName);
    }
    return Integer.parseInt((String) address.get(1));
  }

  private RedisServer dataNode(int port) {
    if (port == primary.port()) {
      return primary;
    }
    if (port == replica.port()) {
      return replica;
    }
    throw new FixtureException(
        "sentinels name port " + port + ", which is not a server of " + this);
  }

  /** True once every sentinel knows the primary, the replica and the two other sentinels. */
  private boolean settled() throws IOException {
    for (RedisServer sentinel : sentinels) {
      if (primaryPortSeenBy(sentinel) != primary.port()) {
        return false;
      }
      List<Map<String, String>> replicas =
          entries(sentinel.command("SENTINEL", "REPLICAS", masterName));
      boolean replicaUp =
          replicas.stream()
              .anyMatch(
                  r ->
                      String.valueOf(replica.port()).equals(r.get("port"))
                          && !r.get("flags").contains("down")
                          && !r.get("flags").contains("disconnected"));
      if (!replicaUp
          || entries(sentinel.command("SENTINEL", "SENTINELS", masterName)).size()
              != sentinels.size() - 1) {
        return false;
      }
    }
    return true;
  }

  /** A SENTINEL reply (array of flat name/value arrays) as maps. */
  private static List<Map<String, String>> entries(Object reply) {
    List<Map<String, String>> result = new ArrayList<>();
    for (Object item : (List<?>) reply) {
      List<?> flat = (List<?>) item;
      Map<String, String> entry = new HashMap<>();
      for (int i = 0; i + 1 < flat.size(); i += 2) {
        entry.put((String) flat.get(i), (String) flat.get(i + 1));
      }
      result.add(entry);
    }
    return result;
  }

  private String describe() {
    StringBuilder out = new StringBuilder("sentinel group ").append(sentinelUri()).append(':');
    for (RedisServer server : List.of(primary, replica)) {
      out.append("\n  ").append(server).append(server.isRunning() ? "" : " (not running)");
      if (server.isRunning()) {
        try {
          out.append(" role:").append(server.info("replication").get("role"));
        } catch (RuntimeException e) {
          out.append(" does not answer: ").append(e.getMessage());
        }
      }
    }
    for (RedisServer sentinel : sentinels) {
      out.append("\n  sentinel ")
          .append(sentinel)
          .append(", last log lines:\n    ")
          .append(sentinel.logTail(8).replace("\n", "\n    "));
    }
    return out.toString();
  }

  /** Settings for a {@link RedisSentinelGroup}; not thread-safe. */
  public static final class Builder {

    private String masterName = DEFAULT_MASTER_NAME;
    private Duration downAfter = Duration.ofMillis(1000);
    private Duration failoverTimeout = Duration.ofMillis(5000);
    private RedisBinary binary;

    private Builder() {}

    /** The name the primary is monitored under; default {@code mymaster}. */
    public Builder masterName(String masterName) {
      this.masterName = masterName;
      return this;
    }

    /** {@code down-after-milliseconds}; default 1 s. */
    public Builder downAfter(Duration downAfter) {
      this.downAfter = downAfter;
      return this;
    }

    /** {@code failover-timeout}; default 5 s. */
    public Builder failoverTimeout(Duration failoverTimeout) {
      this.failoverTimeout = failoverTimeout;
      return this;
    }

    /** The executable to run; default {@link RedisBinary#resolve()}. */
    public Builder binary(RedisBinary binary) {
      this.binary = binary;
      return this;
    }

    /**
     * Starts primary, replica and three sentinels, and waits (at most 30 s) until the replica is in
     * sync and every sentinel knows the primary, the replica and the other sentinels.
     */
    public RedisSentinelGroup start() {
      RedisBinary bin = binary != null ? binary : RedisBinary.resolve();
      List<RedisServer> started = new ArrayList<>();
      try {
        RedisServer primary = track(started, RedisServer.builder().binary(bin).start());
        RedisServer replica =
            track(
                started,
                RedisServer.builder()
                    .binary(bin)
                    .replicaOf(primary.host(), primary.port())
                    .start());
        Waiting.until(
            replica + " to sync with " + primary,
            SETTLE_TIMEOUT,
            () -> "up".equals(replica.info("replication").get("master_link_status")),
            () -> replica.logTail(20));
        List<RedisServer> sentinels = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          sentinels.add(
              track(
                  started,
                  RedisServer.builder()
                      .binary(bin)
                      .sentinel()
                      .config(
                          "sentinel",
                          "monitor "
                              + masterName
                              + " "
                              + primary.host()
                              + " "
                              + primary.port()
                              + " 2")
                      .config(
                          "sentinel",
                          "down-after-milliseconds " + masterName + " " + downAfter.toMillis())
                      .config(
                          "sentinel",
                          "failover-timeout " + masterName + " " + failoverTimeout.toMillis())
                      .start()));
        }
        RedisSentinelGroup group = new RedisSentinelGroup(masterName, primary, replica, sentinels);
        Waiting.until(
            group
                + " to settle (every sentinel knows the primary, the replica and 2 other sentinels)",
            SETTLE_TIMEOUT,
            group::settled,
            group::describe);
        return group;
      } catch (RuntimeException e) {
        started.forEach(RedisServer::close);
        throw e;
      }
    }

    private static RedisServer track(List<RedisServer> started, RedisServer server) {
      started.add(server);
      return server;
    }
  }
}
