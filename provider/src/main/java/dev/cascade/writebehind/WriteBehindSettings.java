package dev.cascade.writebehind;

import java.io.Serializable;
import java.time.Duration;

/**
 * How one cache writes behind: batching, bounds, retries, leases, timeouts. Immutable; built by
 * {@link WriteBehind}. Every default is a named constant, documented once here.
 */
public final class WriteBehindSettings implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Records per writer call, at most. */
  public static final int DEFAULT_BATCH_SIZE = 500;

  /** How long a record may wait for its batch to fill before it is flushed anyway. */
  public static final Duration DEFAULT_MAX_DELAY = Duration.ofMillis(200);

  /** Records a cache's queue may hold (split evenly over its partitions); 0 means unbounded. */
  public static final int DEFAULT_MAX_QUEUE_LENGTH = 1_000_000;

  public static final Overflow DEFAULT_OVERFLOW = Overflow.BLOCK;

  /** How long {@link Overflow#BLOCK} waits for room before it fails. */
  public static final Duration DEFAULT_OVERFLOW_TIMEOUT = Duration.ofSeconds(10);

  /** Attempts of a record the writer rejects on its own before it goes to the dead letters. */
  public static final int DEFAULT_RETRY_LIMIT = 5;

  /**
   * About how many dead letters a cache keeps ({@code MAXLEN ~}); older ones are trimmed. Ten
   * thousand holds every poison record of a bad deploy or a wrong migration for an operator to look
   * at and replay, while a writer that rejects everything (a misconfigured table) cannot fill Redis
   * with them: with 1 KB values and a 500-character error about 15 MB at most.
   */
  public static final int DEFAULT_DEAD_LETTER_LIMIT = 10_000;

  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);

  /** How long a flush lease lives unless renewed; a dead flusher's partitions free up after it. */
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(10);

  /**
   * How long records read by another flusher must stay unacknowledged before this one claims them:
   * the time a flusher that lost its lease has to finish a writer call it had started.
   */
  public static final Duration DEFAULT_CLAIM_IDLE = Duration.ofSeconds(15);

  /**
   * A writer call that has not returned after this long is reported and interrupted. Must be
   * shorter than {@link #DEFAULT_CLAIM_IDLE claimIdle}: a call still running when another flusher
   * may claim its records could land after newer writes of the same keys.
   */
  public static final Duration DEFAULT_WRITER_TIMEOUT = Duration.ofSeconds(10);

  /** How long {@code CacheManager.close()} keeps flushing this JVM's partitions. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Threads per JVM and cache that call the writer (partitions are flushed in parallel; a writer
   * call mostly waits for the database, so more threads than cores keep it busy).
   */
  public static final int DEFAULT_FLUSH_THREADS = 4;

  /**
   * Replicas that must acknowledge a change before it returns: none (a change returns once the
   * master has it).
   */
  public static final int DEFAULT_REPLICA_ACKS = 0;

  /** How long a change waits for its replicas when {@link WriteBehind#replicaAck} asks for them. */
  public static final Duration DEFAULT_REPLICA_ACK_TIMEOUT = Duration.ofSeconds(1);

  final int batchSize;
  final Duration maxDelay;
  final int maxQueueLength;
  final Overflow overflow;
  final Duration overflowTimeout;
  final int retryLimit;
  final int deadLetterLimit;
  final Duration initialBackoff;
  final Duration maxBackoff;
  final Duration leaseTtl;
  final Duration claimIdle;
  final Duration writerTimeout;
  final Duration drainTimeout;
  final int flushThreads;
  final Integer partitions;
  final int replicaAcks;
  final Duration replicaAckTimeout;

  WriteBehindSettings(WriteBehind<?, ?> b) {
    this.batchSize = b.batchSize;
    this.maxDelay = b.maxDelay;
    this.maxQueueLength = b.maxQueueLength;
    this.overflow = b.overflow;
    this.overflowTimeout = b.overflowTimeout;
    this.retryLimit = b.retryLimit;
    this.deadLetterLimit = b.deadLetterLimit;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.leaseTtl = b.leaseTtl;
    this.claimIdle = b.claimIdle;
    this.writerTimeout = b.writerTimeout;
    this.drainTimeout = b.drainTimeout;
    this.flushThreads = b.flushThreads;
    this.partitions = b.partitions;
    this.replicaAcks = b.replicaAcks;
    this.replicaAckTimeout = b.replicaAckTimeout;
    if (writerTimeout.compareTo(claimIdle) >= 0) {
      throw new IllegalArgumentException(
          "writerTimeout ("
              + writerTimeout.toMillis()
              + " ms) must be shorter than"
              + " claimIdle ("
              + claimIdle.toMillis()
              + " ms): when a flusher loses its lease, another claims its"
              + " records after claimIdle and writes newer values of their keys, so a writer call still running then"
              + " could land after them. Shorten writerTimeout (and the writer's own timeouts) or lengthen claimIdle");
    }
  }

  public int batchSize() {
    return batchSize;
  }

  public Duration maxDelay() {
    return maxDelay;
  }

  public int maxQueueLength() {
    return maxQueueLength;
  }

  /** The bound of one partition's queue: the cache's bound split evenly, 0 when unbounded. */
  public int partitionBound(int partitionCount) {
    return maxQueueLength == 0
        ? 0
        : Math.max(1, (maxQueueLength + partitionCount - 1) / partitionCount);
  }

  public Overflow overflow() {
    return overflow;
  }

  public Duration overflowTimeout() {
    return overflowTimeout;
  }

  public int retryLimit() {
    return retryLimit;
  }

  /** About how many dead letters the cache keeps: {@code XADD MAXLEN ~} this many. */
  public int deadLetterLimit() {
    // 0 in settings serialized before the field existed
    return deadLetterLimit > 0 ? deadLetterLimit : DEFAULT_DEAD_LETTER_LIMIT;
  }

  public Duration initialBackoff() {
    return initialBackoff;
  }

  public Duration maxBackoff() {
    return maxBackoff;
  }

  public Duration leaseTtl() {
    return leaseTtl;
  }

  public Duration claimIdle() {
    return claimIdle;
  }

  public Duration writerTimeout() {
    return writerTimeout;
  }

  public Duration drainTimeout() {
    return drainTimeout;
  }

  public int flushThreads() {
    return flushThreads;
  }

  /**
   * Replicas that must acknowledge each change before it returns; 0 when changes do not wait for
   * replicas.
   */
  public int replicaAcks() {
    return replicaAcks;
  }

  public Duration replicaAckTimeout() {
    // null in settings serialized before the field existed
    return replicaAckTimeout == null ? DEFAULT_REPLICA_ACK_TIMEOUT : replicaAckTimeout;
  }

  /** Partitions the cache should have, or null to leave it to the cache's configuration. */
  public Integer partitions() {
    return partitions;
  }

  @Override
  public String toString() {
    return "WriteBehind{batchSize="
        + batchSize
        + ", maxDelay="
        + maxDelay
        + ", maxQueueLength="
        + maxQueueLength
        + ", overflow="
        + overflow
        + ", retryLimit="
        + retryLimit
        + ", deadLetterLimit="
        + deadLetterLimit()
        + ", leaseTtl="
        + leaseTtl
        + ", claimIdle="
        + claimIdle
        + ", writerTimeout="
        + writerTimeout
        + ", drainTimeout="
        + drainTimeout
        + (replicaAcks > 0 ? ", replicaAck=" + replicaAcks + " within " + replicaAckTimeout : "")
        + "}";
  }
}
