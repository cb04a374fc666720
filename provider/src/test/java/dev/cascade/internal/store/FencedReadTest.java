package dev.cascade.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.time.Duration;
import java.util.List;
import javax.cache.CacheException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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
          assertThrows(CacheException.class, () -> queue.readNew(0, "a", 10, token, List.of()));
      assertTrue(String.valueOf(e.getMessage()).contains("NOPERM"), e.getMessage());
      assertEquals(0, pendingFor(0, "a"), "a record was read without the fence");
    }
  }

  /**
   * Over {@code maxmemory} Redis refuses the read queued in {@code MULTI}, and {@code read.lua}
   * reads instead: with the same checks (the records held, by id) and the same read again.
   */
  @Test
  void overMaxmemory_theScriptReadChecksTheSameIds_andReadsHeldRecordsAgain() throws Exception {
    open("fenced-read-oom", 1);
    append(0, 3);
    String token = queue.acquireLease(0, "a", TTL);
    List<String> first = ids(queue.readNew(0, "a", 1, token, List.of()));
    server.command("CONFIG", "SET", "maxmemory", "1");
    try {
      // read.lua's own check (QueueStore checks the same before it sends the read)
      byte[][] keys = {layout.streamKey(0), layout.leaseKey(0)};
      List<Object> reply =
          redis.await(
              redis.eval(
                  Script.READ,
                  keys,
                  b(QueueStore.GROUP),
                  b("a"),
                  b("10"),
                  b(token),
                  b(">"),
                  b("9999999999999-0")),
              "test");
      assertEquals(List.of(-2L), reply, "another record held than Redis has pending: out of step");
      assertEquals(1, pendingFor(0, "a"), "nothing was read");
      Thread.sleep(200);
      assertTrue(queue.readHeldAgain(0, "a", token, first));
      assertTrue(idleOf(0, "a") < 200, "idle again from the second read: " + idleOf(0, "a"));
      assertEquals(2, queue.readNew(0, "a", 10, token, first).size());
    } finally {
      server.command("CONFIG", "SET", "maxmemory", "0");
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
