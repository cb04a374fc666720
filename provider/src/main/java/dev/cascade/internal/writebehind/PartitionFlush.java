package dev.cascade.internal.writebehind;

import dev.cascade.internal.store.QueueStore;
import dev.cascade.internal.store.QueueStore.QueuedRecord;
import dev.cascade.writebehind.WriteBehindSettings;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flushes one partition while this JVM holds its lease: reads the partition's records in stream
 * order, coalesces them per key, calls the writer, and acknowledges what was written. Only one
 * thread works on a partition at a time (its worker), so the per-key order of the stream is the
 * order the database sees.
 *
 * <p>Failures: a failed batch is split in halves, depth first and in a new random order each round,
 * to find which changes fail on their own. While nothing of the round has succeeded the splitting
 * is bounded (about 2·log2 n calls: an outage costs a few calls, not one per key); once something
 * succeeded the database works, and every failed half is split down to single changes, so a batch
 * where many changes are refused (one in two) still writes all the others. A change that fails
 * alone is charged an attempt when others of the round succeeded, or when the database said the
 * data itself is refused (a constraint, a value it cannot store), and becomes a suspect: from then
 * on it is written alone, and charged for every failure except in a step where the other changes
 * fail too. A failure that says the database cannot be reached is never charged, and ends the round
 * at once. After the retry limit a change's records go to the dead letters and the partition moves
 * on. When nothing succeeds at all (the database is down), nothing is charged: the partition backs
 * off (exponentially, with jitter) and tries again, so an outage sends nothing to the dead letters.
 * A round that settled something starts the backoff again from its initial delay.
 */
final class PartitionFlush {

  private static final Logger LOG = LoggerFactory.getLogger(PartitionFlush.class);

  final int partition;
  private final QueueStore queue;
  private final WriterCalls<?, ?> writer;
  private final WriteBehindSettings settings;
  private final WriteBehindStats stats;
  private final String consumer;
  private final LongSupplier graceMillis;

  volatile String leaseToken;
  private boolean takenOver;

  /** Records read (so pending in our name) and not yet acknowledged, in stream order. */
  private final List<QueuedRecord> carried = new ArrayList<>();

  /** Charged attempts of suspects: changes that failed on their own while others succeeded. */
  private final Map<ByteBuffer, Integer> attempts = new HashMap<>();

  private long notBefore;
  private int failuresInARow;

  /** The last read of new records failed: it may still take effect in Redis. */
  private boolean readInDoubt;

  /** The last step got an answer from Redis (a step in backoff asks Redis nothing). */
  private boolean lastStepReachedRedis;

  /** When this partition's queue was first seen non-empty since its last flush (0: not yet). */
  private long windowOpenedAt;

  /**
   * When the records held were delivered to this consumer ({@link System#nanoTime}, taken before
   * the read, claim or read again that delivered the oldest of them): Redis counts their idle time
   * from just after, and another flusher may claim them once it reaches {@code claimIdle}.
   */
  private long deliveredAtNanos;

  PartitionFlush(
      int partition,
      QueueStore queue,
      WriterCalls<?, ?> writer,
      WriteBehindSettings settings,
      WriteBehindStats stats,
      String consumer,
      LongSupplier graceMillis,
      String leaseToken) {
    this.partition = partition;
    this.queue = queue;
    this.writer = writer;
    this.settings = settings;
    this.stats = stats;
    this.consumer = consumer;
    this.graceMillis = graceMillis;
    this.leaseToken = leaseToken;
  }

  /** What one step did. */
  enum Step {
    FLUSHED,
    WAITING,
    IDLE,
    LEASE_LOST
  }

  /**
   * One step: take over abandoned records if needed, fill the batch, and flush it when it is full,
   * old enough, or {@code draining}.
   */
  Step step(long now, boolean draining) {
    lastStepReachedRedis = false;
    try {
      return stepOnce(now, draining);
    } catch (RuntimeException e) {
      // A command whose reply was lost may still have run: a read may have moved records into our
      // pending list without our knowing them. Re-read our pending records before going on, or
      // they would wait there until another flusher claimed the partition.
      takenOver = false;
      throw e;
    }
  }

  private Step stepOnce(long now, boolean draining) {
    if (leaseToken == null) {
      return Step.LEASE_LOST; // dropped by the coordinator while this step was due
    }
    if (!takenOver) {
      // Fenced first: a flusher cut off from Redis for longer than its lease (its steps failed,
      // and the coordinator has not yet noticed) must not claim the records of the flusher that
      // holds the partition now and write them over that one's newer writes. Renewing checks that
      // the lease is still ours and extends it past the claim and the reads below.
      String token = leaseToken;
      if (token == null || !queue.renewLease(partition, token, settings.leaseTtl())) {
        return Step.LEASE_LOST;
      }
      lastStepReachedRedis = true;
      // Redis' pending list is the truth: after a failed step, records held here may have been
      // acknowledged after all, or (after a failover) be unread again or gone
      carried.clear();
      deliveredAtNanos = System.nanoTime(); // claiming and reading them again start their idle time
      carried.addAll(
          queue.claimAbandoned(partition, consumer, settings.claimIdle(), settings.batchSize()));
      lastStepReachedRedis = true;
      carried.addAll(queue.readOwnPending(partition, consumer, Integer.MAX_VALUE));
      dedupe();
      if (queue.pendingOfOthers(partition, consumer) > 0) {
        // a flusher that lost this partition may still be writing them: wait for claimIdle to pass
        return Step.WAITING;
      }
      takenOver = true;
    }
    if (now < notBefore) {
      return Step.WAITING;
    }
    // Records are left unread until the batch is due: an unread record can still be replaced by a
    // newer write of its key (coalescing in the queue), a read one cannot.
    long depth = queue.depth(partition);
    lastStepReachedRedis = true;
    if (depth == 0 && carried.isEmpty()) {
      windowOpenedAt = 0;
      return Step.IDLE;
    }
    if (windowOpenedAt == 0) {
      windowOpenedAt = now;
    }
    boolean due =
        draining
            || depth >= settings.batchSize()
            || now - windowOpenedAt >= settings.maxDelay().toMillis();
    if (!due) {
      return Step.WAITING;
    }
    if (carried.size() < settings.batchSize()) {
      if (readInDoubt) {
        // A failed read may still have its EXEC on the way to Redis (a timeout is not a refusal):
        // renewing writes the lease key, which discards that EXEC if it comes later, since it
        // was sent under a WATCH of the key; if it came first, the next read's pending count
        // check sees what it read. Either way no record is read into our name unseen.
        String token = leaseToken; // the coordinator may drop it at any time
        if (token == null || !queue.renewLease(partition, token, settings.leaseTtl())) {
          return Step.LEASE_LOST;
        }
        readInDoubt = false;
      }
      List<QueuedRecord> fresh;
      String token = leaseToken;
      if (token == null) {
        return Step.LEASE_LOST;
      }
      long sent = System.nanoTime();
      try {
        fresh =
            queue.readNew(
                partition, consumer, settings.batchSize() - carried.size(), token, heldIds());
      } catch (RuntimeException e) {
        readInDoubt = true;
        throw e;
      }
      if (fresh == null) {
        return Step.LEASE_LOST;
      }
      if (carried.isEmpty()) {
        deliveredAtNanos = sent; // else the records held before are the oldest delivered
      }
      carried.addAll(fresh);
      if (fresh.isEmpty() && depth > carried.size()) {
        // Records are queued that nobody will read as new: read before, but not known here (a read
        // whose reply was lost, then retried by the client after a reconnect), or left by another
        // flusher. Take them over as when the partition was first taken.
        takenOver = false;
        return Step.WAITING;
      }
      if (!fresh.isEmpty() && carried.size() > fresh.size()) {
        dedupe(); // after a failover, records read before may be new again on the promoted replica
      }
    }
    if (carried.isEmpty()) {
      windowOpenedAt = 0;
      return Step.IDLE;
    }
    return flush(now) ? Step.FLUSHED : Step.LEASE_LOST;
  }

  /**
   * Whether the last step got an answer from Redis: only such a step says that an outage is over
   * (one in backoff, or waiting for its lease, asked Redis nothing).
   */
  boolean lastStepReachedRedis() {
    return lastStepReachedRedis;
  }

  /** When the partition's queue becomes due by time (for the worker's sleep). */
  long dueAt() {
    return Math.max(
        notBefore,
        windowOpenedAt == 0 ? Long.MAX_VALUE : windowOpenedAt + settings.maxDelay().toMillis());
  }

  boolean isEmpty() {
    return carried.isEmpty();
  }

  private boolean flush(long now) {
    try {
      return flushHeld(now);
    } catch (LeaseLost lost) {
      return false; // nothing after the last writer call is acknowledged: the new holder writes it
    }
  }

  /**
   * Before each call of the writer: a call may start only while no other flusher can claim the
   * records it writes until it has ended. They can be claimed once idle for {@code claimIdle}, and
   * a call lasts at most {@code writerTimeout} (shorter, WriteBehindSettings makes sure). Right
   * after the read that delivered them that holds; for a later call (the deletes after the puts,
   * the halves of a failed batch, a retry after a backoff, a flusher that was paused) it may not:
   * then the records are read again, fenced by the lease, which starts their idle time again, or
   * the flush stops here if the lease is gone. Half the margin between the two is kept for clocks
   * and the time between this check and the call.
   */
  private void beforeWriterCall() {
    long margin = settings.claimIdle().minus(settings.writerTimeout()).toNanos() / 2;
    if (System.nanoTime() - deliveredAtNanos < margin) {
      return;
    }
    String token = leaseToken;
    long sent = System.nanoTime();
    if (token == null || !queue.readHeldAgain(partition, consumer, token, heldIds())) {
      throw new LeaseLost();
    }
    deliveredAtNanos = sent;
  }

  /** The lease was found lost before a writer call: the flush stops, nothing more is written. */
  private static final class LeaseLost extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LeaseLost() {
      super(null, null, false, false);
    }
  }

  private List<String> heldIds() {
    List<String> ids = new ArrayList<>(carried.size());
    for (QueuedRecord r : carried) {
      ids.add(r.id);
    }
    return ids;
  }

  private boolean flushHeld(long now) {
    List<QueuedRecord> batch =
        new ArrayList<>(carried.subList(0, Math.min(settings.batchSize(), carried.size())));
    Coalesced coalesced = Coalesced.of(batch);
    List<Coalesced.Change> main = new ArrayList<>();
    List<Coalesced.Change> suspects = new ArrayList<>();
    for (Coalesced.Change c : coalesced.changes()) {
      (attempts.containsKey(ByteBuffer.wrap(c.key)) ? suspects : main).add(c);
    }
    Outcome outcome = new Outcome();
    if (!main.isEmpty()) {
      isolate(main, outcome);
    }
    for (Coalesced.Change s : suspects) {
      if (outcome.unreachable) {
        break; // the others would only meet the same refused connection
      }
      // written alone, so a change the writer keeps refusing cannot fail the others with it
      WriterCalls.Result r = writer.write(List.of(s), stats::error, this::beforeWriterCall);
      if (r.ok()) {
        outcome.succeeded.add(s);
      } else {
        outcome.failedAlone.put(s, r);
        outcome.error = r.error;
        outcome.unreachable |= r.unreachable;
      }
    }
    List<Coalesced.Change> settled = new ArrayList<>(outcome.succeeded);
    boolean databaseWorks = !outcome.succeeded.isEmpty();
    // the database looks down when the ordinary changes all failed
    boolean systemic = !databaseWorks && !main.isEmpty();
    for (Map.Entry<Coalesced.Change, WriterCalls.Result> f : outcome.failedAlone.entrySet()) {
      ByteBuffer key = ByteBuffer.wrap(f.getKey().key);
      boolean suspect = attempts.containsKey(key);
      // a failure that says the database cannot be reached is nobody's fault: with only suspects
      // in the batch there is no other change to tell an outage from a bad change. One that says
      // the data is refused is the change's own, even with nothing written beside it
      WriterCalls.Result failure = f.getValue();
      boolean charged =
          !failure.unreachable && (failure.refusedData || (suspect ? !systemic : databaseWorks));
      if (charged) {
        int n = attempts.merge(key, 1, Integer::sum);
        if (n >= settings.retryLimit()) {
          for (QueuedRecord r : f.getKey().records) {
            queue.deadLetter(partition, r, f.getValue().error, n, settings.deadLetterLimit());
          }
          LOG.warn(
              "Write-behind cache '{}', partition {}: moved {} record(s) of one key to the dead"
                  + " letters after {} failed writes; last error: {}",
              queue.layout().cacheName(),
              partition,
              f.getKey().records.size(),
              n,
              f.getValue().error);
          settled.add(f.getKey());
        }
      }
    }
    if (outcome.error != null) {
      stats.error(outcome.error);
    }
    if (!settled.isEmpty() && !acknowledge(settled)) {
      return false;
    }
    // settled holds the dead-lettered changes too: RecordsFlushed counts the records the writer
    // wrote (dead letters have their own count)
    stats.recordsFlushed.add(countRecords(outcome.succeeded));
    stats.coalesced.add(countCoalesced(settled));
    int failed = coalesced.changes().size() - settled.size();
    if (failed > 0) {
      stats.retries.add(failed);
      // rounds that settle nothing (an outage) back off further and further; one that settled
      // something starts again from the initial delay, so refused changes among good ones do not
      // slow the partition down to one batch per maximum backoff
      failuresInARow = settled.isEmpty() ? failuresInARow + 1 : 1;
      long backoff =
          Math.min(
              settings.maxBackoff().toMillis(),
              settings.initialBackoff().toMillis() << Math.min(20, failuresInARow - 1));
      notBefore = now + (long) (backoff * (0.5 + ThreadLocalRandom.current().nextDouble()));
    } else {
      failuresInARow = 0;
      notBefore = 0;
    }
    if (batch.size() < settings.batchSize()) {
      windowOpenedAt = 0; // the queue is drained: the next record opens a new window
    }
    // else a backlog remains, as old as this window: its next batch is due at once
    return true;
  }

  /** Acknowledges every record of the settled changes; false if the lease was lost meanwhile. */
  private boolean acknowledge(List<Coalesced.Change> settled) {
    List<String> ids = new ArrayList<>();
    Map<byte[], String> lastIds = new LinkedHashMap<>();
    for (Coalesced.Change c : settled) {
      for (QueuedRecord r : c.records) {
        ids.add(r.id);
      }
      lastIds.put(c.key, c.lastId());
    }
    String token = leaseToken; // dropped by the coordinator during the writer's call: not ours
    if (token == null
        || !queue.acknowledge(partition, token, ids, lastIds, graceMillis.getAsLong())) {
      return false;
    }
    Set<String> done = new HashSet<>(ids);
    carried.removeIf(r -> done.contains(r.id));
    for (Coalesced.Change c : settled) {
      attempts.remove(ByteBuffer.wrap(c.key));
    }
    return true;
  }

  private static long countRecords(List<Coalesced.Change> changes) {
    long n = 0;
    for (Coalesced.Change c : changes) {
      n += c.records.size();
    }
    return n;
  }

  private static long countCoalesced(List<Coalesced.Change> settled) {
    long n = 0;
    for (Coalesced.Change c : settled) {
      n += c.records.size() - 1;
    }
    return n;
  }

  /** What a flush attempt achieved. */
  private static final class Outcome {
    final List<Coalesced.Change> succeeded = new ArrayList<>();

    /** Changes that failed when written alone, and the failure. */
    final Map<Coalesced.Change, WriterCalls.Result> failedAlone = new LinkedHashMap<>();

    String error;

    /** A call failed for want of a connection: the round stopped there. */
    boolean unreachable;
  }

  /**
   * Writes the changes; if several fail, splits them in halves to find the ones that fail on their
   * own. Depth first, so single changes are reached within about 2·log2(n) calls, and shuffled, so
   * a round that found nothing is not repeated alike. While nothing of the round has succeeded, at
   * most about 2·log2(n) calls (an outage costs a few calls per attempt, not one per key); once
   * something has, every failed half is split down to single changes (at most 2n calls in all), so
   * however many changes are refused the rest is written and the refused ones are told apart. A
   * failure that says the database cannot be reached ends the round.
   */
  private void isolate(List<Coalesced.Change> changes, Outcome outcome) {
    WriterCalls.Result first = writer.write(changes, stats::error, this::beforeWriterCall);
    record(changes, first, outcome);
    if (first.ok() || outcome.unreachable) {
      return;
    }
    if (first.failed.size() == 1) {
      outcome.failedAlone.put(first.failed.get(0), first);
      return;
    }
    List<Coalesced.Change> failed = new ArrayList<>(first.failed);
    Collections.shuffle(failed, ThreadLocalRandom.current());
    int blindBudget = 2 * (32 - Integer.numberOfLeadingZeros(failed.size())) + 2;
    ArrayDeque<List<Coalesced.Change>> stack = new ArrayDeque<>();
    stack.push(failed);
    while (!stack.isEmpty() && (blindBudget > 0 || !outcome.succeeded.isEmpty())) {
      List<Coalesced.Change> set = stack.pop();
      if (set.size() == 1) {
        WriterCalls.Result r = writer.write(set, stats::error, this::beforeWriterCall);
        blindBudget--;
        record(set, r, outcome);
        if (outcome.unreachable) {
          return;
        }
        if (!r.ok()) {
          outcome.failedAlone.put(set.get(0), r);
        }
        continue;
      }
      int half = set.size() / 2;
      for (List<Coalesced.Change> part :
          List.of(set.subList(half, set.size()), set.subList(0, half))) {
        WriterCalls.Result r = writer.write(part, stats::error, this::beforeWriterCall);
        blindBudget--;
        record(part, r, outcome);
        if (outcome.unreachable) {
          return;
        }
        if (!r.ok()) {
          stack.push(r.failed);
        }
      }
    }
  }

  private void record(List<Coalesced.Change> attempted, WriterCalls.Result r, Outcome outcome) {
    Set<Coalesced.Change> failed = Collections.newSetFromMap(new IdentityHashMap<>());
    failed.addAll(r.failed);
    for (Coalesced.Change c : attempted) {
      if (!failed.contains(c)) {
        outcome.succeeded.add(c);
      }
    }
    if (!r.ok()) {
      outcome.error = r.error;
      outcome.unreachable |= r.unreachable;
    } else {
      stats.batchesFlushed.increment();
    }
  }

  /** Claimed and own-pending reads may overlap; keep each record once, in stream order. */
  private void dedupe() {
    Map<String, QueuedRecord> byId = new TreeMap<>(QueueStore.ID_ORDER);
    for (QueuedRecord r : carried) {
      byId.put(r.id, r);
    }
    carried.clear();
    carried.addAll(byId.values());
  }
}
