package dev.cascade.internal.store;

import io.lettuce.core.RedisCommandExecutionException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The logged puts of one cache ({@code put.lua}: an {@code HSET} whose reply the operation log
 * keeps, see {@link EntryStore#writeValueLogged}), sent together when threads put at once: while
 * one call is on the wire, the puts that arrive meanwhile wait and then go as the next call.
 *
 * <p>Why: a script costs Redis several times an {@code HSET} before it runs a command, and the log
 * adds its own commands. Sixteen threads putting into a listened cache spent three times the Redis
 * time per put of a plain put, and Redis's time set their throughput. One call for the puts that
 * gathered pays the script's fixed cost, the network round trip and each log's trim once. A lone
 * put goes at once, alone, as before: nothing waits for company.
 *
 * <p>Puts of concurrent callers may run in any order, and a caller's next put starts only after its
 * put returned, so gathering changes no outcome a caller can observe. One call runs its puts in the
 * order they arrived: two puts of one key in a call report "created" at most once.
 *
 * <p>One lane sends at a time: on one server one lane for the whole cache (a script may touch any
 * keys), on a cluster one per partition (a script's keys must share a slot). Thread-safe.
 */
final class LoggedPuts {

  /** Puts per call at most: no script holds Redis up for long (as {@code plain.lua}'s batches). */
  static final int MOST_PER_CALL = 128;

  /**
   * A call takes no further put once its values reach this many bytes: large values gain nothing
   * from sharing a call, and one call of many of them would hold Redis up.
   */
  static final int MOST_BYTES_PER_CALL = 256 * 1024;

  private final RedisAccess redis;
  private final KeyLayout layout;
  private final OperationIds operations;
  private final byte[] opLogTtl;
  private final Lane[] lanes;

  LoggedPuts(
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

  /** Puts {@code value}; completes with true if the put created the entry. */
  CompletableFuture<Boolean> put(byte[] encodedKey, byte[] value) {
    int p = layout.partition(encodedKey);
    Put put = new Put(layout.entryKeyIn(p, encodedKey), value, operations.start());
    Lane lane = lanes[lanes.length == 1 ? 0 : p];
    List<Put> call;
    synchronized (lane) {
      lane.waiting.add(put);
      if (lane.sending) {
        return put.created; // the call on the wire sends it when it ends
      }
      lane.sending = true;
      call = lane.take();
    }
    send(lane, call);
    return put.created;
  }

  /**
   * Sends one {@code put.lua} call; when it ends, sends what gathered meanwhile, then answers the
   * call's callers. Safe to send again after a connection loss: each put's operation id is answered
   * from the log.
   */
  private void send(Lane lane, List<Put> call) {
    byte[][] keys = new byte[call.size() + 1][];
    byte[][] args = new byte[call.size() * 2 + 4][];
    keys[0] = lane.logKey;
    // computed now, after every put of this call started: none of them is below it
    args[0] = EntryStore.ascii(Long.toString(operations.lowestWaiting()));
    args[1] = opLogTtl;
    long smallest = Long.MAX_VALUE;
    long largest = Long.MIN_VALUE;
    for (int i = 0; i < call.size(); i++) {
      Put put = call.get(i);
      keys[i + 1] = put.entryKey;
      args[2 * i + 4] = put.value;
      args[2 * i + 5] = EntryStore.ascii(Long.toString(put.operation));
      smallest = Math.min(smallest, put.operation);
      largest = Math.max(largest, put.operation);
    }
    args[2] = EntryStore.ascii(Long.toString(smallest));
    args[3] = EntryStore.ascii(Long.toString(largest));
    CompletableFuture<List<Object>> replies;
    try {
      replies = redis.resendingOnConnectionLoss(() -> redis.eval(Script.PUT, keys, args));
    } catch (RuntimeException e) { // a closed client refuses at once: the callers hear why
      replies = CompletableFuture.failedFuture(e);
    }
    replies.whenComplete(
        (created, failure) -> {
          try {
            List<Put> next;
            synchronized (lane) {
              next = lane.take();
              lane.sending = !next.isEmpty();
            }
            if (!next.isEmpty()) {
              send(lane, next);
            }
          } finally {
            for (int i = 0; i < call.size(); i++) {
              Put put = call.get(i);
              operations.finish(put.operation);
              answer(put, failure == null ? created.get(i) : null, failure);
            }
          }
        });
  }

  /** Tells a put's caller what its put did: created, updated, or Redis's error for it alone. */
  private static void answer(Put put, Object reply, Throwable failure) {
    if (failure != null) {
      put.created.completeExceptionally(failure);
    } else if (reply instanceof byte[]) {
      String message = new String((byte[]) reply, StandardCharsets.UTF_8);
      put.created.completeExceptionally(new RedisCommandExecutionException(message));
    } else {
      put.created.complete(Long.valueOf(1).equals(reply));
    }
  }

  /** Puts waiting for the call on the wire to end; {@code sending} while a call is on the wire. */
  private static final class Lane {
    final byte[] logKey;
    final ArrayDeque<Put> waiting = new ArrayDeque<>();
    boolean sending;

    Lane(byte[] logKey) {
      this.logKey = logKey;
    }

    /**
     * The oldest waiting puts, up to {@link #MOST_PER_CALL} and {@link #MOST_BYTES_PER_CALL} (at
     * least one). Called holding the lane.
     */
    List<Put> take() {
      List<Put> call = new ArrayList<>(Math.min(waiting.size(), MOST_PER_CALL));
      long bytes = 0;
      while (!waiting.isEmpty() && call.size() < MOST_PER_CALL && bytes < MOST_BYTES_PER_CALL) {
        Put put = waiting.poll();
        bytes += put.value.length;
        call.add(put);
      }
      return call;
    }
  }

  private static final class Put {
    final byte[] entryKey;
    final byte[] value;
    final long operation;
    final CompletableFuture<Boolean> created = new CompletableFuture<>();

    Put(byte[] entryKey, byte[] value, long operation) {
      this.entryKey = entryKey;
      this.value = value;
      this.operation = operation;
    }
  }
}
