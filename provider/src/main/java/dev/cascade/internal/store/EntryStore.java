package dev.cascade.internal.store;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The entries of one cache in Redis, at the level of bytes: plain reads, the one conditional
 * mutation script, write-through locks, and walks over all entries. The only class that issues
 * Redis commands for entries.
 *
 * <p>Every method returns a future and never blocks, so callers can pipeline many keys; futures
 * complete on Lettuce I/O threads. Thread-safe.
 */
public final class EntryStore {

  static final byte[] VALUE = {'v'};
  static final byte[] EXPIRY = {'x'};
  static final byte[] PENDING = {'w'};
  private static final byte[] NONE = new byte[0];
  private static final int SCAN_COUNT = 1000;

  /** Keys per plain.lua call on one server: no script holds Redis up for long. */
  private static final int PLAIN_BATCH = 128;

  private static final byte[] PLAIN_GET = ascii("get");
  private static final byte[] PLAIN_SET = ascii("set");
  private static final byte[] PLAIN_DEL = ascii("del");
  private static final byte[] CLEAR = ascii("clear");
  private static final byte[] PLAIN_HAS = ascii("has");

  private final RedisAccess redis;
  private final RedisClusterAsyncCommands<byte[], byte[]> commands;
  private final KeyLayout layout;
  private final byte[] channel;
  private final byte[] origin;
  private final byte[] queueBound;
  private final LongAdder replacedRecords = new LongAdder();
  private final int replicas;
  private final long replicaTimeoutMillis;
  private final String description;
  private final OperationIds operations;
  private final byte[] opLogTtl;
  private final byte[][] opLogKeys;
  private final LoggedChanges loggedChanges;
  private volatile ChangeObserver observer;

  /** Told of every change this JVM makes to the cache's entries, once Redis acknowledged it. */
  public interface ChangeObserver {
    void changed(byte[] encodedKey);

    void changedAll();
  }

  /** A store for walks and deletes (a cache this manager does not have open), or for tests. */
  public EntryStore(RedisAccess redis, KeyLayout layout, byte[] origin) {
    this(redis, layout, origin, new OperationIds(), -1, 0, Duration.ZERO);
  }

  /**
   * @param operations the operation ids of the CacheManager ({@code origin}): one sequence for all
   *     its stores, so a cache closed and opened again never reuses an id its log still holds
   * @param queueBound for a write-behind cache, the most records a partition's queue may hold (0 =
   *     unbounded); -1 for a cache without write-behind
   * @param replicas how many replicas must have a change before it returns ({@code WAIT} after the
   *     script, see {@link ReplicatedWrites}): in a write-behind cache a change that queues a
   *     record, in a write-through cache a change made under the key's lock; 0 = do not wait
   * @param replicaTimeout how long to wait for them
   */
  public EntryStore(
      RedisAccess redis,
      KeyLayout layout,
      byte[] origin,
      OperationIds operations,
      int queueBound,
      int replicas,
      Duration replicaTimeout) {
    this.operations = operations;
    this.redis = redis;
    this.commands = redis.commands();
    this.layout = layout;
    this.channel = layout.eventChannel();
    this.origin = origin;
    this.queueBound = queueBound < 0 ? NONE : ascii(Integer.toString(queueBound));
    this.replicas = replicas;
    this.replicaTimeoutMillis = replicaTimeout.toMillis();
    this.description = layout.describe();
    // the log must outlive every resend of a call: Lettuce resends only within the command timeout
    this.opLogTtl = ascii(Long.toString(Math.max(60_000, 2 * redis.target().timeout().toMillis())));
    this.opLogKeys = new byte[layout.partitions()][];
    for (int p = 0; p < opLogKeys.length; p++) {
      opLogKeys[p] = layout.opLogKey(p, origin);
    }
    this.loggedChanges = new LoggedChanges(redis, layout, operations, opLogKeys, opLogTtl);
  }

  /**
   * Tells {@code observer} (a near cache) of this JVM's own changes, as soon as Redis acknowledged
   * each and before its caller sees the result; other clients' changes reach it another way.
   */
  public void observe(ChangeObserver observer) {
    this.observer = observer;
  }

  private <T> CompletableFuture<T> forgetting(byte[] encodedKey, CompletableFuture<T> change) {
    ChangeObserver o = observer;
    return o == null
        ? change
        : change.thenApply(
            result -> {
              o.changed(encodedKey);
              return result;
            });
  }

  /**
   * Like {@link #forgetting}, also when the change fails: a change whose replicas did not confirm
   * it is applied on the master all the same.
   */
  private <T> CompletableFuture<T> forgettingEvenIfFailed(
      byte[] encodedKey, CompletableFuture<T> change) {
    ChangeObserver o = observer;
    return o == null ? change : change.whenComplete((result, failure) -> o.changed(encodedKey));
  }

  public boolean isWriteBehind() {
    return queueBound.length > 0;
  }

  /**
   * Queued records this JVM's writes replaced with a newer record of the same key (coalescing in
   * the queue).
   */
  public long replacedRecords() {
    return replacedRecords.sum();
  }

  public KeyLayout layout() {
    return layout;
  }

  public RedisAccess redis() {
    return redis;
  }

  /** {@code HMGET v x w}: one plain command, no script, for the hot read path. */
  public CompletableFuture<StoredEntry> read(byte[] encodedKey) {
    byte[] key = layout.entryKey(encodedKey);
    return redis
        .resendingOnConnectionLoss(
            () -> commands.hmget(key, VALUE, EXPIRY, PENDING).toCompletableFuture())
        .thenApply(EntryStore::toStoredEntry);
  }

  /**
   * {@link #read} of a cache whose entries carry no expiry and no queued write (eternal, not
   * write-behind), for a caller that needs only the value: {@code HGET v} costs Redis and this JVM
   * less than {@code HMGET v x w}. It never reports a queued-write marker, so a read-through load
   * must use {@link #read} (a marker left by an earlier write-behind life of the cache name makes a
   * load's condition fail).
   */
  public CompletableFuture<StoredEntry> readPlain(byte[] encodedKey) {
    return redis
        .resendingOnConnectionLoss(() -> readValue(encodedKey))
        .thenApply(
            v -> v == null ? StoredEntry.ABSENT : new StoredEntry(v, StoredEntry.ETERNAL, false));
  }

  private static StoredEntry toStoredEntry(List<KeyValue<byte[], byte[]>> fields) {
    return entryOf(
        fields.get(0).getValueOrElse(null),
        fields.get(1).getValueOrElse(null),
        fields.get(2).hasValue());
  }

  /** The entry that the fields {@code v}, {@code x} (null when absent) and {@code w} describe. */
  private static StoredEntry entryOf(byte[] v, byte[] x, boolean pending) {
    if (v == null) {
      return pending ? new StoredEntry(null, StoredEntry.ETERNAL, true) : StoredEntry.ABSENT;
    }
    long expiresAt =
        x != null ? Long.parseLong(new String(x, StandardCharsets.US_ASCII)) : StoredEntry.ETERNAL;
    return new StoredEntry(v, expiresAt, pending);
  }

  /**
   * Runs {@code mutate.lua}. In a write-behind cache with replica acknowledgement, a change that
   * queues a record completes only once the replicas have it, else fails with a {@link
   * javax.cache.CacheException} that says the change is applied on the master only.
   *
   * @param graceMillis extra native TTL so this JVM can still see an expired entry and report it
   * @param lockToken the write-through lock token this caller holds, or null
   */
  public CompletableFuture<Outcome> mutate(
      byte[] encodedKey, Mutation m, long now, long graceMillis, byte[] lockToken) {
    long operation = operations.start();
    byte[][] keys = mutateKeys(encodedKey, lockToken);
    byte[][] args = mutateArgs(encodedKey, m, now, graceMillis, lockToken, operation);
    CompletableFuture<Outcome> outcome;
    if (awaitsReplicas(m)) {
      outcome =
          forgettingEvenIfFailed(
              encodedKey,
              redis
                  .replicated()
                  .eval(Script.MUTATE, keys, args, replicas, replicaTimeoutMillis)
                  .thenApply(this::toOutcomeCounting));
    } else {
      // safe to send again: a repeated operation id is answered from the log
      outcome =
          forgetting(
              encodedKey,
              redis
                  .resendingOnConnectionLoss(() -> redis.eval(Script.MUTATE, keys, args))
                  .thenApply(this::toOutcomeCounting));
    }
    return outcome.whenComplete((result, failure) -> operations.finish(operation));
  }

  /**
   * True when {@link #compareAndSet} can apply {@code m}: a set or delete guarded by the value seen
   * (or by absence), wanting no old value back, on a cache without write-behind. The caller answers
   * for the rest: entries that never expire, no lock, nobody in another JVM listening.
   */
  public boolean canCompareAndSet(Mutation m) {
    return !isWriteBehind()
        && !m.returnOld
        && (m.condition == Mutation.Condition.EQUALS || m.condition == Mutation.Condition.ABSENT)
        && (m.action == Mutation.Action.SET || m.action == Mutation.Action.DELETE);
  }

  /**
   * {@code changes.lua}: {@link #mutate}'s subset for a {@linkplain #canCompareAndSet guarded set
   * or delete} of an entry that never expires, when no other JVM listens: the same outcome, with
   * the reply logged the same way, for less script time and 5 arguments, not 23, in a call it may
   * share with other threads' changes ({@link LoggedChanges}). A failed condition comes back as
   * {@link Outcome.Status#FAILED_PRESENT} (nothing changed).
   */
  public CompletableFuture<Outcome> compareAndSet(byte[] encodedKey, Mutation m) {
    CompletableFuture<Outcome> outcome =
        loggedChanges
            .change(
                encodedKey,
                m.condition,
                m.expected == null ? NONE : m.expected,
                m.action,
                m.value == null ? NONE : m.value)
            .thenApply(EntryStore::casOutcome);
    return forgetting(encodedKey, outcome);
  }

  private static final Outcome CAS_CREATED = new Outcome(Outcome.Status.CREATED, null, null);
  private static final Outcome CAS_UPDATED = new Outcome(Outcome.Status.UPDATED, null, null);
  private static final Outcome CAS_DELETED = new Outcome(Outcome.Status.DELETED, null, null);
  private static final Outcome CAS_FAILED = new Outcome(Outcome.Status.FAILED_PRESENT, null, null);

  private static Outcome casOutcome(Long reply) {
    int code = reply == null ? 0 : reply.intValue();
    switch (code) {
      case 1:
        return CAS_CREATED;
      case 2:
        return CAS_UPDATED;
      case 3:
        return CAS_DELETED;
      default:
        return CAS_FAILED;
    }
  }

  /**
   * Runs a touch ({@link Mutation#touch}) without telling the change observer: a touch changes no
   * value, and the near cache that sends it for its hits keeps its copy (Redis' own invalidation of
   * the touched key still comes, and the near cache reads the entry again then). Not resent after a
   * dropped connection: a lost touch leaves the TTL as it was.
   */
  public CompletableFuture<Outcome> touchQuietly(
      byte[] encodedKey, Mutation touch, long now, long graceMillis) {
    if (touch.action != Mutation.Action.TOUCH) {
      throw new IllegalArgumentException("not a touch: " + touch.action);
    }
    long operation = operations.start();
    byte[][] keys = mutateKeys(encodedKey, null);
    byte[][] args = mutateArgs(encodedKey, touch, now, graceMillis, null, operation);
    return redis
        .eval(Script.MUTATE, keys, args)
        .thenApply(this::toOutcomeCounting)
        .whenComplete((result, failure) -> operations.finish(operation));
  }

  /**
   * {@link #mutate} of many keys without locks, pipelined (one round trip per node); with replica
   * acknowledgement, one {@code WAIT} per node follows all of that node's changes.
   */
  public List<CompletableFuture<Outcome>> mutateAll(
      List<byte[]> encodedKeys, List<Mutation> ms, long now, long graceMillis) {
    List<CompletableFuture<Outcome>> outcomes = new ArrayList<>(encodedKeys.size());
    List<Integer> replicated = new ArrayList<>();
    for (int i = 0; i < encodedKeys.size(); i++) {
      if (awaitsReplicas(ms.get(i))) {
        replicated.add(i);
        outcomes.add(null);
      } else {
        outcomes.add(mutate(encodedKeys.get(i), ms.get(i), now, graceMillis, null));
      }
    }
    if (!replicated.isEmpty()) {
      List<byte[][]> keys = new ArrayList<>(replicated.size());
      List<byte[][]> args = new ArrayList<>(replicated.size());
      long[] ids = new long[replicated.size()];
      for (int j = 0; j < replicated.size(); j++) {
        int i = replicated.get(j);
        ids[j] = operations.start();
        keys.add(mutateKeys(encodedKeys.get(i), null));
        args.add(mutateArgs(encodedKeys.get(i), ms.get(i), now, graceMillis, null, ids[j]));
      }
      List<CompletableFuture<List<Object>>> replies =
          redis.replicated().evalAll(Script.MUTATE, keys, args, replicas, replicaTimeoutMillis);
      for (int j = 0; j < replicated.size(); j++) {
        int i = replicated.get(j);
        long id = ids[j];
        outcomes.set(
            i,
            forgettingEvenIfFailed(
                    encodedKeys.get(i), replies.get(j).thenApply(this::toOutcomeCounting))
                .whenComplete((result, failure) -> operations.finish(id)));
      }
    }
    return outcomes;
  }

  /** True when {@code m} appends a write-behind record and replicas must acknowledge it. */
  private boolean awaitsReplicas(Mutation m) {
    return replicas > 0
        && m.action != Mutation.Action.TOUCH
        && m.condition != Mutation.Condition.LOADABLE
        && m.condition != Mutation.Condition.REPLACEABLE;
  }

  private byte[][] mutateKeys(byte[] encodedKey, byte[] lockToken) {
    int p = layout.partition(encodedKey);
    return new byte[][] {
      layout.entryKeyIn(p, encodedKey),
      layout.listenerFlag(p),
      lockToken == null ? layout.listenerFlag(p) : layout.lockKey(encodedKey),
      layout.streamKey(p),
      opLogKeys[p]
    };
  }

  // The ARGV slots of mutate.lua, named once: its header says what each means.
  private static final int ARGV_NOW = 0;
  private static final int ARGV_CONDITION = 1;
  private static final int ARGV_EXPECTED = 2;
  private static final int ARGV_ACTION = 3;
  private static final int ARGV_VALUE = 4;
  private static final int ARGV_EXPIRY_ON_CREATE = 5;
  private static final int ARGV_EXPIRY_ON_UPDATE = 6;
  private static final int ARGV_EXPIRY_ON_FAILED_ACCESS = 7;
  private static final int ARGV_RETURN_OLD = 8;
  private static final int ARGV_GRACE = 9;
  private static final int ARGV_CHANNEL = 10;
  private static final int ARGV_ORIGIN = 11;
  private static final int ARGV_LOCK_TOKEN = 12;
  private static final int ARGV_QUEUE_BOUND = 13;
  private static final int ARGV_ENCODED_KEY = 14;
  private static final int ARGV_OPERATION = 15;
  private static final int ARGV_LOWEST_WAITING = 16;
  private static final int ARGV_OP_LOG_TTL = 17;
  private static final int ARGV_COUNT = 18;

  private byte[][] mutateArgs(
      byte[] encodedKey, Mutation m, long now, long graceMillis, byte[] lockToken, long operation) {
    byte[][] args = new byte[ARGV_COUNT][];
    args[ARGV_NOW] = ascii(Long.toString(now));
    args[ARGV_CONDITION] = m.condition.code;
    args[ARGV_EXPECTED] = m.expected == null ? NONE : m.expected;
    args[ARGV_ACTION] = m.action.code;
    args[ARGV_VALUE] = m.value == null ? NONE : m.value;
    args[ARGV_EXPIRY_ON_CREATE] = ascii(m.onCreate);
    args[ARGV_EXPIRY_ON_UPDATE] = ascii(m.onUpdate);
    args[ARGV_EXPIRY_ON_FAILED_ACCESS] = ascii(m.onFailedAccess);
    args[ARGV_RETURN_OLD] = m.returnOld ? ONE : ZERO;
    args[ARGV_GRACE] = ascii(Long.toString(graceMillis));
    args[ARGV_CHANNEL] = channel;
    args[ARGV_ORIGIN] = origin;
    args[ARGV_LOCK_TOKEN] = lockToken == null ? NONE : lockToken;
    args[ARGV_QUEUE_BOUND] = m.ignoreQueueBound && queueBound.length > 0 ? MINUS_ONE : queueBound;
    args[ARGV_ENCODED_KEY] = encodedKey;
    args[ARGV_OPERATION] = ascii(Long.toString(operation));
    args[ARGV_LOWEST_WAITING] = ascii(Long.toString(operations.lowestWaiting()));
    args[ARGV_OP_LOG_TTL] = opLogTtl;
    return args;
  }

  private Outcome toOutcomeCounting(List<Object> reply) {
    if (reply.size() > 4 && Long.valueOf(1).equals(reply.get(4))) {
      replacedRecords.increment();
    }
    return toOutcome(reply);
  }

  private static final byte[] ONE = {'1'};
  private static final byte[] MINUS_ONE = {'-', '1'};
  private static final byte[] ZERO = {'0'};

  private static Outcome toOutcome(List<Object> reply) {
    String status = new String((byte[]) reply.get(0), StandardCharsets.US_ASCII);
    return new Outcome(
        Outcome.Status.of(status),
        bytesOrNull(reply.get(1)),
        bytesOrNull(reply.get(2)),
        reply.size() > 3 && Long.valueOf(1).equals(reply.get(3)));
  }

  private static byte[] bytesOrNull(Object o) {
    return o instanceof byte[] ? (byte[]) o : null;
  }

  /**
   * {@code lock.lua} ({@code SET lock token NX PX lease}, answering true also when the lock already
   * holds this token: a resend after a reconnect): true when this caller now holds the entry's
   * lock.
   */
  public CompletableFuture<Boolean> tryLock(byte[] encodedKey, byte[] token, long leaseMillis) {
    byte[][] keys = {layout.lockKey(encodedKey)};
    byte[] lease = ascii(Long.toString(leaseMillis));
    // safe to send again: lock.lua answers "yours" when the lock already holds the token
    return redis
        .resendingOnConnectionLoss(() -> redis.evalInteger(Script.LOCK, keys, token, lease))
        .thenApply(reply -> reply != null && reply == 1);
  }

  /**
   * {@code lock.lua} with the entry: takes the entry's lock as {@link #tryLock} does and, when this
   * caller holds it, reads the entry ({@code HMGET v x w}) in the same script, so a write-through
   * change reads what it decides on in the round trip that locks. Safe to send again: a resent call
   * finds the lock holding the token and reads the entry again.
   *
   * @return the entry as read under the lock, or null when another holder has the lock
   */
  public CompletableFuture<StoredEntry> tryLockAndRead(
      byte[] encodedKey, byte[] token, long leaseMillis) {
    byte[][] keys = {layout.lockKey(encodedKey), layout.entryKey(encodedKey)};
    byte[] lease = ascii(Long.toString(leaseMillis));
    return redis
        .resendingOnConnectionLoss(() -> redis.eval(Script.LOCK, keys, token, lease))
        .thenApply(EntryStore::toLockedEntry);
  }

  private static StoredEntry toLockedEntry(List<Object> reply) {
    if (reply == null || reply.isEmpty() || !Long.valueOf(1).equals(reply.get(0))) {
      return null;
    }
    return entryOf(
        bytesOrNull(reply.get(1)), bytesOrNull(reply.get(2)), bytesOrNull(reply.get(3)) != null);
  }

  /** Releases the entry's lock if it still holds {@code token}. */
  public CompletableFuture<Long> unlock(byte[] encodedKey, byte[] token) {
    byte[][] keys = {layout.lockKey(encodedKey)};
    return redis.resendingOnConnectionLoss(() -> redis.evalInteger(Script.UNLOCK, keys, token));
  }

  /**
   * Walks every entry key of this cache ({@code SCAN MATCH}, on every master of a cluster), and
   * hands them over in batches as encoded keys. Keys written during the walk may or may not be
   * seen; none present for the whole walk is missed.
   */
  public void forEachKeyBatch(Consumer<List<byte[]>> batch) {
    scan(
        layout.entryPattern(),
        keys -> {
          List<byte[]> encoded = new ArrayList<>(keys.size());
          for (byte[] k : keys) {
            byte[] e = layout.encodedKeyOf(k);
            if (e != null) {
              encoded.add(e);
            }
          }
          if (!encoded.isEmpty()) {
            batch.accept(encoded);
          }
        });
  }

  /**
   * A pull-style walk over every entry key, for iterators: each {@link KeyCursor#next} call costs
   * one {@code SCAN} round trip. Not thread-safe (an iterator belongs to one thread).
   */
  public KeyCursor cursor() {
    return new KeyCursor();
  }

  /**
   * Of these keys (a page of {@link #cursor()}), those whose entry holds a value. In a write-behind
   * cache a scanned hash may hold only its queued-write marker (a queued delete, or an entry {@code
   * clear()} emptied while its write was queued): no entry to {@code removeAll()}, which would
   * otherwise queue a delete the application never asked for. Other caches: the keys as they are,
   * without a round trip.
   */
  public List<byte[]> holdingValues(List<byte[]> encodedKeys) {
    if (queueBound == NONE || encodedKeys.isEmpty()) {
      return encodedKeys;
    }
    Object[] replies =
        redis.await(plainAll(PLAIN_HAS, encodedKeys, null), "reading entries of " + describe());
    List<byte[]> present = new ArrayList<>(encodedKeys.size());
    for (int i = 0; i < replies.length; i++) {
      if (Long.valueOf(1).equals(replies[i])) {
        present.add(encodedKeys.get(i));
      }
    }
    return present;
  }

  /** See {@link #cursor()}. */
  public final class KeyCursor {
    private final ScanArgs args = ScanArgs.Builder.matches(layout.entryPattern()).limit(SCAN_COUNT);
    private KeyScanCursor<byte[]> last;

    /** The next batch of encoded keys (possibly empty), or null when the walk is complete. */
    public List<byte[]> next() {
      if (last != null && last.isFinished()) {
        return null;
      }
      ScanCursor previous = last;
      last =
          redis.await(
              previous == null ? commands.scan(args) : commands.scan(previous, args),
              "scanning " + describe());
      List<byte[]> encoded = new ArrayList<>(last.getKeys().size());
      for (byte[] k : last.getKeys()) {
        byte[] e = layout.encodedKeyOf(k);
        if (e != null) {
          encoded.add(e);
        }
      }
      return encoded;
    }
  }

  /**
   * {@code clear()}: no events, no writer. Deletes every entry, but in a write-behind cache keeps
   * the queued-write marker of entries whose write is still queued (see {@code plain.lua}'s {@code
   * clear}): the queued writes still reach the writer, and until they have, a read-through load
   * must not store the table's older row, which no flush would ever replace.
   */
  public void deleteAllEntries() {
    if (queueBound == NONE) {
      deleteAllEntries(() -> {});
      return;
    }
    scan(layout.entryPattern(), this::clearKeepingQueuedMarkers, () -> {});
    ChangeObserver o = observer;
    if (o != null) {
      o.changedAll();
    }
  }

  private void deleteAllEntries(Runnable eachPage) {
    scan(layout.entryPattern(), this::unlink, eachPage);
    ChangeObserver o = observer;
    if (o != null) {
      o.changedAll();
    }
  }

  private void clearKeepingQueuedMarkers(List<byte[]> entryKeys) {
    // one script per slot on a cluster (a page of SCAN spans the partitions of one node)
    Map<Integer, List<byte[]>> bySlot = new LinkedHashMap<>();
    for (byte[] key : entryKeys) {
      int slot = redis.isCluster() ? SlotHash.getSlot(key) : 0;
      bySlot.computeIfAbsent(slot, s -> new ArrayList<>()).add(key);
    }
    byte[][] op = {CLEAR};
    List<CompletableFuture<?>> sent = new ArrayList<>();
    for (List<byte[]> keys : bySlot.values()) {
      for (int from = 0; from < keys.size(); from += PLAIN_BATCH) {
        byte[][] batch =
            keys.subList(from, Math.min(keys.size(), from + PLAIN_BATCH)).toArray(new byte[0][]);
        sent.add(redis.eval(Script.PLAIN, batch, op));
      }
    }
    redis.await(
        CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0])),
        "clearing entries of " + describe());
  }

  /**
   * Deletes every key of the cache but its registry entry: entries, locks, flags, streams, dead
   * letters ({@code destroyCache}, which first puts a destroyed cache's mark in the entry's place),
   * running {@code eachPage} after each page of the scans.
   */
  public void deleteEverything(Runnable eachPage) {
    deleteAllEntries(eachPage);
    scan(layout.auxiliaryPattern(), this::unlink, eachPage);
  }

  private void unlink(List<byte[]> keys) {
    if (!keys.isEmpty()) {
      redis.await(
          commands.unlink(keys.toArray(new byte[0][])), "deleting entries of " + describe());
    }
  }

  private void scan(byte[] pattern, Consumer<List<byte[]>> batch) {
    scan(pattern, batch, () -> {});
  }

  private void scan(byte[] pattern, Consumer<List<byte[]>> batch, Runnable eachPage) {
    ScanArgs args = ScanArgs.Builder.matches(pattern).limit(SCAN_COUNT);
    KeyScanCursor<byte[]> cursor = redis.await(commands.scan(args), "scanning " + describe());
    while (true) {
      if (!cursor.getKeys().isEmpty()) {
        batch.accept(cursor.getKeys());
      }
      eachPage.run();
      if (cursor.isFinished()) {
        return;
      }
      ScanCursor next = cursor;
      cursor = redis.await(commands.scan(next, args), "scanning " + describe());
    }
  }

  /**
   * Records in every partition that this JVM listens to the cache, for {@code ttlMillis} unless
   * renewed: while another JVM's field is there, every mutation publishes its event, and expired
   * entries stay {@code graceMillis} for reporting. Also renews this JVM's entry in the roster of
   * listening JVMs, which tells the others that someone listens ({@link #othersListen}) and when
   * this JVM last renewed (see {@link #forgetSilentListeners}).
   *
   * @return what was missing before (everything the first time; on a renewal, what Redis lost), and
   *     whether some of it failed (Redis unreachable, or one node of a cluster)
   */
  public MarksRenewed flagListening(long graceMillis, long ttlMillis) {
    List<CompletableFuture<Boolean>> added = new ArrayList<>(layout.partitions());
    List<CompletableFuture<?>> replies = new ArrayList<>(layout.partitions() * 2 + 2);
    byte[] value = ascii(Long.toString(graceMillis));
    for (int p = 0; p < layout.partitions(); p++) {
      // HSET of one field answers whether it added it: true where the mark was missing
      CompletableFuture<Boolean> fresh =
          commands.hset(layout.listenerFlag(p), origin, value).toCompletableFuture();
      added.add(fresh);
      replies.add(fresh);
      replies.add(commands.pexpire(layout.listenerFlag(p), ttlMillis).toCompletableFuture());
    }
    // the hashes' TTL alone cannot retire a JVM that stopped: any live JVM's renewal extends it
    byte[] roster = layout.listenersSeenKey();
    CompletableFuture<Boolean> rosterAdded =
        commands
            .hset(roster, origin, ascii(Long.toString(redis.clock().millis())))
            .toCompletableFuture();
    replies.add(rosterAdded);
    replies.add(commands.pexpire(roster, ttlMillis).toCompletableFuture());
    RuntimeException failure = null;
    try {
      redis.await(
          CompletableFuture.allOf(replies.toArray(new CompletableFuture<?>[0])),
          "marking " + describe() + " as listened to");
    } catch (RuntimeException e) {
      // on a cluster the other nodes' marks may have been put back all the same: say which
      failure = e;
    }
    int missing = 0;
    for (CompletableFuture<Boolean> fresh : added) {
      if (answeredTrue(fresh)) {
        missing++;
      }
    }
    return new MarksRenewed(missing, layout.partitions(), answeredTrue(rosterAdded), failure);
  }

  private static boolean answeredTrue(CompletableFuture<Boolean> reply) {
    return reply.isDone() && !reply.isCompletedExceptionally() && reply.join();
  }

  /**
   * What a {@link #flagListening} found missing (and put back): this JVM's mark in {@code
   * partitionsMissing} of the cache's {@code partitions}, and its entry in the roster of listening
   * JVMs; and, if some of it failed, why ({@code failure}, else null).
   */
  public record MarksRenewed(
      int partitionsMissing, int partitions, boolean rosterMissing, RuntimeException failure) {

    public boolean anyMissing() {
      return partitionsMissing > 0 || rosterMissing;
    }

    /** Throws the failure, if there was one. */
    public MarksRenewed throwIfFailed() {
      if (failure != null) {
        throw failure;
      }
      return this;
    }
  }

  /** Removes this JVM from the listeners of every partition. */
  public void unflagListening() {
    List<CompletableFuture<?>> replies = new ArrayList<>(layout.partitions() + 1);
    for (int p = 0; p < layout.partitions(); p++) {
      replies.add(commands.hdel(layout.listenerFlag(p), origin).toCompletableFuture());
    }
    replies.add(commands.hdel(layout.listenersSeenKey(), origin).toCompletableFuture());
    redis.await(
        CompletableFuture.allOf(replies.toArray(new CompletableFuture<?>[0])),
        "unmarking " + describe() + " as listened to");
  }

  /**
   * Removes the listener marks of JVMs that have not renewed them for {@code silentMillis} (one
   * that died without closing its caches): the marks' hashes expire only when no JVM listens any
   * more, since every renewal extends the whole hash, so a dead JVM's mark would otherwise stay
   * while others listen, and every JVM would keep publishing its changes and keeping expired
   * entries for its grace. A JVM whose renewal time is unknown (a version before this) keeps its
   * marks.
   *
   * @return the origins whose marks were removed
   */
  public List<String> forgetSilentListeners(long silentMillis) {
    byte[] seenKey = layout.listenersSeenKey();
    Map<byte[], byte[]> seen =
        redis.await(commands.hgetall(seenKey), "reading the listeners of " + describe());
    long now = redis.clock().millis(); // other JVMs' renewal times: one clock for all
    List<String> forgotten = new ArrayList<>();
    List<CompletableFuture<?>> replies = new ArrayList<>();
    for (Map.Entry<byte[], byte[]> e : seen.entrySet()) {
      long at;
      try {
        at = Long.parseLong(new String(e.getValue(), StandardCharsets.US_ASCII));
      } catch (NumberFormatException notATime) {
        continue; // not ours to judge
      }
      if (Arrays.equals(e.getKey(), origin) || now - at <= silentMillis) {
        continue;
      }
      for (int p = 0; p < layout.partitions(); p++) {
        replies.add(commands.hdel(layout.listenerFlag(p), e.getKey()).toCompletableFuture());
      }
      replies.add(commands.hdel(seenKey, e.getKey()).toCompletableFuture());
      forgotten.add(new String(e.getKey(), StandardCharsets.UTF_8));
    }
    redis.await(
        CompletableFuture.allOf(replies.toArray(new CompletableFuture<?>[0])),
        "removing the listener marks of stopped JVMs from " + describe());
    return forgotten;
  }

  /**
   * True when some other JVM listens to this cache (its changes must then be published). Asks the
   * roster of listening JVMs ({@link KeyLayout#listenersSeenKey}), which every listening JVM renews
   * with its marks, and partition 0's marks (a JVM of a version before the roster marks the
   * partitions only). Two keys in two slots: Redis may lose one partition's marks (a failover to a
   * replica that had not received them, an eviction) while the other partitions still need their
   * changes published, and asking partition 0 alone then silenced them all.
   */
  public boolean othersListen() {
    byte[] roster = layout.listenersSeenKey();
    byte[] marks = layout.listenerFlag(0);
    CompletableFuture<Long> listed = commands.hlen(roster).toCompletableFuture();
    CompletableFuture<Boolean> listedUs = commands.hexists(roster, origin).toCompletableFuture();
    CompletableFuture<Long> marked = commands.hlen(marks).toCompletableFuture();
    CompletableFuture<Boolean> markedUs = commands.hexists(marks, origin).toCompletableFuture();
    redis.await(
        CompletableFuture.allOf(listed, listedUs, marked, markedUs),
        "checking the listeners of " + describe());
    return listed.join() > (listedUs.join() ? 1 : 0) || marked.join() > (markedUs.join() ? 1 : 0);
  }

  /** Tells every JVM with the cache open to check its listeners again. */
  public void announceListeners() {
    redis.await(
        commands.publish(layout.controlChannel(), ascii("listeners")),
        "announcing listeners of " + describe());
  }

  /**
   * Tells the JVMs that have the cache open that it was destroyed (they check its registry entry
   * when the control channel speaks; one that misses this finds out at its next periodic check).
   */
  public void announceDestroyed() {
    redis.await(
        commands.publish(layout.controlChannel(), ascii("destroyed")),
        "announcing that " + describe() + " was destroyed");
  }

  // ---------------------------------------------------------------- plain commands (no script)

  /**
   * {@code HGET v}: the read of a cache whose entries can have no expiry and no queued write
   * (eternal, not write-behind): nothing else in the hash matters.
   */
  public CompletableFuture<byte[]> readValue(byte[] encodedKey) {
    return commands.hget(layout.entryKey(encodedKey), VALUE).toCompletableFuture();
  }

  /**
   * {@code HSET v}: a put that needs no examination (eternal, nobody listening, no writer).
   * Completes with true if the entry was created.
   */
  public CompletableFuture<Boolean> writeValue(byte[] encodedKey, byte[] value) {
    return forgetting(
        encodedKey, commands.hset(layout.entryKey(encodedKey), VALUE, value).toCompletableFuture());
  }

  /**
   * {@link #writeValue} whose answer stays exact when the call is sent again after a reconnect:
   * {@code changes.lua}, an {@code HSET v} with its reply in the operation log, as {@link #mutate}
   * keeps its own. For puts that need no examination but whose caller reports "created" or
   * "updated" (listeners in this JVM). Changes of threads that change entries at once share one
   * call ({@link LoggedChanges}). Completes with true if the entry was created.
   */
  public CompletableFuture<Boolean> writeValueLogged(byte[] encodedKey, byte[] value) {
    CompletableFuture<Boolean> created =
        loggedChanges
            .change(encodedKey, Mutation.Condition.ANY, NONE, Mutation.Action.SET, value)
            .thenApply(reply -> reply == 1);
    return forgetting(encodedKey, created);
  }

  // ------------------------------------------------- plain commands on many entries (one script
  // per batch)

  /** {@link #readValue} of many entries: per key, in order, its value or null. */
  public CompletableFuture<byte[][]> readValues(List<byte[]> encodedKeys) {
    return plainAll(PLAIN_GET, encodedKeys, null)
        .thenApply(
            replies -> {
              byte[][] values = new byte[replies.length][];
              for (int i = 0; i < replies.length; i++) {
                values[i] = (byte[]) replies[i];
              }
              return values;
            });
  }

  /** {@link #writeValue} of many entries: per key, in order, true if it was created. */
  public CompletableFuture<boolean[]> writeValues(List<byte[]> encodedKeys, List<byte[]> values) {
    return forgettingAllIfFailed(
        encodedKeys,
        plainAll(PLAIN_SET, encodedKeys, values).thenApply(replies -> ones(encodedKeys, replies)));
  }

  /** {@code DEL} of many entries (no examination): per key, in order, true if it existed. */
  public CompletableFuture<boolean[]> deleteEntries(List<byte[]> encodedKeys) {
    return forgettingAllIfFailed(
        encodedKeys,
        plainAll(PLAIN_DEL, encodedKeys, null).thenApply(replies -> ones(encodedKeys, replies)));
  }

  /**
   * When a change of many keys fails, some of its batches (and the commands of a failed script
   * before its error) were applied all the same: the observer forgets every key.
   */
  private <T> CompletableFuture<T> forgettingAllIfFailed(
      List<byte[]> encodedKeys, CompletableFuture<T> change) {
    ChangeObserver o = observer;
    return o == null
        ? change
        : change.whenComplete(
            (result, failure) -> {
              if (failure != null) {
                encodedKeys.forEach(o::changed);
              }
            });
  }

  /** Which replies are 1; tells the observer of every key, as these were changes. */
  private boolean[] ones(List<byte[]> encodedKeys, Object[] replies) {
    ChangeObserver o = observer;
    boolean[] ones = new boolean[replies.length];
    for (int i = 0; i < replies.length; i++) {
      ones[i] = Long.valueOf(1).equals(replies[i]);
      if (o != null) {
        o.changed(encodedKeys.get(i));
      }
    }
    return ones;
  }

  /**
   * Sends {@code plain.lua} once per batch of keys that one script may touch together: on one
   * server any keys (batches of at most {@value #PLAIN_BATCH}, so no script holds Redis up for
   * long), on a cluster the keys of one partition, which share a slot. Completes with the replies
   * in key order.
   */
  private CompletableFuture<Object[]> plainAll(
      byte[] op, List<byte[]> encodedKeys, List<byte[]> values) {
    Object[] replies = new Object[encodedKeys.size()];
    List<List<Integer>> batches = plainBatches(encodedKeys);
    CompletableFuture<?>[] sent = new CompletableFuture<?>[batches.size()];
    for (int b = 0; b < batches.size(); b++) {
      List<Integer> batch = batches.get(b);
      byte[][] keys = new byte[batch.size()][];
      byte[][] args = new byte[values == null ? 1 : batch.size() + 1][];
      args[0] = op;
      for (int j = 0; j < batch.size(); j++) {
        keys[j] = layout.entryKey(encodedKeys.get(batch.get(j)));
        if (values != null) {
          args[j + 1] = values.get(batch.get(j));
        }
      }
      sent[b] =
          redis
              .eval(Script.PLAIN, keys, args)
              .thenAccept(
                  reply -> {
                    for (int j = 0; j < batch.size(); j++) {
                      replies[batch.get(j)] = reply.get(j); // each batch fills its own positions
                    }
                  });
    }
    // allOf completes after every batch's thenAccept, so the filled array is visible to the caller
    return CompletableFuture.allOf(sent).thenApply(done -> replies);
  }

  private List<List<Integer>> plainBatches(List<byte[]> encodedKeys) {
    List<List<Integer>> batches = new ArrayList<>();
    if (!redis.isCluster()) {
      for (int from = 0; from < encodedKeys.size(); from += PLAIN_BATCH) {
        List<Integer> batch = new ArrayList<>(Math.min(PLAIN_BATCH, encodedKeys.size() - from));
        for (int i = from; i < Math.min(from + PLAIN_BATCH, encodedKeys.size()); i++) {
          batch.add(i);
        }
        batches.add(batch);
      }
      return batches;
    }
    Map<Integer, List<Integer>> byPartition = new LinkedHashMap<>();
    for (int i = 0; i < encodedKeys.size(); i++) {
      List<Integer> batch =
          byPartition.computeIfAbsent(layout.partition(encodedKeys.get(i)), p -> new ArrayList<>());
      batch.add(i);
      if (batch.size() == PLAIN_BATCH) {
        batches.add(batch);
        byPartition.remove(layout.partition(encodedKeys.get(i)));
      }
    }
    batches.addAll(byPartition.values());
    return batches;
  }

  /** "cache 'name'", for messages. */
  public String describe() {
    return description;
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
