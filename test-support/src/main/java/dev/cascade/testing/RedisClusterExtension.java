package dev.cascade.testing;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one private {@link RedisCluster} (3 masters, 1 replica each) per test class, closes it
 * after all tests of the class, and injects it into parameters of type {@code RedisCluster}.
 * Starting takes a few seconds, so share it across a class's tests; nothing is flushed between
 * them.
 *
 * <pre>{@code
 * @WithRedisCluster
 * class ClusterPutTest {
 *     @Test
 *     void put_spreadsOverMasters(RedisCluster cluster) { ... cluster.seedUri() ... }
 * }
 * }</pre>
 *
 * <p>Concurrency: see {@link FixtureExtension}; the cluster itself is thread-safe.
 */
public final class RedisClusterExtension extends FixtureExtension<RedisCluster> {

  public RedisClusterExtension() {
    super(RedisCluster.class);
  }

  @Override
  RedisCluster start(ExtensionContext classContext) {
    return RedisCluster.start();
  }
}
