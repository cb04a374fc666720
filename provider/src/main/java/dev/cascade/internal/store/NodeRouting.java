package dev.cascade.internal.store;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import javax.cache.CacheException;

/**
 * Where a connection of its own must go to reach the master of a key: on a cluster, the master the
 * cluster client's topology names for the key's slot (with the seed's credentials, TLS and
 * timeout); otherwise the target itself (on Sentinel, its URI names the sentinels, and a new
 * connection asks them for the primary). For the connections the shared cluster connection cannot
 * stand in for: commands that depend on the state of their connection ({@code WAIT}, {@code
 * WATCH}/{@code MULTI}), which Lettuce's cluster routing would scatter over nodes, and the near
 * cache's tracking connection to each master. One per {@link RedisAccess}, shared by all three, so
 * they agree on every node's address, credentials, TLS and timeout.
 */
final class NodeRouting {

  private final RedisTarget target;
  private final RedisClusterClient cluster;
  private final Runnable refreshTopology;

  /**
   * @param cluster the cluster client whose topology routes, or null when not a cluster
   * @param refreshTopology asks the cluster client to read the topology again (rate-limited)
   */
  NodeRouting(RedisTarget target, RedisClusterClient cluster, Runnable refreshTopology) {
    this.target = target;
    this.cluster = cluster;
    this.refreshTopology = refreshTopology;
  }

  RedisTarget target() {
    return target;
  }

  boolean isCluster() {
    return cluster != null;
  }

  void refreshTopology() {
    refreshTopology.run();
  }

  /**
   * The master for the slot of {@code key}, as the cluster client's topology has it; the target
   * itself otherwise.
   */
  RedisURI nodeFor(byte[] key) {
    if (cluster == null) {
      return target.uris().get(0);
    }
    int slot = SlotHash.getSlot(key);
    RedisClusterNode master = cluster.getPartitions().getMasterBySlot(slot);
    if (master == null) {
      refreshTopology.run();
      throw new CacheException(
          "No master of "
              + target
              + " serves slot "
              + slot
              + " (a failover or resharding may be in progress)");
    }
    return uriFor(master.getUri().getHost(), master.getUri().getPort());
  }

  /**
   * A node's URI with the seed's credentials, TLS and timeout; off a cluster, the target itself
   * (whatever node is named).
   */
  RedisURI uriFor(String host, int port) {
    if (cluster == null) {
      return target.uris().get(0);
    }
    return RedisURI.builder(target.uris().get(0)).withHost(host).withPort(port).build();
  }

  /** A node's name for messages and maps: {@code host:port}, or "primary" when not a cluster. */
  String nameOf(RedisURI uri) {
    return cluster == null ? "primary" : uri.getHost() + ":" + uri.getPort();
  }

  /** A node for messages: {@code host:port (target)} on a cluster, the target otherwise. */
  String describe(String node) {
    return cluster == null ? target.toString() : node + " (" + target + ")";
  }
}
