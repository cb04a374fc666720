package dev.cascade.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * A private Redis Cluster of {@code redis-server} processes on loopback: by default three masters
 * with one replica each, the 16384 slots split evenly, built from Java (no {@code redis-cli}) with
 * {@code CLUSTER SET-CONFIG-EPOCH}, {@code ADDSLOTS}, {@code MEET} and {@code REPLICATE}. Works
 * with Redis 6.2 and 7.
 *
 * <pre>{@code
 * try (RedisCluster cluster = RedisCluster.start()) {
 *     RedisClusterClient client = RedisClusterClient.create(cluster.seedRedisUris().stream()
 *             .map(RedisURI::create).toList());
 *     ...
 *     RedisServer master = cluster.masterForSlot(RedisCluster.slot("{users#3}:42"));
 *     cluster.killMaster(master);
 *     RedisServer promoted = cluster.awaitFailover(master, Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * <p>Thread-safe: nodes are thread-safe, the admin connections are Lettuce's; queries read the
 * cluster's state afresh from a running node each time, so they see failovers.
 */
public final class RedisCluster implements AutoCloseable {

  static final Duration FORMATION_TIMEOUT = Duration.ofSeconds(30);

  private final List<RedisServer> nodes;
  private final ClusterAdmin admin;

  /** port -> node id; ids survive restarts (they are in nodes.conf). */
  private final Map<Integer, String> ids = new ConcurrentHashMap<>();

  /** master id -> ids of its replicas when it was last seen alive, for {@link #awaitFailover}. */
  private final Map<String, Set<String>> replicasOf = new ConcurrentHashMap<>();

  private boolean closed;

  private RedisCluster(List<RedisServer> nodes, ClusterAdmin admin) {
    this.nodes = List.copyOf(nodes);
    this.admin = admin;
  }

  /** Starts the default cluster: 3 masters, 1 replica each, node timeout 2 s. */
  public static RedisCluster start() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** All nodes, in start order (the first {@code masters} of them started as masters). */
  public List<RedisServer> nodes() {
    return nodes;
  }

  /** Running nodes that a running node currently sees as healthy masters. */
  public List<RedisServer> masters() {
    return currentView().masters().stream()
        .filter(n -> !n.isFailing())
        .map(n -> node(n.port()))
        .filter(RedisServer::isRunning)
        .toList();
  }

  /** Running nodes that a running node currently sees as healthy replicas. */
  public List<RedisServer> replicas() {
    return currentView().nodes().stream()
        .filter(n -> n.isReplica() && !n.isFailing())
        .map(n -> node(n.port()))
        .filter(RedisServer::isRunning)
        .toList();
  }

  /**
   * {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,...} naming every node, the form the Cascade
   * provider accepts as a CacheManager URI for a cluster.
   */
  public String seedUri() {
    return nodes.stream()
        .map(n -> n.host() + ":" + n.port())
        .collect(Collectors.joining(",", "redis-cluster://", ""));
  }

  /** {@code redis://127.0.0.1:p} for every node, for {@code RedisClusterClient.create(...)}. */
  public List<String> seedRedisUris() {
    return nodes.stream().map(RedisServer::uri).toList();
  }

  /** The master serving {@code slot} now, as a running node sees it. */
  public RedisServer masterForSlot(int slot) {
    if (slot < 0 || slot >= ClusterSlot.SLOTS) {
      throw new IllegalArgumentException(
          "slot " + slot + " is outside 0.." + (ClusterSlot.SLOTS - 1));
    }
    return currentView()
        .ownerOf(slot)
        .map(n -> node(n.port()))
        .orElseThrow(() -> new FixtureException("no node serves slot " + slot + "\n" + describe()));
  }

  /**
   * Moves {@code slot} and its keys from its master to {@code target}, as {@code redis-cli
   * --cluster reshard} does: marks it importing and migrating, {@code MIGRATE}s its keys 100 at a
   * time, then tells every master the new owner. Clients meet {@code ASK} while it runs and {@code
   * MOVED} after.
   */
  public void moveSlot(int slot, RedisServer target) {
    moveSlot(slot, target, 100, Duration.ZERO);
  }

  /**
   * {@link #moveSlot(int, RedisServer)}, {@code keysPerMigrate} keys at a time with {@code pause}
   * between: a migration that lasts long enough for a test's clients to meet it for certain.
   */
  public void moveSlot(int slot, RedisServer target, int keysPerMigrate, Duration pause) {
    RedisServer source = masterForSlot(slot);
    if (source == target) {
      throw new IllegalArgumentException("slot " + slot + " is served by " + target + " already");
    }
    String sourceId = (String) source.command("CLUSTER", "MYID");
    String targetId = (String) target.command("CLUSTER", "MYID");
    String s = Integer.toString(slot);
    target.command("CLUSTER", "SETSLOT", s, "IMPORTING", sourceId);
    source.command("CLUSTER", "SETSLOT", s, "MIGRATING", targetId);
    List<?> before = null;
    while (true) {
      List<?> keys =
          (List<?>) source.command("CLUSTER", "GETKEYSINSLOT", s, Integer.toString(keysPerMigrate));
      if (keys.isEmpty()) {
        break;
      }
      if (keys.equals(before)) {
        // keys are passed as UTF-8 text: one that is not would never be found to migrate
        throw new FixtureException(
            "MIGRATE moved none of "
                + keys
                + " of slot "
                + slot
                + " to "
                + target
                + "\n"
                + describe());
      }
      before = keys;
      List<String> migrate =
          new ArrayList<>(
              List.of(
                  "MIGRATE", RedisServer.HOST, Integer.toString(target.port()), "", "0", "5000"));
      migrate.add("KEYS");
      keys.forEach(k -> migrate.add(String.valueOf(k)));
      source.command(migrate.toArray(new String[0]));
      if (!pause.isZero()) {
        try {
          Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new FixtureException("interrupted while moving slot " + slot, e);
        }
      }
    }
    target.command("CLUSTER", "SETSLOT", s, "NODE", targetId);
    source.command("CLUSTER", "SETSLOT", s, "NODE", targetId);
    for (RedisServer n : nodes) {
      if (n.isRunning() && n != source && n != target && isMaster(n)) {
        n.command("CLUSTER", "SETSLOT", s, "NODE", targetId);
      }
    }
  }

  private static boolean isMaster(RedisServer node) {
    return ((List<?>) node.command("ROLE")).get(0).equals("master");
  }

  /** The hash slot of a key: CRC16 (XMODEM) of the key or its {@code {hash tag}}, mod 16384. */
  public static int slot(byte[] key) {
    return ClusterSlot.of(key);
  }

  /** The hash slot of the UTF-8 bytes of {@code key}. */
  public static int slot(String key) {
    return ClusterSlot.of(key.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * SIGKILLs a master after noting its replicas, so that {@link #awaitFailover} knows which of them
   * may take over.
   */
  public void killMaster(RedisServer master) {
    ClusterTopology view = currentView();
    ClusterTopology.Node node =
        view.byPort(master.port())
            .filter(ClusterTopology.Node::isMaster)
            .orElseThrow(
                () -> new IllegalArgumentException(master + " is not a master now\n" + describe()));
    replicasOf.put(
        node.id(),
        view.replicasOf(node.id()).stream()
            .map(ClusterTopology.Node::id)
            .collect(Collectors.toSet()));
    master.kill();
    admin.forget(master.port());
  }

  /**
   * Waits until one of the killed master's former replicas is a master in the view of every running
   * node and every running node reports {@code cluster_state:ok}.
   *
   * @return the promoted node
   * @throws FixtureException with every node's view if that does not happen within {@code timeout}
   */
  public RedisServer awaitFailover(RedisServer killedMaster, Duration timeout) {
    String killedId = idOf(killedMaster);
    Set<String> candidates = replicasOf.getOrDefault(killedId, Set.of());
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException(killedMaster + " had no replicas when last seen alive");
    }
    String[] promoted = new String[1];
    Waiting.until(
        "a replica of " + killedMaster + " to take over",
        timeout,
        () -> {
          promoted[0] = null;
          for (RedisServer node : running()) {
            if (!"ok".equals(admin.clusterInfo(node.port()).get("cluster_state"))) {
              return false;
            }
            List<String> newMasters =
                admin.topology(node.port()).masters().stream()
                    .filter(n -> !n.isFailing() && n.slotCount() > 0 && candidates.contains(n.id()))
                    .map(ClusterTopology.Node::id)
                    .toList();
            if (newMasters.size() != 1
                || (promoted[0] != null && !promoted[0].equals(newMasters.get(0)))) {
              return false;
            }
            promoted[0] = newMasters.get(0);
          }
          return promoted[0] != null;
        },
        this::describe);
    return nodes.stream()
        .filter(n -> promoted[0].equals(ids.get(n.port())))
        .findFirst()
        .orElseThrow();
  }

  /** Waits until every running node reports {@code cluster_state:ok}. */
  public void awaitStateOk(Duration timeout) {
    Waiting.until(
        "cluster_state:ok on every running node",
        timeout,
        () ->
            running().stream()
                .allMatch(n -> "ok".equals(admin.clusterInfo(n.port()).get("cluster_state"))),
        this::describe);
  }

  /** Kills every node and deletes their directories. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      nodes.forEach(RedisServer::kill);
      admin.close();
    } finally {
      nodes.forEach(RedisServer::close);
    }
  }

  @Override
  public String toString() {
    return "RedisCluster" + nodes.stream().map(RedisServer::port).toList();
  }

  List<RedisServer> running() {
    return nodes.stream().filter(RedisServer::isRunning).toList();
  }

  ClusterAdmin admin() {
    return admin;
  }

  /** Records node ids and who replicates whom, once formation has settled. */
  void remember(Map<Integer, String> nodeIds, Map<String, Set<String>> replicas) {
    ids.putAll(nodeIds);
    replicasOf.putAll(replicas);
  }

  /** The cluster as the first running node that answers sees it. */
  private ClusterTopology currentView() {
    RuntimeException last = null;
    for (RedisServer node : running()) {
      try {
        return admin.topology(node.port());
      } catch (RuntimeException e) {
        last = e;
      }
    }
    throw new FixtureException("no node of " + this + " answers CLUSTER NODES", last);
  }

  private RedisServer node(int port) {
    return nodes.stream()
        .filter(n -> n.port() == port)
        .findFirst()
        .orElseThrow(() -> new FixtureException("port " + port + " is not a node of " + this));
  }

  private String idOf(RedisServer node) {
    String id = ids.get(node.port());
    if (id == null) {
      throw new IllegalArgumentException(node + " is not a node of " + this);
    }
    return id;
  }

  /** Every node's state and view: the message of every failed wait. */
  String describe() {
    StringBuilder out = new StringBuilder("cluster nodes:");
    for (RedisServer node : nodes) {
      out.append("\n  ").append(node).append(node.isRunning() ? "" : " (not running)");
      if (node.isRunning()) {
        try {
          Map<String, String> info = admin.clusterInfo(node.port());
          out.append(" cluster_state:")
              .append(info.get("cluster_state"))
              .append(" slots_assigned:")
              .append(info.get("cluster_slots_assigned"))
              .append(" known_nodes:")
              .append(info.get("cluster_known_nodes"))
              .append("\n    ")
              .append(admin.on(node.port()).clusterNodes().trim().replace("\n", "\n    "));
        } catch (RuntimeException e) {
          out.append(" does not answer: ")
              .append(e.getMessage())
              .append("\n    log: ")
              .append(node.logTail(10).replace("\n", "\n    "));
        }
      }
    }
    return out.toString();
  }

  /** Settings for a {@link RedisCluster}; not thread-safe. */
  public static final class Builder {

    private int masters = 3;
    private int replicasPerMaster = 1;
    private Duration nodeTimeout = Duration.ofMillis(2000);
    private RedisBinary binary;
    private final List<String[]> extraConfig = new ArrayList<>();

    private Builder() {}

    /**
     * A config directive for every node, as {@link RedisServer.Builder#config}: for example an ACL
     * {@code user} for the client under test. The fixture's own connections log in as {@code
     * default}, which must stay on.
     */
    public Builder config(String name, String value) {
      extraConfig.add(new String[] {name, value});
      return this;
    }

    /** Number of masters, at least 1; default 3. */
    public Builder masters(int masters) {
      if (masters < 1) {
        throw new IllegalArgumentException("masters must be at least 1: " + masters);
      }
      this.masters = masters;
      return this;
    }

    /** Replicas of each master, at least 0; default 1. */
    public Builder replicasPerMaster(int replicas) {
      if (replicas < 0) {
        throw new IllegalArgumentException("replicasPerMaster must not be negative: " + replicas);
      }
      this.replicasPerMaster = replicas;
      return this;
    }

    /** {@code cluster-node-timeout}: how long until a silent node counts as failed; default 2 s. */
    public Builder nodeTimeout(Duration timeout) {
      this.nodeTimeout = timeout;
      return this;
    }

    /** The executable to run; default {@link RedisBinary#resolve()}. */
    public Builder binary(RedisBinary binary) {
      this.binary = binary;
      return this;
    }

    /**
     * Starts the nodes, forms the cluster and waits (at most 30 s) until every node reports {@code
     * cluster_state:ok}, all slots assigned, every master with its replicas, and every replica's
     * link to its master up.
     *
     * @throws FixtureException with every node's view if the cluster does not form in time
     */
    public RedisCluster start() {
      RedisBinary bin = binary != null ? binary : RedisBinary.resolve();
      List<RedisServer> started = new ArrayList<>();
      RedisCluster cluster = null;
      try {
        for (int i = 0; i < masters * (1 + replicasPerMaster); i++) {
          RedisServer.Builder node =
              RedisServer.builder()
                  .binary(bin)
                  .clusterEnabled(true)
                  .config("cluster-node-timeout", String.valueOf(nodeTimeout.toMillis()));
          extraConfig.forEach(directive -> node.config(directive[0], directive[1]));
          started.add(node.start());
        }
        cluster = new RedisCluster(started, new ClusterAdmin());
        new ClusterFormation(cluster, masters, replicasPerMaster).form();
        return cluster;
      } catch (RuntimeException e) {
        if (cluster != null) {
          cluster.close();
        } else {
          started.forEach(RedisServer::close);
        }
        throw e;
      }
    }
  }
}
