package dev.cascade.internal.store;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import javax.cache.CacheException;

/**
 * The logged changes of one cache ({@code changes.lua}: a put whose caller reports "created" or
 * "updated", see {@link EntryStore#writeValueLogged}, and the compare-and-set of an entry
 * processor, see {@link EntryStore#compareAndSet}), sent together when threads change entries at
 * once: while as many calls of a lane are on the wire as {@link CallsInFlight} allows (one while
 * Redis is busy), the changes that arrive meanwhile wait and go together as the next call.
 *
 * <p>Why: a script costs Redis several times an {@code HSET} before it runs a command, and the log
 * adds its own commands. Sixteen threads putting into a listened cache spent three times the Redis
 * time per put of a plain put, and Redis's time set their throughput. One call for the changes that
 * gathered pays the script's fixed cost, the network round trip and the log's commands once.
 *
 * <p>Why not always one call in flight: a change that waits waits for the whole round trip of the
 * call ahead of it, and when Redis is far away rather than busy, threads would split into two
 * groups taking turns, half the throughput of sending each change at once. So a lane allows several
 * calls in flight until its round trips show that Redis is queueing ({@link CallsInFlight}).
 *
 * <p>Changes of concurrent callers may run in any order, and a caller's next change starts only
 * after its change returned, so gathering changes no outcome a caller can observe. One call runs
 * its changes in the order they arrived, each seeing the ones before it. A change that Redis
 * refuses (a key of another type in its entry's place) fails alone; the others of its call take
 * effect and say so. A change still waiting half a command timeout (at most 4 s) after its caller
 * made it is not sent: its caller hears that nothing was changed, and no change is sent after its
 * caller's wait timed out. An interrupt does not end a caller's wait ({@link
 * RedisAccess#awaitThroughInterrupts}): a change still waiting here is not yet in Lettuce's queue,
 * and the caller's next change, if another path sent it at once, could reach Redis first.
 *
 * <p>Lanes: on one server one for the whole cache (a script may touch any keys), on a cluster one
 * per partition (a script's keys must share a slot). Thread-safe.
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

  private static final Set<Mutation.Condition> KNOWN_CONDITIONS =
      EnumSet.of(Mutation.Condition.ANY, Mutation.Condition.EQUALS, Mutation.Condition.ABSENT);
  private static final Set<Mutation.Action> KNOWN_ACTIONS =
      EnumSet.of(Mutation.Action.SET, Mutation.Action.DELETE);

  private final RedisAccess redis;
  private final KeyLayout layout;
  private final OperationIds operations;
  private final byte[] opLogTtl;
  private final long sendWithinNanos;
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
    // Sent by then, a change's call ends before its caller stops waiting (RedisAccess: 4 timeouts
    // + 5 s): its resends on connection loss and on TRYAGAIN are each bounded by the timeout.
    this.sendWithinNanos = Math.min(redis.target().timeout().toNanos() / 2, 4_000_000_000L);
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
      byte[] encodedKey,
      Mutation.Condition condition,
      byte[] expected,
      Mutation.Action action,
      byte[] value) {
    if (!KNOWN_CONDITIONS.contains(condition) || !KNOWN_ACTIONS.contains(action)) {
      throw new IllegalArgumentException(
          "changes.lua knows no condition " + condition + " or no action " + action);
    }
    int p = layout.partition(encodedKey);
    Change change =
        new Change(
            layout.entryKeyIn(p, encodedKey),
            condition.code,
            expected,
            action.code,
            value,
            operations.start(),
            System.nanoTime() + sendWithinNanos);
    Lane lane = lanes[lanes.length == 1 ? 0 : p];
    synchronized (lane) {
      lane.waiting.add(change);
    }
    sendWhatWaits(lane);
    return change.reply;
  }

  /**
   * Sends calls of what waits in {@code lane} while it has fewer calls on the wire than allowed.
   */
  private void sendWhatWaits(Lane lane) {
    while (true) {
      List<Change> call = new ArrayList<>(1);
      List<Change> late;
      synchronized (lane) {
        if (lane.inFlight >= lane.limit.limit()) {
          return; // a call on the wire sends what waits when it ends
        }
        late = lane.take(call, System.nanoTime());
        if (!call.isEmpty()) {
          lane.inFlight++;
        }
      }
      try {
        if (!call.isEmpty()) {
          send(lane, call); // first: the slot taken above is given back only when the call ends
        }
      } finally {
        for (Change change : late) {
          fail(change, notSent());
        }
      }
      if (call.isEmpty()) {
        return;
      }
    }
  }

  /**
   * Sends one {@code changes.lua} call; when it ends, sends what gathered meanwhile, then answers
   * the call's callers. Safe to send again after a connection loss: each change's operation id is
   * answered from the log.
   */
  private void send(Lane lane, List<Change> call) {
    CompletableFuture<List<Object>> replies;
    long sent = System.nanoTime();
    try {
      byte[][] keys = new byte[call.size() + 1][];
      byte[][] args = new byte[4 + call.size() * ARGS_PER_CHANGE][];
      keys[0] = lane.logKey;
      // computed now, after every change of this call started: none of them is below it
      args[0] = EntryStore.ascii(Long.toString(operations.lowestWaiting()));
      args[1] = opLogTtl;
      int smallest = 0;
      int largest = 0;
      for (int i = 0; i < call.size(); i++) {
        Change change = call.get(i);
        keys[i + 1] = change.entryKey;
        int at = 4 + i * ARGS_PER_CHANGE;
        args[at] = change.condition;
        args[at + 1] = change.expected;
        args[at + 2] = change.action;
        args[at + 3] = change.value;
        args[at + 4] = EntryStore.ascii(Long.toString(change.operation));
        smallest = change.operation < call.get(smallest).operation ? i : smallest;
        largest = change.operation > call.get(largest).operation ? i : largest;
      }
      args[2] = args[4 + smallest * ARGS_PER_CHANGE + 4]; // the ids' own bytes: no new strings
      args[3] = args[4 + largest * ARGS_PER_CHANGE + 4];
      sent = System.nanoTime(); // before the hand-over: a pause here can only lengthen the trip
      replies = redis.resendingOnConnectionLoss(() -> redis.eval(Script.CHANGES, keys, args));
    } catch (RuntimeException | Error e) {
      // a closed client refuses at once: the callers hear why, and the lane's slot is given back
      // below even for an Error, or the lane would keep one call fewer for good
      replies = CompletableFuture.failedFuture(e);
    }
    long handedOver = sent;
    replies.whenComplete(
        (replied, failure) -> {
          if (failure == null) {
            lane.limit.answeredAfter(System.nanoTime() - handedOver);
          }
          synchronized (lane) {
            lane.inFlight--;
          }
          try {
            sendWhatWaits(lane);
          } finally {
            for (int i = 0; i < call.size(); i++) {
              answer(call.get(i), replied, i, failure);
            }
          }
        });
  }

  /** Tells a change's caller what it did, or Redis's error for it alone. */
  private void answer(Change change, List<Object> replies, int i, Throwable failure) {
    if (failure != null) {
      fail(change, failure);
      return;
    }
    Object reply = replies.size() > i ? replies.get(i) : null;
    operations.finish(change.operation);
    if (reply instanceof Long) {
      change.reply.complete((Long) reply);
    } else if (reply instanceof byte[]) {
      String message = new String((byte[]) reply, StandardCharsets.UTF_8);
      change.reply.completeExceptionally(new RedisCommandExecutionException(message));
    } else {
      change.reply.completeExceptionally(
          new RedisException("changes.lua answered " + replies + " to a call of changes"));
    }
  }

  private void fail(Change change, Throwable failure) {
    operations.finish(change.operation);
    change.reply.completeExceptionally(failure);
  }

  private CacheException notSent() {
    return new CacheException(
        "A change of "
            + layout.describe()
            + " was not sent to Redis at "
            + redis
            + ": it waited behind other calls longer than half the command timeout ("
            + redis.target().timeout().toMillis()
            + " ms) or 4 s; nothing was changed");
  }

  /** Changes waiting for a call to end; how many calls are on the wire. */
  private static final class Lane {
    final byte[] logKey;
    final ArrayDeque<Change> waiting = new ArrayDeque<>();
    final CallsInFlight limit = new CallsInFlight();
    int inFlight;

    Lane(byte[] logKey) {
      this.logKey = logKey;
    }

    /**
     * Moves the oldest waiting changes into {@code call}, up to {@link #MOST_PER_CALL} and {@link
     * #MOST_BYTES_PER_CALL} (at least one); returns those of them that waited past their deadline
     * instead. Called holding the lane.
     */
    List<Change> take(List<Change> call, long now) {
      List<Change> late = List.of();
      long bytes = 0;
      while (!waiting.isEmpty() && call.size() < MOST_PER_CALL && bytes < MOST_BYTES_PER_CALL) {
        Change change = waiting.poll();
        if (now - change.sendBy > 0) {
          if (late.isEmpty()) {
            late = new ArrayList<>();
          }
          late.add(change);
        } else {
          bytes += change.value.length + change.expected.length;
          call.add(change);
        }
      }
      return late;
    }
  }

  private static final class Change {
    final byte[] entryKey;
    final byte[] condition;
    final byte[] expected;
    final byte[] action;
    final byte[] value;
    final long operation;
    final long sendBy;
    final CompletableFuture<Long> reply = new CompletableFuture<>();

    Change(
        byte[] entryKey,
        byte[] condition,
        byte[] expected,
        byte[] action,
        byte[] value,
        long operation,
        long sendBy) {
      this.entryKey = entryKey;
      this.condition = condition;
      this.expected = expected;
      this.action = action;
      this.value = value;
      this.operation = operation;
      this.sendBy = sendBy;
    }
  }
}
