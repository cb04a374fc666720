package dev.cascade.internal.store;

import io.lettuce.core.RedisCommandExecutionException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The logged changes of one cache ({@code changes.lua}: a put whose caller reports "created" or
 * "updated", see {@link EntryStore#writeValueLogged}, and the compare-and-set of an entry
 * processor, see {@link EntryStore#compareAndSet}), sent together when threads change entries at
 * once: while one call is on the wire, the changes that arrive meanwhile wait and then go as the
 * next call.
 *
 * <p>Why: a script costs Redis several times an {@code HSET} before it runs a command, and the log
 * adds its own commands. Sixteen threads putting into a listened cache spent three times the Redis
 * time per put of a plain put, and Redis's time set their throughput. One call for the changes that
 * gathered pays the script's fixed cost, the network round trip and the log's commands once. A lone
 * change goes at once, alone, as before: nothing waits for company.
 *
 * <p>Changes of concurrent callers may run in any order, and a caller's next change starts only
 * after its change returned, so gathering changes no outcome a caller can observe. One call runs
 * its changes in the order they arrived, each seeing the ones before it. A change that Redis
 * refuses (a key of another type in its entry's place) fails alone; the others of its call take
 * effect and say so.
 *
 * <p>One lane sends at a time: on one server one lane for the whole cache (a script may touch any
 * keys), on a cluster one per partition (a script's keys must share a slot). Thread-safe.
 */
final class LoggedChanges {

  /**
   * Changes per call at most: no script holds Redis up for long (as {@code plain.lua}'s batches).
   */
  static final int MOST_PER_CALL = 128;

  /**
   * A call takes no further change once its values reach this many bytes: large values gain nothing
   * from sharing a call, and one call of many of them would hold Redis up.
   */
  static final int MOST_BYTES_PER_CALL = 256 * 1024;

  /** The arguments of each change in a call: condition, expected, action, value, operation id. */
  private static final int ARGS_PER_CHANGE = 5;

  private final RedisAccess redis;
  private final KeyLayout layout;
  private final OperationIds operations;
  private final byte[] opLogTtl;
  private final Lane[] lanes;

  LoggedChanges(
      RedisAccess redis,
      KeyLayout layout,
      OperationIds operations,
      byte[][] opLogKeys,
      byte[] opLogTtl) {
    this.redis = redis;
    this.layout = layout;
    this.operations = operations;
    this.opLogTtl = opLogTtl;
    // a call's log shares the slot of its entries: on one server any log will do
    this.lanes = new Lane[redis.isCluster() ? layout.partitions() : 1];
    for (int p = 0; p < lanes.length; p++) {
      lanes[p] = new Lane(opLogKeys[p]);
    }
  }

  /**
   * Changes the entry of {@code encodedKey} if {@code condition} holds ({@code changes.lua}: A any,
   * E its value is {@code expected}, N it is absent): {@code action} S sets {@code value}, D
   * deletes it. Completes with 1 created, 2 updated, 3 deleted, 0 not as expected (nothing
   * changed).
   */
  CompletableFuture<Long> change(
      byte[] encodedKey, String condition, byte[] expected, String action, byte[] value) {
    int p = layout.partition(encodedKey);
    Change change =
        new Change(
            layout.entryKeyIn(p, encodedKey),
            code(condition),
            expected,
            code(action),
            value,
            operations.start());
    Lane lane = lanes[lanes.length == 1 ? 0 : p];
    List<Change> call;
    synchronized (lane) {
      lane.waiting.add(change);
      if (lane.sending) {
        return change.reply; // the call on the wire sends it when it ends
      }
      lane.sending = true;
      call = lane.take();
    }
    send(lane, call);
    return change.reply;
  }

  /**
   * Sends one {@code changes.lua} call; when it ends, sends what gathered meanwhile, then answers
   * the call's callers. Safe to send again after a connection loss: each change's operation id is
   * answered from the log.
   */
  private void send(Lane lane, List<Change> call) {
    byte[][] keys = new byte[call.size() + 1][];
    byte[][] args = new byte[4 + call.size() * ARGS_PER_CHANGE][];
    keys[0] = lane.logKey;
    // computed now, after every change of this call started: none of them is below it
    args[0] = EntryStore.ascii(Long.toString(operations.lowestWaiting()));
    args[1] = opLogTtl;
    long smallest = Long.MAX_VALUE;
    long largest = Long.MIN_VALUE;
    for (int i = 0; i < call.size(); i++) {
      Change change = call.get(i);
      keys[i + 1] = change.entryKey;
      int at = 4 + i * ARGS_PER_CHANGE;
      args[at] = change.condition;
      args[at + 1] = change.expected;
      args[at + 2] = change.action;
      args[at + 3] = change.value;
      args[at + 4] = EntryStore.ascii(Long.toString(change.operation));
      smallest = Math.min(smallest, change.operation);
      largest = Math.max(largest, change.operation);
    }
    args[2] = EntryStore.ascii(Long.toString(smallest));
    args[3] = EntryStore.ascii(Long.toString(largest));
    CompletableFuture<List<Object>> replies;
    try {
      replies = redis.resendingOnConnectionLoss(() -> redis.eval(Script.CHANGES, keys, args));
    } catch (RuntimeException e) { // a closed client refuses at once: the callers hear why
      replies = CompletableFuture.failedFuture(e);
    }
    replies.whenComplete(
        (replied, failure) -> {
          try {
            List<Change> next;
            synchronized (lane) {
              next = lane.take();
              lane.sending = !next.isEmpty();
            }
            if (!next.isEmpty()) {
              send(lane, next);
            }
          } finally {
            for (int i = 0; i < call.size(); i++) {
              Change change = call.get(i);
              operations.finish(change.operation);
              answer(change, failure == null ? replied.get(i) : null, failure);
            }
          }
        });
  }

  /** Tells a change's caller what it did, or Redis's error for it alone. */
  private static void answer(Change change, Object reply, Throwable failure) {
    if (failure != null) {
      change.reply.completeExceptionally(failure);
    } else if (reply instanceof byte[]) {
      String message = new String((byte[]) reply, StandardCharsets.UTF_8);
      change.reply.completeExceptionally(new RedisCommandExecutionException(message));
    } else {
      change.reply.complete((Long) reply);
    }
  }

  private static final byte[] A = {'A'};
  private static final byte[] E = {'E'};
  private static final byte[] N = {'N'};
  private static final byte[] S = {'S'};
  private static final byte[] D = {'D'};

  /** The one-letter code as bytes, without allocating for the five the script knows. */
  private static byte[] code(String code) {
    switch (code) {
      case "A":
        return A;
      case "E":
        return E;
      case "N":
        return N;
      case "S":
        return S;
      case "D":
        return D;
      default:
        throw new IllegalArgumentException("changes.lua has no code " + code);
    }
  }

  /**
   * Changes waiting for the call on the wire to end; {@code sending} while a call is on the wire.
   */
  private static final class Lane {
    final byte[] logKey;
    final ArrayDeque<Change> waiting = new ArrayDeque<>();
    boolean sending;

    Lane(byte[] logKey) {
      this.logKey = logKey;
    }

    /**
     * The oldest waiting changes, up to {@link #MOST_PER_CALL} and {@link #MOST_BYTES_PER_CALL} (at
     * least one). Called holding the lane.
     */
    List<Change> take() {
      List<Change> call = new ArrayList<>(Math.min(waiting.size(), MOST_PER_CALL));
      long bytes = 0;
      while (!waiting.isEmpty() && call.size() < MOST_PER_CALL && bytes < MOST_BYTES_PER_CALL) {
        Change change = waiting.poll();
        bytes += change.value.length + change.expected.length;
        call.add(change);
      }
      return call;
    }
  }

  private static final class Change {
    final byte[] entryKey;
    final byte[] condition;
    final byte[] expected;
    final byte[] action;
    final byte[] value;
    final long operation;
    final CompletableFuture<Long> reply = new CompletableFuture<>();

    Change(
        byte[] entryKey,
        byte[] condition,
        byte[] expected,
        byte[] action,
        byte[] value,
        long operation) {
      this.entryKey = entryKey;
      this.condition = condition;
      this.expected = expected;
      this.action = action;
      this.value = value;
      this.operation = operation;
    }
  }
}
