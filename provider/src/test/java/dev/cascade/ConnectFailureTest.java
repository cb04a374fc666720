package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import javax.cache.CacheException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Why {@code getCacheManager} could not connect, in words an operator can act on: refused
 * credentials are not an absent server.
 */
@WithRedis
@Timeout(60)
class ConnectFailureTest {

  @Test
  void wrongPassword_isReportedAsRefusedCredentials_withoutThePassword(RedisServer redis) {
    String uri = redis.uri("nobody", "s3cr3tpw");

    CacheException e = assertThrows(CacheException.class, () -> Managers.open(uri));

    String message = e.getMessage();
    assertTrue(message.contains("refused the credentials"), message);
    assertTrue(message.contains(String.valueOf(redis.port())), message);
    assertFalse(message.contains("Is redis-server running"), message);
    assertFalse(message.contains("s3cr3tpw"), message);
  }

  @Test
  void noServer_isReportedAsUnreachable() throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort(); // nothing listens there once it is closed
    }
    CacheException e =
        assertThrows(CacheException.class, () -> Managers.open("redis://127.0.0.1:" + port));

    assertTrue(e.getMessage().contains("Is redis-server running there?"), e.getMessage());
  }
}
