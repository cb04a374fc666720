package dev.cascade.internal.store;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/** {@link FencedReadContract} on one server. */
@WithRedis
@Timeout(60)
class FencedReadTest extends FencedReadContract {

  private RedisServer server;

  @BeforeEach
  void server(RedisServer server) {
    this.server = server;
  }

  @Override
  void open(String cache, int partitions) {
    redis = RedisAccess.connect(RedisTarget.parse(server.uri(), Duration.ofSeconds(5)));
    layout = new KeyLayout(cache, partitions);
    queue = new QueueStore(redis, layout);
    queue.ensureGroups();
  }
}
