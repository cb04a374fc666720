package dev.cascade.internal.store;

import dev.cascade.testing.RedisCluster;
import dev.cascade.testing.WithRedisCluster;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/**
 * {@link FencedReadContract} on a cluster: each read goes to the master of its partition's slot on
 * a connection of its own (the partitions of a cache spread over the three masters).
 */
@WithRedisCluster
@Timeout(120)
class ClusterFencedReadTest extends FencedReadContract {

  private RedisCluster cluster;

  @BeforeEach
  void cluster(RedisCluster cluster) {
    this.cluster = cluster;
  }

  @Override
  void open(String cache, int partitions) {
    redis = RedisAccess.connect(RedisTarget.parse(cluster.seedUri(), Duration.ofSeconds(5)));
    layout = new KeyLayout(cache, partitions);
    queue = new QueueStore(redis, layout);
    queue.ensureGroups();
  }
}
