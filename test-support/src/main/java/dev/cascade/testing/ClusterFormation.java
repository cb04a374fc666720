package dev.cascade.testing;

import io.lettuce.core.api.sync.RedisCommands;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The steps that turn freshly started {@code cluster-enabled} nodes into a working cluster, as
 * {@code redis-cli --cluster create} would, but from Java: distinct config epochs, slots to the
 * masters, MEET, REPLICATE, then wait until every node agrees. Used once, by one thread, by {@link
 * RedisCluster.Builder#start()}.
 */
final class ClusterFormation {

  /** Slots per {@code CLUSTER ADDSLOTS} call: ADDSLOTSRANGE would be shorter but needs Redis 7. */
  private static final int ADDSLOTS_BATCH = 1000;

  private final RedisCluster cluster;
  private final ClusterAdmin admin;
  private final List<RedisServer> nodes;
  private final int masters;
  private final int replicasPerMaster;
  private final Map<Integer, String> ids = new HashMap<>();

  ClusterFormation(RedisCluster cluster, int masters, int replicasPerMaster) {
    this.cluster = cluster;
    this.admin = cluster.admin();
    this.nodes = cluster.nodes();
    this.masters = masters;
    this.replicasPerMaster = replicasPerMaster;
  }

  void form() {
    for (int i = 0; i < nodes.size(); i++) {
      RedisCommands<String, String> node = admin.on(port(i));
      ids.put(port(i), node.clusterMyId());
      // distinct epochs from the start, as redis-cli sets them: otherwise the masters first
      // have to resolve an epoch collision among themselves
      node.clusterSetConfigEpoch(i + 1);
    }
    assignSlots();
    for (int i = 1; i < nodes.size(); i++) {
      admin.on(port(0)).clusterMeet(RedisServer.HOST, port(i));
    }
    Waiting.until(
        "every node of " + cluster + " to know all " + nodes.size() + " nodes",
        RedisCluster.FORMATION_TIMEOUT,
        this::allNodesKnown,
        cluster::describe);
    Map<String, Set<String>> replicas = attachReplicas();
    Waiting.until(
        cluster
            + " to be formed (cluster_state:ok, "
            + masters
            + " masters with "
            + replicasPerMaster
            + " replica(s) each, replication links up)",
        RedisCluster.FORMATION_TIMEOUT,
        this::formed,
        cluster::describe);
    cluster.remember(ids, replicas);
  }

  /** Master m gets the m-th of {@code masters} even ranges of the 16384 slots. */
  private void assignSlots() {
    for (int m = 0; m < masters; m++) {
      int from = m * ClusterSlot.SLOTS / masters;
      int to = (m + 1) * ClusterSlot.SLOTS / masters; // exclusive
      for (int batch = from; batch < to; batch += ADDSLOTS_BATCH) {
        int[] slots = IntStream.range(batch, Math.min(batch + ADDSLOTS_BATCH, to)).toArray();
        admin.on(port(m)).clusterAddSlots(slots);
      }
    }
  }

  private boolean allNodesKnown() {
    for (int i = 0; i < nodes.size(); i++) {
      List<ClusterTopology.Node> known = admin.topology(port(i)).nodes();
      if (known.size() != nodes.size()
          || !known.stream().allMatch(ClusterTopology.Node::isSettled)
          || !known.stream().allMatch(n -> ids.containsValue(n.id()))) {
        return false;
      }
    }
    return true;
  }

  /** Replica r (counted after the masters) follows master r mod masters. */
  private Map<String, Set<String>> attachReplicas() {
    Map<String, Set<String>> replicas = new HashMap<>();
    for (int i = masters; i < nodes.size(); i++) {
      String masterId = ids.get(port((i - masters) % masters));
      admin.on(port(i)).clusterReplicate(masterId);
      replicas.computeIfAbsent(masterId, k -> new HashSet<>()).add(ids.get(port(i)));
    }
    return replicas;
  }

  private boolean formed() {
    for (int i = 0; i < nodes.size(); i++) {
      Map<String, String> info = admin.clusterInfo(port(i));
      if (!"ok".equals(info.get("cluster_state"))
          || !String.valueOf(ClusterSlot.SLOTS).equals(info.get("cluster_slots_assigned"))
          || !String.valueOf(nodes.size()).equals(info.get("cluster_known_nodes"))) {
        return false;
      }
      ClusterTopology view = admin.topology(port(i));
      List<ClusterTopology.Node> masterNodes = view.masters();
      if (masterNodes.size() != masters
          || !masterNodes.stream()
              .allMatch(m -> view.replicasOf(m.id()).size() == replicasPerMaster)) {
        return false;
      }
      if (i >= masters
          && !"up".equals(nodes.get(i).info("replication").get("master_link_status"))) {
        return false;
      }
    }
    return true;
  }

  private int port(int index) {
    return nodes.get(index).port();
  }
}
