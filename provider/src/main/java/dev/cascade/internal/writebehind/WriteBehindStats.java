package dev.cascade.internal.writebehind;

import dev.cascade.internal.store.QueueStore;
import dev.cascade.writebehind.WriteBehindMXBean;
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

  WriteBehindStats(QueueStore queue, IntSupplier partitionsHeld, LongSupplier replacedInQueue) {
    this.queue = queue;
    this.partitionsHeld = partitionsHeld;
    this.replacedInQueue = replacedInQueue;
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
    return oldest < 0 ? 0 : Math.max(0, System.currentTimeMillis() - oldest);
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
}
