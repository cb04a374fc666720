package dev.cascade.testing;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one private {@link RedisSentinelGroup} (primary, replica, three sentinels) per test class,
 * closes it after all tests of the class, and injects it into parameters of type {@code
 * RedisSentinelGroup}.
 *
 * <pre>{@code
 * @WithRedisSentinel
 * class SentinelFailoverTest {
 *     @Test
 *     void put_afterFailover_succeeds(RedisSentinelGroup group) { ... group.sentinelUri() ... }
 * }
 * }</pre>
 *
 * <p>Concurrency: see {@link FixtureExtension}.
 */
public final class RedisSentinelExtension extends FixtureExtension<RedisSentinelGroup> {

  public RedisSentinelExtension() {
    super(RedisSentinelGroup.class);
  }

  @Override
  RedisSentinelGroup start(ExtensionContext classContext) {
    return RedisSentinelGroup.start();
  }
}
