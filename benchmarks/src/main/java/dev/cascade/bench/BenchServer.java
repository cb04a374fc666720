package dev.cascade.bench;

import dev.cascade.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

/**
 * Where the benchmarks find Redis. {@link BenchMain} starts one private redis-server and hands its
 * URI to every JMH fork as the system property {@value #PROPERTY}; a fork started some other way
 * (plain {@code java -jar benchmarks.jar}) starts a private server of its own. Never the system
 * Redis on 6379.
 */
final class BenchServer {

  static final String PROPERTY = "cascade.bench.redis";

  private static RedisServer own;

  private BenchServer() {}

  static synchronized String uri() {
    String given = System.getProperty(PROPERTY);
    if (given != null && !given.isBlank()) {
      return given;
    }
    if (own == null) {
      own = RedisServer.start();
    }
    return own.uri();
  }

  /** Empties the server, so each benchmark starts from the same data whatever ran before it. */
  static void flushAll(String uri) {
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      c.sync().flushall();
    } finally {
      client.shutdown();
    }
  }
}
