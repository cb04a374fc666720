package dev.cascade.internal.writebehind;

import dev.cascade.CascadeAdmin.DeadLetter;
import dev.cascade.CascadeAdmin.Replay;
import dev.cascade.internal.admin.Administration;
import dev.cascade.internal.store.QueueStore;
import dev.cascade.writebehind.WriteBehindMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The numbers of {@link WriteBehindMXBean}: counters this JVM keeps, and the queue read from Redis.
 */
final class WriteBehindStats implements WriteBehindMXBean {

  final LongAdder recordsFlushed = new LongAdder();
  final LongAdder batchesFlushed = new LongAdder();
  final LongAdder coalesced = new LongAdder();
  final LongAdder retries = new LongAdder();
  private final QueueStore queue;
  private final IntSupplier partitionsHeld;
  private final LongSupplier replacedInQueue;
  private volatile String lastError = "";
  private volatile Administration administration;

  WriteBehindStats(QueueStore queue, IntSupplier partitionsHeld, LongSupplier replacedInQueue) {
    this.queue = queue;
    this.partitionsHeld = partitionsHeld;
    this.replacedInQueue = replacedInQueue;
  }

  /** Where the dead-letter operations go (set once the cache is assembled). */
  void administeredBy(Administration administration) {
    this.administration = administration;
  }

  void error(String message) {
    lastError = message == null ? "" : message;
  }

  @Override
  public long getQueueDepth() {
    return queue.depth();
  }

  @Override
  public long getOldestPendingAgeMillis() {
    long oldest = queue.oldestAppendedAt();
    // the oldest record's stream id is Redis's time
    return oldest < 0 ? 0 : Math.max(0, queue.redisNow() - oldest);
  }

  @Override
  public long getRecordsFlushed() {
    return recordsFlushed.sum();
  }

  @Override
  public long getBatchesFlushed() {
    return batchesFlushed.sum();
  }

  @Override
  public long getRecordsCoalesced() {
    return coalesced.sum() + replacedInQueue.getAsLong();
  }

  @Override
  public long getRetries() {
    return retries.sum();
  }

  @Override
  public long getDeadLetters() {
    return queue.deadLetterCount();
  }

  @Override
  public String getLastError() {
    return lastError;
  }

  @Override
  public int getPartitionsHeld() {
    return partitionsHeld.getAsInt();
  }

  @Override
  public String getEvictionRisk() {
    return queue.evictionRisk();
  }

  // ------------------------------------------------------------------ dead letters

  @Override
  public String[] listDeadLetters(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be positive, not " + max);
    }
    List<String> lines = new ArrayList<>();
    for (DeadLetter d : administration().deadLetters(cache(), max)) {
      lines.add(
          d.id()
              + " key="
              + d.key()
              + (d.delete() ? " delete" : " put value=" + d.value())
              + " attempts="
              + d.attempts()
              + " error="
              + firstLine(d.error()));
    }
    return lines.toArray(new String[0]);
  }

  @Override
  public String[] replayDeadLetters(String ids) {
    return lines(administration().replay(cache(), idList(ids)));
  }

  @Override
  public String[] replayAllDeadLetters() {
    return lines(administration().replayAll(cache()));
  }

  @Override
  public long purgeDeadLetters(String ids) {
    return administration().purge(cache(), idList(ids));
  }

  @Override
  public long purgeAllDeadLetters() {
    return administration().purgeAll(cache());
  }

  private Administration administration() {
    Administration a = administration;
    if (a == null) {
      throw new IllegalStateException(
          "The dead-letter operations of " + cache() + " are not ready");
    }
    return a;
  }

  private String cache() {
    return queue.layout().cacheName();
  }

  private static List<String> idList(String ids) {
    if (ids == null || ids.isBlank()) {
      throw new IllegalArgumentException("No dead-letter ids given (separate them with commas)");
    }
    List<String> out = new ArrayList<>();
    for (String id : Arrays.asList(ids.trim().split("[,\\s]+"))) {
      if (!QueueStore.STREAM_ID.matcher(id).matches()) {
        throw new IllegalArgumentException(
            "'"
                + id
                + "' is not a dead-letter id (<milliseconds>-<sequence> without leading zeros, as"
                + " Redis writes it)");
      }
      out.add(id);
    }
    return out;
  }

  private static String[] lines(List<Replay> replays) {
    List<String> lines = new ArrayList<>();
    for (Replay r : replays) {
      lines.add(r.id() + " key=" + r.key() + " " + r.result() + ": " + r.detail());
    }
    return lines.toArray(new String[0]);
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int nl = text.indexOf('\n');
    return nl < 0 ? text : text.substring(0, nl);
  }
}
