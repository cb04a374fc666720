package dev.cascade.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisCommandExecutionException;
import org.junit.jupiter.api.Test;

class ReplicatedWritesTest {

  @Test
  void redirect_parsesMovedAndAsk_andNothingElse() {
    ReplicatedWrites.Redirect moved =
        ReplicatedWrites.Redirect.of(
            new RedisCommandExecutionException("MOVED 3999 127.0.0.1:6381"));
    assertFalse(moved.ask);
    assertEquals("127.0.0.1", moved.host);
    assertEquals(6381, moved.port);
    ReplicatedWrites.Redirect ask =
        ReplicatedWrites.Redirect.of(new RedisCommandExecutionException("ASK 12 ::1:7000"));
    assertTrue(ask.ask);
    assertEquals("::1", ask.host);
    assertEquals(7000, ask.port);
    assertNull(
        ReplicatedWrites.Redirect.of(
            new RedisCommandExecutionException("CLUSTERDOWN The cluster is down")));
    assertNull(ReplicatedWrites.Redirect.of(new RedisCommandExecutionException("MOVED nonsense")));
  }
}
