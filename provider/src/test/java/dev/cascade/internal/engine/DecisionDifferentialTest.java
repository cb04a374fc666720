package dev.cascade.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cascade.internal.store.EntryStore;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.internal.store.Mutation;
import dev.cascade.internal.store.Outcome;
import dev.cascade.internal.store.Outcome.Status;
import dev.cascade.internal.store.RedisAccess;
import dev.cascade.internal.store.RedisTarget;
import dev.cascade.internal.store.StoredEntry;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Decision} (Java) and {@code mutate.lua} (Redis) decide the same case for every state,
 * condition and action: the one-round-trip path and the read-decide-apply path must agree.
 */
@WithRedis
class DecisionDifferentialTest {

  private static final byte[] V1 = bytes("v1");
  private static final byte[] V2 = bytes("v2");
  private static final byte[] V3 = bytes("v3");
  private static final Map<Decision, Status> SAME =
      Map.of(
          Decision.CREATE,
          Status.CREATED,
          Decision.UPDATE,
          Status.UPDATED,
          Decision.TOUCH,
          Status.TOUCHED,
          Decision.DELETE,
          Status.DELETED,
          Decision.FAIL_PRESENT,
          Status.FAILED_PRESENT,
          Decision.FAIL_ABSENT,
          Status.FAILED_ABSENT);

  private static RedisAccess redis;
  private static EntryStore store;

  enum State {
    ABSENT,
    PRESENT,
    EXPIRED
  }

  @BeforeAll
  static void open(RedisServer server) {
    redis = RedisAccess.connect(RedisTarget.parse(server.uri(), Duration.ofSeconds(5)));
    store = new EntryStore(redis, new KeyLayout("differential", 1), bytes("test"));
  }

  @AfterAll
  static void close() {
    redis.close();
  }

  @Test
  void javaDecisionAndLuaScript_agreeOnEveryCase() {
    Mutation[] conditions = {
      Mutation.set(Mutation.Condition.ANY, null, V3),
      Mutation.set(Mutation.Condition.ABSENT, null, V3),
      Mutation.set(Mutation.Condition.PRESENT, null, V3),
      Mutation.set(Mutation.Condition.EQUALS, V1, V3),
      Mutation.set(Mutation.Condition.EQUALS, V2, V3),
      Mutation.set(Mutation.Condition.ABSENT_UNQUEUED, null, V3)
    };
    int cases = 0;
    for (State state : State.values()) {
      for (Mutation base : conditions) {
        for (Mutation.Action action : Mutation.Action.values()) {
          Mutation m =
              base.withAction(action, action == Mutation.Action.SET ? V3 : null).returningOld(true);
          byte[] key = bytes("k" + cases++);
          long now = System.currentTimeMillis();
          StoredEntry seen = arrange(key, state, now);
          Decision expected = Decision.of(m, seen, now);
          Outcome o = redis.await(store.mutate(key, m, now, 0, null), "mutating");
          String what = state + " " + m.condition() + " " + action;
          assertEquals(SAME.get(expected), o.status(), what);
          if (state == State.EXPIRED) {
            assertArrayEquals(V1, o.expired(), what + ": the expired value is reported");
          } else {
            assertNull(o.expired(), what);
          }
        }
      }
    }
    assertEquals(54, cases);
  }

  private static StoredEntry arrange(byte[] key, State state, long now) {
    byte[] entryKey = store.layout().entryKey(key);
    switch (state) {
      case ABSENT:
        return StoredEntry.ABSENT;
      case PRESENT:
        redis.await(redis.commands().hset(entryKey, Map.of(bytes("v"), V1)), "arranging");
        return new StoredEntry(V1, StoredEntry.ETERNAL);
      default:
        long past = now - 1_000;
        redis.await(
            redis
                .commands()
                .hset(entryKey, Map.of(bytes("v"), V1, bytes("x"), bytes(Long.toString(past)))),
            "arranging");
        return new StoredEntry(V1, past);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
