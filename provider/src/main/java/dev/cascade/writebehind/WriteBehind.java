package dev.cascade.writebehind;

import dev.cascade.internal.config.Durations;
import dev.cascade.internal.writebehind.WriteBehindWriter;
import java.time.Duration;
import java.util.Objects;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;

/**
 * Makes a cache write behind: wraps your own {@link CacheWriter} factory; use the result where a
 * writer factory goes, on a plain configuration with write-through on.
 *
 * <pre>{@code
 * new MutableConfiguration<Long, Product>()
 *     .setWriteThrough(true)
 *     .setCacheWriterFactory(WriteBehind.of(ProductWriter::new)
 *         .batchSize(500)
 *         .maxDelay(Duration.ofMillis(200))
 *         .build());
 * }</pre>
 *
 * A change then returns once the entry and its queue record are in Redis, in one atomic step;
 * flushers (in every JVM that has the cache open with this writer) call your writer's {@code
 * writeAll}/{@code deleteAll} in batches, in each key's order, and forget records only after the
 * writer returned. See {@link WriteBehindSettings} for every setting's default.
 */
public final class WriteBehind<K, V> {

  final Factory<? extends CacheWriter<? super K, ? super V>> writerFactory;
  int batchSize = WriteBehindSettings.DEFAULT_BATCH_SIZE;
  Duration maxDelay = WriteBehindSettings.DEFAULT_MAX_DELAY;
  int maxQueueLength = WriteBehindSettings.DEFAULT_MAX_QUEUE_LENGTH;
  Overflow overflow = WriteBehindSettings.DEFAULT_OVERFLOW;
  Duration overflowTimeout = WriteBehindSettings.DEFAULT_OVERFLOW_TIMEOUT;
  int retryLimit = WriteBehindSettings.DEFAULT_RETRY_LIMIT;
  int deadLetterLimit = WriteBehindSettings.DEFAULT_DEAD_LETTER_LIMIT;
  Duration initialBackoff = WriteBehindSettings.DEFAULT_INITIAL_BACKOFF;
  Duration maxBackoff = WriteBehindSettings.DEFAULT_MAX_BACKOFF;
  Duration leaseTtl = WriteBehindSettings.DEFAULT_LEASE_TTL;
  Duration claimIdle = WriteBehindSettings.DEFAULT_CLAIM_IDLE;
  Duration writerTimeout = WriteBehindSettings.DEFAULT_WRITER_TIMEOUT;
  Duration drainTimeout = WriteBehindSettings.DEFAULT_DRAIN_TIMEOUT;
  int flushThreads = WriteBehindSettings.DEFAULT_FLUSH_THREADS;
  Integer partitions;
  int replicaAcks = WriteBehindSettings.DEFAULT_REPLICA_ACKS;
  Duration replicaAckTimeout = WriteBehindSettings.DEFAULT_REPLICA_ACK_TIMEOUT;

  private WriteBehind(Factory<? extends CacheWriter<? super K, ? super V>> writerFactory) {
    this.writerFactory = Objects.requireNonNull(writerFactory, "writerFactory");
  }

  /**
   * @param writerFactory makes your writer (it must be Serializable, as JCache factories are)
   */
  public static <K, V> WriteBehind<K, V> of(
      Factory<? extends CacheWriter<? super K, ? super V>> writerFactory) {
    return new WriteBehind<>(writerFactory);
  }

  public WriteBehind<K, V> batchSize(int batchSize) {
    this.batchSize = positive(batchSize, "batchSize");
    return this;
  }

  public WriteBehind<K, V> maxDelay(Duration maxDelay) {
    this.maxDelay = positive(maxDelay, "maxDelay");
    return this;
  }

  /** Records the cache's queue may hold, split evenly over its partitions; 0 = unbounded. */
  public WriteBehind<K, V> maxQueueLength(int maxQueueLength) {
    if (maxQueueLength < 0) {
      throw new IllegalArgumentException(
          "maxQueueLength must be 0 (unbounded) or positive, not " + maxQueueLength);
    }
    this.maxQueueLength = maxQueueLength;
    return this;
  }

  /**
   * What a change does when its partition's queue is full; {@code timeout} bounds {@link
   * Overflow#BLOCK}.
   */
  public WriteBehind<K, V> overflow(Overflow overflow, Duration timeout) {
    this.overflow = Objects.requireNonNull(overflow, "overflow");
    this.overflowTimeout = positive(timeout, "overflow timeout");
    return this;
  }

  public WriteBehind<K, V> overflow(Overflow overflow) {
    return overflow(overflow, overflowTimeout);
  }

  /**
   * Attempts of a record the writer rejects (while it accepts others) before it becomes a dead
   * letter.
   */
  public WriteBehind<K, V> retryLimit(int retryLimit) {
    this.retryLimit = positive(retryLimit, "retryLimit");
    return this;
  }

  /**
   * About how many dead letters the cache keeps ({@code XADD MAXLEN ~ n} on {@code
   * cascade:<cache>#dead}): when more records are dead-lettered, the oldest go (Redis trims whole
   * stream nodes, so the stream may hold some more), with a WARNING. Bounds the memory a writer
   * that rejects everything can take, while the letters wait to be replayed or purged ({@link
   * dev.cascade.CascadeAdmin}, the {@code cascade} command line).
   *
   * @param deadLetterLimit at least 1; default {@value
   *     WriteBehindSettings#DEFAULT_DEAD_LETTER_LIMIT}
   */
  public WriteBehind<K, V> deadLetterLimit(int deadLetterLimit) {
    this.deadLetterLimit = positive(deadLetterLimit, "deadLetterLimit");
    return this;
  }

  /**
   * Exponential backoff between failed attempts, with jitter, from {@code initial} up to {@code
   * max}.
   */
  public WriteBehind<K, V> backoff(Duration initial, Duration max) {
    this.initialBackoff = positive(initial, "initial backoff");
    this.maxBackoff = positive(max, "max backoff");
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "max backoff " + max + " is shorter than the initial backoff " + initial);
    }
    return this;
  }

  public WriteBehind<K, V> leaseTtl(Duration leaseTtl) {
    this.leaseTtl = positive(leaseTtl, "leaseTtl");
    return this;
  }

  /** How long another flusher's unacknowledged records must be idle before they are claimed. */
  public WriteBehind<K, V> claimIdle(Duration claimIdle) {
    this.claimIdle = positive(claimIdle, "claimIdle");
    return this;
  }

  /**
   * How long a writer call may run before it is reported and interrupted; its partition then waits
   * for the call to return (the flusher's other partitions go on). Must be shorter than {@link
   * #claimIdle}, checked by {@link #build()}: keep the writer's own timeouts (a JDBC query timeout)
   * below it too, as an interrupt does not end every call.
   */
  public WriteBehind<K, V> writerTimeout(Duration writerTimeout) {
    this.writerTimeout = positive(writerTimeout, "writerTimeout");
    return this;
  }

  public WriteBehind<K, V> drainTimeout(Duration drainTimeout) {
    if (drainTimeout == null || drainTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "drainTimeout must be zero or positive, not " + drainTimeout);
    }
    this.drainTimeout = drainTimeout;
    return this;
  }

  public WriteBehind<K, V> flushThreads(int flushThreads) {
    this.flushThreads = positive(flushThreads, "flushThreads");
    return this;
  }

  /** Partitions of the cache (each has its own queue and is flushed by one flusher at a time). */
  public WriteBehind<K, V> partitions(int partitions) {
    if (partitions < 1 || partitions > 16384) {
      throw new IllegalArgumentException(
          "partitions must be between 1 and 16384, not " + partitions);
    }
    this.partitions = partitions;
    return this;
  }

  /**
   * Makes every change return only once {@code replicas} replicas of its Redis master have it (and
   * its queue record): Cascade sends {@code WAIT replicas timeout} right after the change, on a
   * connection of its own to that master. Without it, a change returns once the master has it, and
   * a master that dies before replicating it takes the change with it, although the caller was told
   * it succeeded.
   *
   * <p>If fewer replicas acknowledge within {@code timeout}, the change fails with a {@link
   * javax.cache.CacheException} saying that it is applied on the master but not replicated: the
   * change stays (and will be written behind unless a failover loses it), and repeating a put or
   * remove is safe. Conditional changes ({@code putIfAbsent}, {@code replace}) see their own first
   * attempt when repeated.
   *
   * <pre>{@code
   * WriteBehind.of(ProductWriter::new)
   *     .replicaAck(1, Duration.ofSeconds(1))   // at least one replica, or an exception
   *     .build();
   * }</pre>
   *
   * Costs one more round trip to the master plus the replica's acknowledgement per change (a {@code
   * putAll} pays it once per master); while a replica is missing, every change waits the full
   * timeout and then fails. The setting applies to the changes this JVM makes; a JVM that opens the
   * cache without this writer does not wait.
   *
   * @param replicas replicas that must acknowledge, at least 1 (0 turns acknowledgement off)
   * @param timeout how long to wait for them, at least 1 ms
   */
  public WriteBehind<K, V> replicaAck(int replicas, Duration timeout) {
    if (replicas < 0) {
      throw new IllegalArgumentException("replicas must be 0 (off) or positive, not " + replicas);
    }
    this.replicaAckTimeout = positive(timeout, "replica acknowledgement timeout");
    this.replicaAcks = replicas;
    return this;
  }

  /**
   * The writer factory to put on the cache's configuration.
   *
   * @throws IllegalArgumentException when {@code writerTimeout} is not shorter than {@code
   *     claimIdle}
   */
  public Factory<CacheWriter<K, V>> build() {
    return new WriteBehindFactory<>(writerFactory, new WriteBehindSettings(this));
  }

  /** The settings of a writer factory {@link #build()} made, or null for any other factory. */
  public static WriteBehindSettings settingsOf(Factory<?> writerFactory) {
    return writerFactory instanceof WriteBehindFactory
        ? ((WriteBehindFactory<?, ?>) writerFactory).settings
        : null;
  }

  /** Serializable as JCache requires of factories (so is the wrapped factory, by contract). */
  static final class WriteBehindFactory<K, V> implements Factory<CacheWriter<K, V>> {
    private static final long serialVersionUID = 1L;
    private final Factory<? extends CacheWriter<? super K, ? super V>> writerFactory;
    private final WriteBehindSettings settings;

    WriteBehindFactory(
        Factory<? extends CacheWriter<? super K, ? super V>> writerFactory,
        WriteBehindSettings settings) {
      this.writerFactory = writerFactory;
      this.settings = settings;
    }

    @Override
    public CacheWriter<K, V> create() {
      return new WriteBehindWriter<>(writerFactory.create(), settings);
    }
  }

  private static int positive(int value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be positive, not " + value);
    }
    return value;
  }

  private static Duration positive(Duration value, String name) {
    return Durations.requirePositive(value, name);
  }
}
