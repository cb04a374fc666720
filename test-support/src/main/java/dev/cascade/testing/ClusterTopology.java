package dev.cascade.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One node's view of the cluster, parsed from {@code CLUSTER NODES}. Immutable.
 *
 * <p>Line format (Redis 6.2 and 7): {@code <id> <ip:port@cport[,hostname]> <flags> <master-id|->
 * <ping-sent> <pong-recv> <config-epoch> <link-state> <slot> <slot> ...}; a slot entry is a number,
 * a range {@code a-b}, or a migration marker in brackets (ignored here).
 */
final class ClusterTopology {

  /** One line of {@code CLUSTER NODES}. */
  record Node(String id, int port, Set<String> flags, String masterId, List<int[]> slotRanges) {

    boolean isMaster() {
      return flags.contains("master");
    }

    boolean isReplica() {
      return flags.contains("slave");
    }

    /** Flagged as failed (confirmed) or possibly failed by the viewing node. */
    boolean isFailing() {
      return flags.contains("fail") || flags.contains("fail?");
    }

    boolean isSettled() {
      return !flags.contains("handshake") && !flags.contains("noaddr");
    }

    int slotCount() {
      return slotRanges.stream().mapToInt(r -> r[1] - r[0] + 1).sum();
    }

    boolean owns(int slot) {
      return slotRanges.stream().anyMatch(r -> r[0] <= slot && slot <= r[1]);
    }
  }

  private final List<Node> nodes;

  private ClusterTopology(List<Node> nodes) {
    this.nodes = nodes;
  }

  static ClusterTopology parse(String clusterNodes) {
    List<Node> nodes = new ArrayList<>();
    for (String line : clusterNodes.split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length < 8) {
        continue;
      }
      String address = f[1];
      int colon = address.lastIndexOf(':');
      int at = address.indexOf('@', colon);
      int port = Integer.parseInt(address.substring(colon + 1, at < 0 ? address.length() : at));
      List<int[]> slots = new ArrayList<>();
      for (int i = 8; i < f.length; i++) {
        if (f[i].startsWith("[")) {
          continue; // slot being imported or migrated
        }
        int dash = f[i].indexOf('-');
        int from = Integer.parseInt(dash < 0 ? f[i] : f[i].substring(0, dash));
        int to = dash < 0 ? from : Integer.parseInt(f[i].substring(dash + 1));
        slots.add(new int[] {from, to});
      }
      nodes.add(new Node(f[0], port, Set.of(f[2].split(",")), f[3], List.copyOf(slots)));
    }
    return new ClusterTopology(List.copyOf(nodes));
  }

  List<Node> nodes() {
    return nodes;
  }

  List<Node> masters() {
    return nodes.stream().filter(Node::isMaster).toList();
  }

  Optional<Node> byId(String id) {
    return nodes.stream().filter(n -> n.id().equals(id)).findFirst();
  }

  Optional<Node> byPort(int port) {
    return nodes.stream().filter(n -> n.port() == port).findFirst();
  }

  List<Node> replicasOf(String masterId) {
    return nodes.stream().filter(n -> n.isReplica() && n.masterId().equals(masterId)).toList();
  }

  Optional<Node> ownerOf(int slot) {
    return masters().stream().filter(n -> n.owns(slot)).findFirst();
  }
}
