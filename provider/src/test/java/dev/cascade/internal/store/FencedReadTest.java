package dev.cascade.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.time.Duration;
import javax.cache.CacheException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link FencedReadContract} on one server. */
@WithRedis
@Timeout(60)
class FencedReadTest extends FencedReadContract {

  private RedisServer server;

  @BeforeEach
  void server(RedisServer server) {
    this.server = server;
  }

  /**
   * A Redis user whose ACL predates the fenced read (no {@code WATCH}, or no {@code MULTI}): the
   * read must fail, naming the refusal, and must not read a record unfenced.
   */
  @ParameterizedTest
  @ValueSource(strings = {"watch", "multi"})
  void aUserWithoutTheFencesCommand_failsTheRead_andReadsNothing(String refused) throws Exception {
    String user = "no-" + refused + "-" + System.nanoTime();
    try (RedisServer.TemporaryUser u = server.userRefusing(user, "pw", refused)) {
      redis = RedisAccess.connect(RedisTarget.parse(server.uri(user, "pw"), Duration.ofSeconds(5)));
      layout = new KeyLayout("fenced-read-acl-" + refused, 1);
      queue = new QueueStore(redis, layout);
      queue.ensureGroups();
      append(0, 3);
      String token = queue.acquireLease(0, "a", TTL);
      CacheException e =
          assertThrows(CacheException.class, () -> queue.readNew(0, "a", 10, token, 0));
      assertTrue(String.valueOf(e.getMessage()).contains("NOPERM"), e.getMessage());
      assertEquals(0, pendingFor(0, "a"), "a record was read without the fence");
    }
  }

  @Override
  void open(String cache, int partitions) {
    redis = RedisAccess.connect(RedisTarget.parse(server.uri(), Duration.ofSeconds(5)));
    layout = new KeyLayout(cache, partitions);
    queue = new QueueStore(redis, layout);
    queue.ensureGroups();
  }
}
