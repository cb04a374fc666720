package dev.cascade.internal.store;

import dev.cascade.writebehind.RevisionedCacheWriter;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.async.RedisStreamAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.lettuce.core.models.stream.PendingMessage;
import io.lettuce.core.models.stream.PendingMessages;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.cache.CacheException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-behind queues of one cache in Redis: a stream per partition (records appended by {@code
 * mutate.lua}, in the same step as the entry change), read through one consumer group, the flush
 * leases, the dead letters and the flushers' heartbeats. The only class that issues stream
 * commands.
 *
 * <p>Blocking calls (they wait for Redis on the caller's thread). Thread-safe.
 */
public final class QueueStore {

  /** The consumer group every flusher reads through. */
  public static final String GROUP = "cascade-flushers";

  private static final Logger LOG = LoggerFactory.getLogger(QueueStore.class);
  private static final byte[] GROUP_BYTES = GROUP.getBytes(StandardCharsets.US_ASCII);
  private static final byte[] KEY = {'k'};
  private static final byte[] OP = {'o'};
  private static final byte[] VALUE = {'v'};

  private final RedisAccess redis;
  private final RedisClusterAsyncCommands<byte[], byte[]> commands;
  private final KeyLayout layout;

  public QueueStore(RedisAccess redis, KeyLayout layout) {
    this.redis = redis;
    this.commands = redis.commands();
    this.layout = layout;
  }

  public KeyLayout layout() {
    return layout;
  }

  /** One queued change: a put (with its value) or a delete of an encoded key. */
  public static final class QueuedRecord {
    public final String id;
    public final byte[] key;
    public final boolean delete;
    public final byte[] value;

    public QueuedRecord(String id, byte[] key, boolean delete, byte[] value) {
      this.id = id;
      this.key = key;
      this.delete = delete;
      this.value = value;
    }

    /** When the record was appended (the first part of a stream id is Redis' clock in ms). */
    public long appendedAt() {
      return Long.parseLong(id.substring(0, id.indexOf('-')));
    }

    /**
     * The record's revision: {@code <ms>-<seq>} as one number that grows with the stream's order
     * (Redis never hands out a smaller id in a stream, and a stream made anew after a restart
     * starts at the current time).
     */
    public long revision() {
      int dash = id.indexOf('-');
      return RevisionedCacheWriter.Revisions.fromStreamId(
          Long.parseLong(id.substring(0, dash)), Long.parseLong(id.substring(dash + 1)));
    }
  }

  /**
   * Creates the consumer group of every partition's stream, from the first record ever ({@code 0}),
   * so no record appended before a flusher started is skipped. Idempotent.
   */
  public void ensureGroups() {
    List<CompletableFuture<String>> replies = new ArrayList<>();
    for (int p = 0; p < layout.partitions(); p++) {
      replies.add(createGroup(p));
    }
    redis.await(
        CompletableFuture.allOf(replies.toArray(new CompletableFuture<?>[0])),
        "creating the write-behind consumer groups of cache '" + layout.cacheName() + "'");
  }

  private CompletableFuture<String> createGroup(int partition) {
    return createGroup(commands, layout.streamKey(partition));
  }

  private static CompletableFuture<String> createGroup(
      RedisStreamAsyncCommands<byte[], byte[]> on, byte[] stream) {
    return on.xgroupCreate(
            XReadArgs.StreamOffset.from(stream, "0"),
            GROUP_BYTES,
            XGroupCreateArgs.Builder.mkstream())
        .toCompletableFuture()
        .exceptionally(
            e -> {
              if (RedisFailures.unwrap(e) instanceof RedisBusyException
                  || String.valueOf(RedisFailures.unwrap(e).getMessage()).startsWith("BUSYGROUP")) {
                return "exists";
              }
              throw new CompletionException(e);
            });
  }

  /**
   * Runs a read of the partition's consumer group; if Redis lost the stream or its group under a
   * running cache (a restart without persistence, {@code FLUSHDB}, an eviction), creates them
   * again, from the first id, and runs the read once more. Without this, flushing stopped for good.
   */
  private <T> T withGroup(int partition, Supplier<T> read) {
    try {
      return read.get();
    } catch (CacheException e) {
      if (!isNoGroup(e)) {
        throw e;
      }
      warnGroupLost(partition);
      redis.await(
          createGroup(partition), "recreating the write-behind consumer group of " + describe());
      return read.get();
    }
  }

  private void warnGroupLost(int partition) {
    LOG.warn(
        "The write-behind queue of partition "
            + partition
            + " of "
            + describe()
            + " had lost its"
            + " consumer group (Redis restarted without persistence, was flushed, or evicted it); recreated it."
            + " Records Redis lost with it cannot be flushed.");
  }

  private static boolean isNoGroup(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RedisCommandExecutionException
          && String.valueOf(t.getMessage()).startsWith("NOGROUP")) {
        return true;
      }
    }
    return false;
  }

  // ------------------------------------------------------------------ leases

  /** Takes the partition's flush lease if it is free; returns the token, or null. */
  public String acquireLease(int partition, String owner, Duration ttl) {
    List<Object> reply =
        redis.await(
            redis.evalOverMemoryLimit(
                Script.LEASE,
                leaseKeys(partition),
                ascii("acquire"),
                ascii(owner),
                ascii(Long.toString(ttl.toMillis()))),
            "taking a flush lease of " + describe());
    Object token = reply.isEmpty() ? null : reply.get(0);
    return token instanceof byte[] ? new String((byte[]) token, StandardCharsets.US_ASCII) : null;
  }

  /** Extends the lease; false if it is no longer held with this token. */
  public boolean renewLease(int partition, String token, Duration ttl) {
    return leaseCall(partition, "renew", token, ttl) == 1;
  }

  public void releaseLease(int partition, String token) {
    leaseCall(partition, "release", token, Duration.ZERO);
  }

  private long leaseCall(int partition, String mode, String token, Duration ttl) {
    List<Object> reply =
        redis.await(
            redis.evalOverMemoryLimit(
                Script.LEASE,
                leaseKeys(partition),
                ascii(mode),
                ascii(token),
                ascii(Long.toString(ttl.toMillis()))),
            "renewing a flush lease of " + describe());
    return reply.isEmpty() || !(reply.get(0) instanceof Long) ? 0 : (Long) reply.get(0);
  }

  private byte[][] leaseKeys(int partition) {
    return new byte[][] {layout.leaseKey(partition), layout.epochKey(partition)};
  }

  // ------------------------------------------------------------------ reading

  /**
   * Claims the records other consumers read but did not acknowledge for at least {@code minIdle} (a
   * flusher that died or lost its lease). Returns them in stream order.
   */
  public List<QueuedRecord> claimAbandoned(
      int partition, String consumer, Duration minIdle, int count) {
    return withGroup(partition, () -> claim(partition, consumer, minIdle, count));
  }

  private List<QueuedRecord> claim(int partition, String consumer, Duration minIdle, int count) {
    List<QueuedRecord> claimed = new ArrayList<>();
    String cursor = "0-0";
    do {
      ClaimedMessages<byte[], byte[]> reply =
          redis.await(
              commands.xautoclaim(
                  layout.streamKey(partition),
                  XAutoClaimArgs.Builder.xautoclaim(
                          Consumer.from(GROUP_BYTES, ascii(consumer)), minIdle, cursor)
                      .count(count)),
              "claiming abandoned write-behind records of " + describe());
      List<String> ghosts = new ArrayList<>();
      for (StreamMessage<byte[], byte[]> m : reply.getMessages()) {
        if (m != null && m.getBody() != null && !m.getBody().isEmpty()) {
          claimed.add(toRecord(m));
        } else if (m != null) {
          ghosts.add(m.getId());
        }
      }
      forgetGhosts(partition, ghosts);
      cursor = reply.getId();
    } while (cursor != null && !"0-0".equals(cursor));
    claimed.sort((a, b) -> ID_ORDER.compare(a.id, b.id));
    return claimed;
  }

  /** How many records each other consumer holds unacknowledged (0 when none). */
  public long pendingOfOthers(int partition, String consumer) {
    PendingMessages pending =
        withGroup(
            partition,
            () ->
                redis.await(
                    commands.xpending(layout.streamKey(partition), GROUP_BYTES),
                    "inspecting write-behind records of " + describe()));
    long others = 0;
    for (Map.Entry<String, Long> e : pending.getConsumerMessageCount().entrySet()) {
      if (!e.getKey().equals(consumer)) {
        others += e.getValue();
      }
    }
    return others;
  }

  /** Records this consumer read before and has not acknowledged, oldest first. */
  public List<QueuedRecord> readOwnPending(int partition, String consumer, int count) {
    return withGroup(partition, () -> read(partition, consumer, count, "0"));
  }

  /**
   * Records no consumer has read yet, oldest first; null when {@code leaseToken} no longer holds
   * the partition's lease (then nothing was read).
   *
   * <p>Fenced without a script: on a connection of its own to the partition's master, {@code WATCH}
   * the lease key, check that it holds {@code leaseToken} and that the records Redis has pending
   * for the consumer are exactly {@code held}, then {@code XREADGROUP} inside {@code MULTI}/{@code
   * EXEC}. Any write of the lease key after the {@code WATCH} (another flusher's acquisition, a
   * renewal of our own) makes Redis discard the {@code EXEC}: nothing is read, and the checks run
   * again. (A lease that merely expires meanwhile, taken by nobody, may let the read through, as a
   * read just before the expiry would: the next holder waits {@code claimIdle} for such records
   * anyway.) The stream and lease share a slot (the partition's hash tag), so one node answers all
   * of it on a cluster. A script did the same in one round trip, but converting a batch of records
   * into Lua values and back cost Redis more than the read itself (docs/benchmarks.md A.4); this
   * takes two round trips.
   *
   * @param held the ids of the records this consumer holds read and unacknowledged
   * @throws OutOfStepException when Redis has other records pending for the consumer (nothing was
   *     read): a failover lost some of its reads or acknowledgements. Ids, not a count: after a
   *     failover the promoted replica may have as many records pending for it, but older ones
   */
  public List<QueuedRecord> readNew(
      int partition, String consumer, int count, String leaseToken, List<String> held) {
    return fencedReading(partition, consumer, count, leaseToken, held, NEW);
  }

  /**
   * Reads again, fenced as {@link #readNew}, the records this consumer holds ({@code held}): their
   * idle time in Redis starts again, so no other flusher can claim them for {@code claimIdle} from
   * now. For a flusher about to call the writer long after it read them. Returns false when {@code
   * leaseToken} no longer holds the lease (nothing was read).
   *
   * @throws OutOfStepException when Redis has other records pending for the consumer
   */
  public boolean readHeldAgain(
      int partition, String consumer, String leaseToken, List<String> held) {
    return fencedReading(partition, consumer, held.size(), leaseToken, held, HELD) != null;
  }

  /** Stream offsets of {@code XREADGROUP}: records nobody read; this consumer's pending ones. */
  private static final String NEW = ">";

  private static final String HELD = "0";

  private List<QueuedRecord> fencedReading(
      int partition,
      String consumer,
      int count,
      String leaseToken,
      List<String> held,
      String offset) {
    byte[] lease = layout.leaseKey(partition);
    String what = "reading write-behind records of " + describe();
    return redis
        .exclusive()
        .withConnection(
            lease,
            what,
            c -> {
              for (int attempt = 1; ; attempt++) {
                FencedRead read =
                    fencedRead(
                        c, partition, consumer, count, ascii(leaseToken), held, offset, what);
                if (read == FencedRead.BY_SCRIPT) {
                  return readByScript(partition, consumer, count, leaseToken, held, offset);
                }
                if (read != FencedRead.RETRY) {
                  if (read.outOfStep) {
                    throw outOfStep(partition, consumer, held);
                  }
                  return read.records;
                }
                if (attempt >= FENCED_READ_ATTEMPTS) {
                  throw new CacheException(
                      "The flush lease of partition "
                          + partition
                          + " of "
                          + describe()
                          + " changed under "
                          + attempt
                          + " reads in a row (is something else writing the lease key?)");
                }
              }
            });
  }

  /**
   * How many times a fenced read is tried when a change of the lease key discarded it: our own
   * renewals change the key (a {@code PEXPIRE}) every third of the lease's TTL, so a read meets at
   * most one of them in a row unless the lease changes hands (then the next check says so).
   */
  static final int FENCED_READ_ATTEMPTS = 5;

  /** What one fenced read found. */
  private static final class FencedRead {
    static final FencedRead RETRY = new FencedRead(null, false);
    static final FencedRead LEASE_LOST = new FencedRead(null, false);
    static final FencedRead OUT_OF_STEP = new FencedRead(null, true);
    static final FencedRead BY_SCRIPT = new FencedRead(null, false);
    final List<QueuedRecord> records;
    final boolean outOfStep;

    FencedRead(List<QueuedRecord> records, boolean outOfStep) {
      this.records = records;
      this.outOfStep = outOfStep;
    }
  }

  /** Runs in tests between the checks and the {@code MULTI}: where a lost lease must be caught. */
  static volatile Runnable afterFenceChecks;

  private FencedRead fencedRead(
      RedisAsyncCommands<byte[], byte[]> c,
      int partition,
      String consumer,
      int count,
      byte[] token,
      List<String> held,
      String offset,
      String what) {
    byte[] stream = layout.streamKey(partition);
    byte[] lease = layout.leaseKey(partition);
    RedisFuture<String> watched = c.watch(lease);
    RedisFuture<byte[]> holder = c.get(lease);
    RedisFuture<Long> exists = c.exists(stream);
    // XPENDING fails (NOGROUP) when the stream or its group is missing: keep the failure as a value
    CompletableFuture<Object> summary =
        c.xpending(stream, GROUP_BYTES).toCompletableFuture().handle((p, e) -> e == null ? p : e);
    // which records: only asked when it holds some (none held: a count of 0 says all)
    CompletableFuture<Object> pendingIds =
        held.isEmpty()
            ? CompletableFuture.completedFuture(List.of())
            : c.xpending(
                    stream,
                    Consumer.from(GROUP_BYTES, ascii(consumer)),
                    Range.create("-", "+"),
                    Limit.from(held.size() + 1L))
                .toCompletableFuture()
                .handle((p, e) -> e == null ? p : e);
    // a refused WATCH (an ACL without +watch) would leave the read below unfenced: fail instead
    redis.await(watched, what);
    boolean ours = Arrays.equals(redis.await(holder, what), token);
    boolean streamExists = redis.await(exists, what) == 1;
    Object pending = redis.await(summary, what);
    Object mineIds = redis.await(pendingIds, what);
    if (!ours) {
      redis.await(c.unwatch(), what);
      return FencedRead.LEASE_LOST;
    }
    long mine = 0;
    if (streamExists) {
      if (pending instanceof Throwable) {
        redis.await(c.unwatch(), what);
        if (!isNoGroup((Throwable) pending)) {
          throw redis.failure((Throwable) pending, what);
        }
        // the group vanished (a recreated stream, FLUSHDB, an eviction): bring it back, from the
        // first id, and check again
        warnGroupLost(partition);
        redis.await(
            createGroup(c, stream), "recreating the write-behind consumer group of " + describe());
        return FencedRead.RETRY;
      }
      Long ofConsumer = ((PendingMessages) pending).getConsumerMessageCount().get(consumer);
      mine = ofConsumer == null ? 0 : ofConsumer;
    }
    if (mine != held.size() || (mine > 0 && !sameIds(mineIds, held))) {
      redis.await(c.unwatch(), what);
      return FencedRead.OUT_OF_STEP;
    }
    if (!streamExists) {
      redis.await(c.unwatch(), what);
      return new FencedRead(List.of(), false); // nothing queued (mutate.lua creates the stream)
    }
    Runnable hook = afterFenceChecks;
    if (hook != null) {
      hook.run();
    }
    // awaited before the read is sent: a refused MULTI (an ACL without +multi) would let the
    // XREADGROUP run at once, outside the transaction and its fence
    redis.await(c.multi(), what);
    RedisFuture<List<StreamMessage<byte[], byte[]>>> read =
        c.xreadgroup(
            Consumer.from(GROUP_BYTES, ascii(consumer)),
            XReadArgs.Builder.count(count),
            XReadArgs.StreamOffset.from(stream, offset));
    Object executed =
        redis.await(c.exec().toCompletableFuture().handle((r, e) -> e == null ? r : e), what);
    if (executed instanceof Throwable) {
      if (isExecAbort((Throwable) executed)) {
        // Redis refused the queued read (EXECABORT): over maxmemory it refuses every command
        // queued in a MULTI, as queueing takes memory; on a cluster a slot moving away answers
        // the queued read with ASK or MOVED. read.lua, on the cluster connection, goes on (it
        // follows redirects) so the flushers keep draining
        return FencedRead.BY_SCRIPT;
      }
      throw redis.failure((Throwable) executed, what);
    }
    TransactionResult result = (TransactionResult) executed;
    if (result.wasDiscarded()) {
      return FencedRead.RETRY; // the lease key changed after the WATCH: nothing was read
    }
    List<StreamMessage<byte[], byte[]>> messages = redis.await(read, what);
    List<QueuedRecord> records = new ArrayList<>(messages.size());
    for (StreamMessage<byte[], byte[]> m : messages) {
      if (m.getBody() != null && !m.getBody().isEmpty()) {
        records.add(toRecord(m));
      }
    }
    return new FencedRead(records, false);
  }

  /** Whether extended {@code XPENDING}'s reply names exactly the records of {@code held}. */
  private static boolean sameIds(Object pendingReply, List<String> held) {
    if (!(pendingReply instanceof List)) {
      return false; // a failure: the count matched, so the group exists; read as out of step
    }
    List<?> pending = (List<?>) pendingReply;
    if (pending.size() != held.size()) {
      return false;
    }
    java.util.Set<String> ids = new java.util.HashSet<>(held);
    for (Object p : pending) {
      if (!(p instanceof PendingMessage) || !ids.contains(((PendingMessage) p).getId())) {
        return false;
      }
    }
    return true;
  }

  private static boolean isExecAbort(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RedisCommandExecutionException
          && String.valueOf(t.getMessage()).startsWith("EXECABORT")) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@link #readNew} and {@link #readHeldAgain} by {@code read.lua}, which makes the same checks
   * and the read in one script: for when Redis refuses a read queued in {@code MULTI} (over {@code
   * maxmemory}). Slower for Redis (the batch goes through Lua), but a script runs there.
   */
  private List<QueuedRecord> readByScript(
      int partition,
      String consumer,
      int count,
      String leaseToken,
      List<String> held,
      String offset) {
    byte[][] keys = {layout.streamKey(partition), layout.leaseKey(partition)};
    byte[][] args = new byte[5 + held.size()][];
    args[0] = GROUP_BYTES;
    args[1] = ascii(consumer);
    args[2] = ascii(Integer.toString(count));
    args[3] = ascii(leaseToken);
    args[4] = ascii(offset);
    for (int i = 0; i < held.size(); i++) {
      args[5 + i] = ascii(held.get(i));
    }
    List<Object> reply =
        redis.await(
            redis.eval(Script.READ, keys, args), "reading write-behind records of " + describe());
    if (reply == null || reply.isEmpty() || reply.get(0) == null) {
      return List.of(); // XREADGROUP found nothing (nil)
    }
    if (reply.get(0) instanceof Long) {
      if ((Long) reply.get(0) == -2) {
        throw outOfStep(partition, consumer, held);
      }
      return null;
    }
    // [[stream, [[id, [field, value, ...]], ...]]]
    List<QueuedRecord> records = new ArrayList<>();
    for (Object stream : reply) {
      if (!(stream instanceof List)) {
        continue;
      }
      List<?> streamReply = (List<?>) stream;
      for (Object message : (List<?>) streamReply.get(1)) {
        List<?> m = (List<?>) message;
        String id = new String((byte[]) m.get(0), StandardCharsets.US_ASCII);
        List<?> fields = (List<?>) m.get(1);
        if (fields == null || fields.isEmpty()) {
          continue;
        }
        Map<byte[], byte[]> body = new LinkedHashMap<>();
        for (int i = 0; i + 1 < fields.size(); i += 2) {
          body.put((byte[]) fields.get(i), (byte[]) fields.get(i + 1));
        }
        records.add(toRecord(id, body));
      }
    }
    return records;
  }

  private OutOfStepException outOfStep(int partition, String consumer, List<String> held) {
    return new OutOfStepException(
        "Partition "
            + partition
            + " of "
            + describe()
            + " has not the "
            + held.size()
            + " records pending for flusher "
            + consumer
            + " that it holds (a Redis failover may have"
            + " lost acknowledgements or reads); reading its pending records again");
  }

  private List<QueuedRecord> read(int partition, String consumer, int count, String offset) {
    List<StreamMessage<byte[], byte[]>> messages =
        redis.await(
            commands.xreadgroup(
                Consumer.from(GROUP_BYTES, ascii(consumer)),
                XReadArgs.Builder.count(count),
                XReadArgs.StreamOffset.from(layout.streamKey(partition), offset)),
            "reading write-behind records of " + describe());
    List<QueuedRecord> records = new ArrayList<>(messages.size());
    List<String> ghosts = new ArrayList<>();
    for (StreamMessage<byte[], byte[]> m : messages) {
      if (m.getBody() != null && !m.getBody().isEmpty()) {
        records.add(toRecord(m));
      } else {
        ghosts.add(m.getId());
      }
    }
    forgetGhosts(partition, ghosts);
    return records;
  }

  /**
   * Acknowledges pending ids whose records are gone: queue coalescing deleted them while a flusher
   * held them (Redis 6.2 keeps such ids pending; 7.0 drops them when they are claimed).
   */
  private void forgetGhosts(int partition, List<String> ghosts) {
    if (!ghosts.isEmpty()) {
      redis.await(
          commands.xack(layout.streamKey(partition), GROUP_BYTES, ghosts.toArray(new String[0])),
          "forgetting replaced write-behind records of " + describe());
    }
  }

  private static QueuedRecord toRecord(StreamMessage<byte[], byte[]> m) {
    return toRecord(m.getId(), m.getBody());
  }

  private static QueuedRecord toRecord(String id, Map<byte[], byte[]> body) {
    byte[] key = null;
    byte[] op = null;
    byte[] value = null;
    for (Map.Entry<byte[], byte[]> f : body.entrySet()) {
      if (Arrays.equals(f.getKey(), KEY)) {
        key = f.getValue();
      } else if (Arrays.equals(f.getKey(), OP)) {
        op = f.getValue();
      } else if (Arrays.equals(f.getKey(), VALUE)) {
        value = f.getValue();
      }
    }
    if (key == null || op == null) {
      throw new IllegalStateException("Write-behind record " + id + " is not one of Cascade's");
    }
    return new QueuedRecord(id, key, op[0] == 'd', value);
  }

  /**
   * A flusher's view of its pending records no longer matches Redis (a failover lost some of its
   * reads or acknowledgements, which replicate asynchronously). It must read its pending records
   * again before any new record, or a record brought back could reach the writer after a newer one.
   */
  public static final class OutOfStepException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    OutOfStepException(String message) {
      super(message);
    }
  }

  // ------------------------------------------------------------------ acknowledging

  /**
   * Acknowledges and deletes flushed records, and settles the entries whose latest queued write
   * they were; only while {@code leaseToken} holds the partition's lease.
   *
   * @param lastIdPerKey for each flushed encoded key, the id of the last record flushed for it
   * @return false if the lease is no longer ours (nothing was acknowledged)
   */
  public boolean acknowledge(
      int partition,
      String leaseToken,
      List<String> ids,
      Map<byte[], String> lastIdPerKey,
      long graceMillis) {
    byte[][] keys = new byte[3 + lastIdPerKey.size()][];
    keys[0] = layout.streamKey(partition);
    keys[1] = layout.leaseKey(partition);
    keys[2] = layout.listenerFlag(partition);
    List<byte[]> args = new ArrayList<>(4 + ids.size() + lastIdPerKey.size());
    args.add(GROUP_BYTES);
    args.add(ascii(leaseToken));
    args.add(ascii(Long.toString(graceMillis)));
    args.add(ascii(Integer.toString(ids.size())));
    // ack.lua trims below the greatest id and deletes the ids above its bound: in stream order
    List<String> ordered = new ArrayList<>(ids);
    ordered.sort(ID_ORDER);
    for (String id : ordered) {
      args.add(ascii(id));
    }
    int i = 3;
    for (Map.Entry<byte[], String> e : lastIdPerKey.entrySet()) {
      keys[i++] = layout.entryKeyIn(partition, e.getKey());
      args.add(ascii(e.getValue()));
    }
    Long reply =
        redis.await(
            redis.evalIntegerOverMemoryLimit(Script.ACK, keys, args.toArray(new byte[0][])),
            "acknowledging flushed records of " + describe());
    return reply != null && reply >= 0;
  }

  /**
   * Keeps a record the writer kept refusing, with the reason, in the cache's dead-letter stream,
   * trimmed to about {@code limit} letters ({@code MAXLEN ~}: Redis trims whole stream nodes, so a
   * few more may stay). Says so (a WARNING, at most once a minute) when the stream is at the limit,
   * as the oldest letters are then dropped.
   */
  public void deadLetter(
      int partition, QueuedRecord record, String error, int attempts, int limit) {
    Map<byte[], byte[]> fields = new LinkedHashMap<>();
    fields.put(DeadLetterFields.PARTITION, ascii(Integer.toString(partition)));
    fields.put(DeadLetterFields.RECORD, ascii(record.id));
    fields.put(KEY, record.key);
    fields.put(OP, record.delete ? new byte[] {'d'} : new byte[] {'p'});
    if (record.value != null) {
      fields.put(VALUE, record.value);
    }
    fields.put(DeadLetterFields.ERROR, error.getBytes(StandardCharsets.UTF_8));
    fields.put(DeadLetterFields.ATTEMPTS, ascii(Integer.toString(attempts)));
    CompletableFuture<String> added =
        commands
            .xadd(
                layout.deadLetterKey(),
                XAddArgs.Builder.maxlen(limit).approximateTrimming(),
                fields)
            .toCompletableFuture();
    CompletableFuture<Long> length = commands.xlen(layout.deadLetterKey()).toCompletableFuture();
    redis.await(added, "writing a dead letter of " + describe());
    long letters = redis.await(length, "counting dead letters of " + describe());
    long now = System.currentTimeMillis();
    long last = lastLimitWarning;
    if (letters >= limit && now - last >= 60_000) {
      lastLimitWarning = now;
      LOG.warn(
          "The dead letters of {} are at their limit ({} of about {}, WriteBehind.deadLetterLimit):"
              + " the oldest are dropped as new ones arrive. Replay or purge them (cascade"
              + " dead-letters / replay / purge), or raise the limit.",
          describe(),
          letters,
          limit);
    }
  }

  private volatile long lastLimitWarning = -60_000;

  public long deadLetterCount() {
    return redis.await(
        commands.xlen(layout.deadLetterKey()), "counting dead letters of " + describe());
  }

  // ------------------------------------------------------------------ observing

  /** Records in one partition's queue, read or not (flushed records are deleted). */
  public long depth(int partition) {
    return redis.await(
        commands.xlen(layout.streamKey(partition)),
        "measuring the write-behind queue of " + describe());
  }

  /** Records in every partition's queue (flushed records are deleted, so this is the backlog). */
  public long depth() {
    List<CompletableFuture<Long>> replies = new ArrayList<>();
    for (int p = 0; p < layout.partitions(); p++) {
      replies.add(commands.xlen(layout.streamKey(p)).toCompletableFuture());
    }
    long total = 0;
    for (CompletableFuture<Long> r : replies) {
      total += redis.await(r, "measuring the write-behind queue of " + describe());
    }
    return total;
  }

  /**
   * When the oldest queued record was appended (epoch ms, Redis clock), or -1 when all are empty.
   */
  public long oldestAppendedAt() {
    List<CompletableFuture<List<StreamMessage<byte[], byte[]>>>> replies = new ArrayList<>();
    for (int p = 0; p < layout.partitions(); p++) {
      replies.add(
          commands
              .xrange(layout.streamKey(p), Range.create("-", "+"), Limit.create(0, 1))
              .toCompletableFuture());
    }
    long oldest = -1;
    for (CompletableFuture<List<StreamMessage<byte[], byte[]>>> r : replies) {
      List<StreamMessage<byte[], byte[]>> first =
          redis.await(r, "measuring the write-behind queue of " + describe());
      if (!first.isEmpty()) {
        String id = first.get(0).getId();
        long at = Long.parseLong(id.substring(0, id.indexOf('-')));
        oldest = oldest < 0 ? at : Math.min(oldest, at);
      }
    }
    return oldest;
  }

  /**
   * Why the server's {@code maxmemory-policy} can lose this queue's records or leases, or an empty
   * string when it cannot (or the server does not say). See {@link EvictionPolicy}.
   */
  public String evictionRisk() {
    return EvictionPolicy.risk(redis.maxmemoryPolicy());
  }

  // ------------------------------------------------------------------ flushers

  /**
   * Records that {@code owner} is alive and flushing. Fails while Redis is over {@code maxmemory}
   * ({@code HSET} may grow memory); flushers go on without it (see {@link #liveFlushers}).
   */
  /**
   * Redis's time ({@link RedisClock}): for what is compared with other JVMs' times (heartbeats) or
   * with stream ids (the oldest record's age), which a JVM's own clock would be off from.
   */
  public long redisNow() {
    return redis.clock().millis();
  }

  public void heartbeat(String owner, long now) {
    redis.await(
        commands.hset(layout.flushersKey(), ascii(owner), ascii(Long.toString(now))),
        "heartbeat of " + describe());
  }

  /**
   * How many flushers are alive: {@code owner} itself (whether or not its last heartbeat reached
   * Redis) and every other whose heartbeat is fresher than {@code staleAfterMillis}; forgets the
   * stale ones.
   */
  public int liveFlushers(String owner, long now, long staleAfterMillis) {
    byte[] key = layout.flushersKey();
    byte[] self = ascii(owner);
    Map<byte[], byte[]> all =
        redis.await(commands.hgetall(key), "counting the flushers of " + describe());
    int alive = 1;
    for (Map.Entry<byte[], byte[]> e : all.entrySet()) {
      if (Arrays.equals(e.getKey(), self)) {
        continue;
      }
      long seen = Long.parseLong(new String(e.getValue(), StandardCharsets.US_ASCII));
      if (now - seen <= staleAfterMillis) {
        alive++;
      } else {
        commands.hdel(key, e.getKey());
      }
    }
    return alive;
  }

  public void leave(String owner) {
    redis.await(commands.hdel(layout.flushersKey(), ascii(owner)), "heartbeat of " + describe());
  }

  private String describe() {
    return layout.describe();
  }

  /** The Redis this queue lives in, for messages (its password masked). */
  public RedisTarget redisTarget() {
    return redis.target();
  }

  /**
   * A stream id as Redis writes it: {@code <ms>-<seq>}, decimals without leading zeros (which
   * {@link #ID_ORDER} relies on). Ids typed by users (dead letters to replay) are checked with it.
   */
  public static final Pattern STREAM_ID = Pattern.compile("(0|[1-9][0-9]*)-(0|[1-9][0-9]*)");

  /**
   * Stream ids ({@code <ms>-<seq>}) in the order Redis assigned them. Compared in place, without
   * parsing: each acknowledgement sorts its batch's ids, and parsing them took about 40% of a
   * flusher thread's time. Redis writes both parts as decimal numbers without leading zeros, so the
   * longer part is the larger one, and parts of one length compare as their digits do.
   */
  public static final Comparator<String> ID_ORDER =
      (a, b) -> {
        int da = a.indexOf('-');
        int db = b.indexOf('-');
        int c = compareDecimals(a, 0, da, b, 0, db);
        return c != 0 ? c : compareDecimals(a, da + 1, a.length(), b, db + 1, b.length());
      };

  /** Two decimal numbers without leading zeros, {@code a[aFrom, aTo)} and {@code b[bFrom, bTo)}. */
  private static int compareDecimals(String a, int aFrom, int aTo, String b, int bFrom, int bTo) {
    int c = Integer.compare(aTo - aFrom, bTo - bFrom);
    for (int i = 0; c == 0 && i < aTo - aFrom; i++) {
      c = Character.compare(a.charAt(aFrom + i), b.charAt(bFrom + i));
    }
    return c;
  }

  private static byte[] ascii(String s) {
    return EntryStore.ascii(s);
  }
}
