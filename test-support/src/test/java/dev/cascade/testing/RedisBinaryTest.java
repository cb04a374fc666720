package dev.cascade.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Changes the system property {@code cascade.redis.server}; restores it after each test. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisBinaryTest {

  private final String before = System.getProperty(RedisBinary.PROPERTY);

  @AfterEach
  void restoreProperty() {
    if (before == null) {
      System.clearProperty(RedisBinary.PROPERTY);
    } else {
      System.setProperty(RedisBinary.PROPERTY, before);
    }
  }

  @Test
  void resolve_default_findsExecutableWithVersion() {
    RedisBinary binary = RedisBinary.resolve();
    assertTrue(Files.isExecutable(binary.path()), binary.toString());
    assertTrue(binary.version().matches("\\d+\\.\\d+\\.\\d+"), binary.version());
  }

  @Test
  void resolve_embedded_extractsRedis62FromJar_andItServes() {
    System.setProperty(RedisBinary.PROPERTY, "embedded");
    RedisBinary binary = RedisBinary.resolve();
    assertTrue(
        binary.path().getFileName().toString().startsWith("cascade-redis-server-6.2"),
        binary.toString());
    assertEquals(6, binary.majorVersion());
    assertEquals(binary.path(), RedisBinary.resolve().path(), "extracted once per JVM");
    try (RedisServer redis = RedisServer.builder().binary(binary).start()) {
      assertTrue(redis.info("server").get("redis_version").startsWith("6.2"));
    }
  }

  @Test
  void resolve_notAnExecutable_failsNamingPath() {
    System.setProperty(RedisBinary.PROPERTY, "/no/such/redis-server");
    FixtureException e = assertThrows(FixtureException.class, RedisBinary::resolve);
    assertTrue(e.getMessage().contains("/no/such/redis-server"), e.getMessage());
  }
}
