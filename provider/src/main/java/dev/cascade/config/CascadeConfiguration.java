package dev.cascade.config;

import dev.cascade.codec.CodecProvider;
import dev.cascade.codec.SerializationLimits;
import dev.cascade.internal.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Factory;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;

/**
 * A {@link javax.cache.configuration.MutableConfiguration} with Cascade's own settings. Use it
 * where a plain {@code MutableConfiguration} goes; every setter returns this type, so calls chain.
 *
 * <pre>{@code
 * cacheManager.createCache("users", new CascadeConfiguration<Long, User>()
 *     .setTypes(Long.class, User.class)
 *     .setPartitions(32)
 *     .allowDeserialization("com.acme.users.**"));
 * }</pre>
 *
 * Settings left unset fall back to the CacheManager's properties, then to the defaults below.
 */
public class CascadeConfiguration<K, V> extends MutableConfiguration<K, V> {

  private static final long serialVersionUID = 1L;

  /** Entries of a cache spread over this many partitions (hash slots of a cluster) by default. */
  public static final int DEFAULT_PARTITIONS = 16;

  /** How long a write-through lock lives if its holder dies without releasing it. */
  public static final Duration DEFAULT_LOCK_LEASE = Duration.ofSeconds(30);

  /** How long an operation waits for a write-through lock held elsewhere before it fails. */
  public static final Duration DEFAULT_LOCK_WAIT = Duration.ofSeconds(60);

  /**
   * How long Redis keeps an expired entry while some JVM listens for EXPIRED events, so the next
   * access can still see it and report it.
   */
  public static final Duration DEFAULT_EXPIRED_EVENT_GRACE = Duration.ofSeconds(30);

  /** How long a write-through change waits for its replicas by default ({@link #setReplicaAck}). */
  public static final Duration DEFAULT_REPLICA_ACK_TIMEOUT = Duration.ofSeconds(1);

  private Integer partitions;
  private List<String> deserializationAllowList = new ArrayList<>();
  private Duration lockLease;
  private Duration lockWait;
  private Integer nearCacheMaxEntries;
  private SerializationLimits deserializationLimits;
  private String codecName;
  private int replicaAcks;
  private Duration replicaAckTimeout = DEFAULT_REPLICA_ACK_TIMEOUT;

  /**
   * Whether statistics (management) were set on this configuration, not left at JCache's default: a
   * choice made for this cache wins over the manager-wide {@code cascade.statistics} ({@code
   * cascade.management}), which only fills in for caches that did not say.
   */
  private boolean statisticsSet;

  private boolean managementSet;

  /** Not serialized: a configuration read back finds its provider again by {@link #codecName}. */
  private transient CodecProvider codecProvider;

  public CascadeConfiguration() {}

  /** A copy of any complete configuration, and of Cascade's settings when it is one of ours. */
  public CascadeConfiguration(CompleteConfiguration<K, V> configuration) {
    super(configuration);
    if (configuration instanceof CascadeConfiguration) {
      CascadeConfiguration<K, V> other = (CascadeConfiguration<K, V>) configuration;
      this.partitions = other.partitions;
      this.deserializationAllowList = new ArrayList<>(other.deserializationAllowList);
      this.lockLease = other.lockLease;
      this.lockWait = other.lockWait;
      this.nearCacheMaxEntries = other.nearCacheMaxEntries;
      this.deserializationLimits = other.deserializationLimits;
      this.codecName = other.codecName;
      this.codecProvider = other.codecProvider;
      this.replicaAcks = other.replicaAcks;
      this.replicaAckTimeout = other.replicaAckTimeout;
      this.statisticsSet = other.statisticsSet;
      this.managementSet = other.managementSet;
    }
  }

  /** Null when not set here (the CacheManager's default applies). */
  public Integer getPartitions() {
    return partitions;
  }

  /**
   * How many partitions the cache's entries spread over: on a Redis Cluster, each partition is one
   * hash slot, so more partitions spread a cache over more nodes; write-behind flushes partitions
   * in parallel. Fixed when the cache is first created in Redis.
   */
  public CascadeConfiguration<K, V> setPartitions(int partitions) {
    if (partitions < 1 || partitions > 16384) {
      throw new IllegalArgumentException(
          "partitions must be between 1 and 16384, not " + partitions);
    }
    this.partitions = partitions;
    return this;
  }

  public List<String> getDeserializationAllowList() {
    return Collections.unmodifiableList(deserializationAllowList);
  }

  /**
   * Lets Java deserialization create these classes from Redis ({@code com.acme.Product}, {@code
   * com.acme.*}, {@code com.acme.**}), beside the JDK value types, the declared key and value
   * types' packages and, unless {@code cascade.codec.strict=true}, the frameworks' cache classes
   * and the package of the application's main class (see {@code docs/security.md}). A cache another
   * JVM created and this one opens with {@code getCache(name)} has no configuration from this JVM's
   * code: it allows the JDK value types and the CacheManager's {@code cascade.codec.allow}
   * settings, never the types recorded in Redis ({@code getCache(name, K, V)} allows K and V).
   */
  public CascadeConfiguration<K, V> allowDeserialization(String... patterns) {
    Collections.addAll(deserializationAllowList, patterns);
    return this;
  }

  /** Null when not set here (the CacheManager's {@code cascade.codec.max-*} settings apply). */
  public SerializationLimits getDeserializationLimits() {
    return deserializationLimits;
  }

  /**
   * How large and deep a Java-serialized key or value read from Redis may be; replaces the
   * CacheManager's limits for this cache. Start from {@link SerializationLimits#DEFAULTS}: {@code
   * setDeserializationLimits(SerializationLimits.DEFAULTS.withMaxDepth(30))}.
   */
  public CascadeConfiguration<K, V> setDeserializationLimits(SerializationLimits limits) {
    if (limits == null) {
      throw new NullPointerException("limits is null");
    }
    this.deserializationLimits = limits;
    return this;
  }

  /**
   * The codec's name, or null when not set here (the CacheManager's {@code
   * cascade.cache.NAME.codec.name}, then {@code cascade.codec.name}, then {@code java} apply).
   */
  public String getCodecName() {
    return codecName;
  }

  /** The provider given to {@link #setCodec(CodecProvider)}, else null. */
  public CodecProvider getCodecProvider() {
    return codecProvider;
  }

  /**
   * How the cache's keys and values become bytes in Redis, by name: {@code java} (the default),
   * {@code json} (needs Jackson, {@code com.fasterxml.jackson.core:jackson-databind}, and declared
   * key and value types), the {@code name()} of a {@link CodecProvider} registered in {@code
   * META-INF/services}, or the class name of one. Recorded in Redis when the cache is created:
   * every JVM must open the cache with the same codec.
   *
   * <pre>{@code
   * new CascadeConfiguration<Long, User>().setTypes(Long.class, User.class).setCodec("json");
   * }</pre>
   */
  public CascadeConfiguration<K, V> setCodec(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("codec name is null or blank");
    }
    this.codecName = name.trim();
    this.codecProvider = null;
    return this;
  }

  /**
   * How the cache's keys and values become bytes in Redis: this provider, recorded in Redis by its
   * {@link CodecProvider#name()}.
   */
  public CascadeConfiguration<K, V> setCodec(CodecProvider provider) {
    if (provider == null) {
      throw new NullPointerException("codec provider is null");
    }
    String name = provider.name();
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(
          "CodecProvider " + provider.getClass().getName() + " has no name()");
    }
    this.codecName = name;
    this.codecProvider = provider;
    return this;
  }

  public Duration getLockLease() {
    return lockLease;
  }

  public CascadeConfiguration<K, V> setLockLease(Duration lockLease) {
    this.lockLease = positive(lockLease, "lockLease");
    return this;
  }

  public Duration getLockWait() {
    return lockWait;
  }

  public CascadeConfiguration<K, V> setLockWait(Duration lockWait) {
    this.lockWait = positive(lockWait, "lockWait");
    return this;
  }

  /** Replicas that must have a write-through change before it returns; 0 (the default): none. */
  public int getReplicaAcks() {
    return replicaAcks;
  }

  public Duration getReplicaAckTimeout() {
    // null when read back from a configuration serialized before the setting existed
    return replicaAckTimeout != null ? replicaAckTimeout : DEFAULT_REPLICA_ACK_TIMEOUT;
  }

  /**
   * For a write-through cache: a change returns only once {@code replicas} replicas of its Redis
   * master have it ({@code WAIT} after the change). Without it, a failover to a replica that had
   * not received a change yet serves the entry's previous value while the database holds the new
   * one, until the key is written again or expires (a read loads only what is absent). When fewer
   * replicas confirm within {@code timeout}, the change fails with a {@code CacheException} saying
   * so, and its entry is removed from the cache (the writer has written it). Costs a round trip per
   * change. 0 turns it off. A write-behind cache takes it from {@code WriteBehind.replicaAck}; a
   * cache without a writer refuses it.
   */
  public CascadeConfiguration<K, V> setReplicaAck(int replicas, Duration timeout) {
    if (replicas < 0) {
      throw new IllegalArgumentException("replicas must be 0 (off) or positive, not " + replicas);
    }
    this.replicaAckTimeout = positive(timeout, "replica acknowledgement timeout");
    this.replicaAcks = replicas;
    return this;
  }

  /** Null when not set here (the CacheManager's setting applies; none means no near cache). */
  public Integer getNearCacheMaxEntries() {
    return nearCacheMaxEntries;
  }

  /**
   * Keeps up to {@code maxEntries} recently read entries in this JVM, so reads of them need no
   * round trip; Redis tells every JVM when another client changes one (server-assisted client-side
   * caching), so a near cache never serves a value older than the latest change it was told of. 0
   * turns it off. Works on a standalone, Sentinel-managed or clustered Redis, with every expiry
   * policy: with an access expiry (accessed, touched, custom), a near hit extends the entry's TTL
   * in Redis without waiting for it, at most once per key per second (docs/design.md, "Near
   * cache").
   */
  public CascadeConfiguration<K, V> setNearCache(int maxEntries) {
    if (maxEntries < 0) {
      throw new IllegalArgumentException(
          "near cache size must be 0 (off) or positive, not " + maxEntries);
    }
    this.nearCacheMaxEntries = maxEntries;
    return this;
  }

  private static Duration positive(Duration value, String name) {
    return Durations.requirePositive(value, name);
  }

  // covariant setters, so a chain of calls keeps this type

  @Override
  public CascadeConfiguration<K, V> setTypes(Class<K> keyType, Class<V> valueType) {
    super.setTypes(keyType, valueType);
    return this;
  }

  @Override
  public CascadeConfiguration<K, V> addCacheEntryListenerConfiguration(
      CacheEntryListenerConfiguration<K, V> cacheEntryListenerConfiguration) {
    super.addCacheEntryListenerConfiguration(cacheEntryListenerConfiguration);
    return this;
  }

  @Override
  public CascadeConfiguration<K, V> removeCacheEntryListenerConfiguration(
      CacheEntryListenerConfiguration<K, V> cacheEntryListenerConfiguration) {
    super.removeCacheEntryListenerConfiguration(cacheEntryListenerConfiguration);
    return this;
  }

  @Override
  public CascadeConfiguration<K, V> setCacheLoaderFactory(
      Factory<? extends CacheLoader<K, V>> factory) {
    super.setCacheLoaderFactory(factory);
    return this;
  }

  @Override
  public CascadeConfiguration<K, V> setCacheWriterFactory(
      Factory<? extends CacheWriter<? super K, ? super V>> factory) {
    super.setCacheWriterFactory(factory);
    return this;
  }

  @Override
  public CascadeConfiguration<K, V> setExpiryPolicyFactory(
      Factory<? extends ExpiryPolicy> factory) {
    super.setExpiryPolicyFactory(factory);
    return this;
  }

  @Override
  public CascadeConfiguration<K, V> setReadThrough(boolean isReadThrough) {
    super.setReadThrough(isReadThrough);
    return this;
  }

  @Override
  public CascadeConfiguration<K, V> setWriteThrough(boolean isWriteThrough) {
    super.setWriteThrough(isWriteThrough);
    return this;
  }

  @Override
  public CascadeConfiguration<K, V> setStoreByValue(boolean isStoreByValue) {
    super.setStoreByValue(isStoreByValue);
    return this;
  }

  @Override
  public CascadeConfiguration<K, V> setStatisticsEnabled(boolean enabled) {
    super.setStatisticsEnabled(enabled);
    statisticsSet = true;
    return this;
  }

  /**
   * Whether {@link #setStatisticsEnabled} was called on this configuration (or the one it copies):
   * then its value is this cache's, whatever {@code cascade.statistics} says.
   */
  public boolean isStatisticsEnabledSet() {
    return statisticsSet;
  }

  @Override
  public CascadeConfiguration<K, V> setManagementEnabled(boolean enabled) {
    super.setManagementEnabled(enabled);
    managementSet = true;
    return this;
  }

  /** Like {@link #isStatisticsEnabledSet()}, for {@link #setManagementEnabled}. */
  public boolean isManagementEnabledSet() {
    return managementSet;
  }
}
