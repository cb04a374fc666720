package dev.cascade.samples.hibernate;

import dev.cascade.testing.RedisServer;
import java.util.Map;

/**
 * Points the sample's Cascade file at a test's private redis-server: the file names no Redis, so
 * Cascade takes the system property {@code cascade.redis.uri}.
 */
final class RedisUnderTest {

  /** Overrides of the sample's settings for tests: none, the regions come from the file. */
  static final Map<String, Object> SETTINGS = Map.of();

  private RedisUnderTest() {}

  static void use(RedisServer redis) {
    System.setProperty("cascade.redis.uri", redis.uri());
  }

  static void release() {
    System.clearProperty("cascade.redis.uri");
  }
}
