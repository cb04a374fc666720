package dev.cascade.internal.config;

import dev.cascade.writebehind.Overflow;
import dev.cascade.writebehind.WriteBehind;
import dev.cascade.writebehind.WriteBehindSettings;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;

/**
 * A declared cache's {@code write-behind} section: the {@link WriteBehind} builder's settings by
 * the same names, wrapped around the cache's writer (a class or {@code jdbc}). A value the builder
 * refuses fails with the section's file, line and key.
 */
final class DeclaredWriteBehind {

  static final List<String> KEYS =
      List.of(
          "batch-size",
          "max-delay",
          "max-queue-length",
          "overflow",
          "overflow-timeout",
          "retry-limit",
          "dead-letter-limit",
          "backoff",
          "lease-ttl",
          "claim-idle",
          "writer-timeout",
          "drain-timeout",
          "flush-threads",
          "partitions",
          "replica-ack");
  static final List<String> BACKOFF_KEYS = List.of("initial", "max");
  static final List<String> REPLICA_ACK_KEYS = List.of("replicas", "timeout");

  private DeclaredWriteBehind() {}

  @SuppressWarnings({"unchecked", "rawtypes"})
  static Factory<? extends CacheWriter> wrap(ConfigNode n, Factory<? extends CacheWriter> writer) {
    WriteBehind wb = WriteBehind.of((Factory) writer);
    Integer i;
    Duration d;
    try {
      if ((i = n.integer("batch-size", 1, Integer.MAX_VALUE)) != null) {
        wb.batchSize(i);
      }
      if ((d = n.positiveDuration("max-delay")) != null) {
        wb.maxDelay(d);
      }
      if ((i = n.integer("max-queue-length", 0, Integer.MAX_VALUE)) != null) {
        wb.maxQueueLength(i);
      }
      String overflow = n.choice("overflow", List.of("block", "fail", "write-through"));
      Duration overflowTimeout = n.positiveDuration("overflow-timeout");
      if (overflow != null || overflowTimeout != null) {
        wb.overflow(
            overflow == null
                ? WriteBehindSettings.DEFAULT_OVERFLOW
                : Overflow.valueOf(overflow.replace('-', '_').toUpperCase(Locale.ROOT)),
            overflowTimeout == null
                ? WriteBehindSettings.DEFAULT_OVERFLOW_TIMEOUT
                : overflowTimeout);
      }
      if ((i = n.integer("retry-limit", 1, Integer.MAX_VALUE)) != null) {
        wb.retryLimit(i);
      }
      if ((i = n.integer("dead-letter-limit", 1, Integer.MAX_VALUE)) != null) {
        wb.deadLetterLimit(i);
      }
      ConfigNode backoff = n.child("backoff");
      if (backoff != null) {
        Duration initial = backoff.positiveDuration("initial");
        Duration max = backoff.positiveDuration("max");
        wb.backoff(
            initial == null ? WriteBehindSettings.DEFAULT_INITIAL_BACKOFF : initial,
            max == null ? WriteBehindSettings.DEFAULT_MAX_BACKOFF : max);
      }
      if ((d = n.positiveDuration("lease-ttl")) != null) {
        wb.leaseTtl(d);
      }
      if ((d = n.positiveDuration("claim-idle")) != null) {
        wb.claimIdle(d);
      }
      if ((d = n.positiveDuration("writer-timeout")) != null) {
        wb.writerTimeout(d);
      }
      if ((d = n.duration("drain-timeout")) != null) {
        wb.drainTimeout(d);
      }
      if ((i = n.integer("flush-threads", 1, Integer.MAX_VALUE)) != null) {
        wb.flushThreads(i);
      }
      if ((i = n.integer("partitions", 1, 16384)) != null) {
        wb.partitions(i);
      }
      ConfigNode ack = n.child("replica-ack");
      if (ack != null) {
        readReplicaAck(ack, wb::replicaAck);
      }
      return wb.build();
    } catch (IllegalArgumentException e) {
      throw n.fail(e.getMessage(), e);
    }
  }

  /** What a {@code replica-ack} section sets: write-behind's or a write-through cache's. */
  interface ReplicaAck {
    void set(int replicas, Duration timeout);
  }

  /**
   * Reads a {@code replica-ack} section of a cache or of its write-behind: {@code replicas}
   * (default 1) and {@code timeout} (default 1 s, as in code).
   */
  static void readReplicaAck(ConfigNode ack, ReplicaAck to) {
    Integer replicas = ack.integer("replicas", 0, Integer.MAX_VALUE);
    Duration timeout = ack.positiveDuration("timeout");
    to.set(
        replicas == null ? 1 : replicas,
        timeout == null ? WriteBehindSettings.DEFAULT_REPLICA_ACK_TIMEOUT : timeout);
  }
}
