package dev.cascade.internal.engine;

import dev.cascade.codec.Codec;
import dev.cascade.codec.CodecProvider;
import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.codec.CacheCodecContext;
import dev.cascade.internal.codec.CodecProviders;
import dev.cascade.internal.codec.SerializationFilter;
import dev.cascade.internal.codec.ValueTags;
import dev.cascade.internal.config.ManagerSettings;
import dev.cascade.writebehind.WriteBehind;
import dev.cascade.writebehind.WriteBehindSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;

/**
 * The settings of one cache, resolved once when the cache opens: the user's configuration (copied,
 * so later changes to it have no effect), Cascade's settings from it or from the CacheManager, and
 * the defaults. Immutable except for what JCache lets change at run time (statistics, management
 * and listeners live in {@link dev.cascade.CascadeCache}).
 */
public final class CacheSettings<K, V> {

  /**
   * Bumped when the layout in Redis changes incompatibly. 2: partitions' hash tags spread evenly
   * over the cluster slots ({@code KeyLayout.hashTag}).
   */
  public static final String LAYOUT_VERSION = "2";

  /** The registry field naming the cache's codec; absent in records older than codecs: java. */
  static final String CODEC_FIELD = "codec";

  final String name;
  final Class<K> keyType;
  final Class<V> valueType;
  final boolean readThrough;
  public final boolean writeThrough;
  final int partitions;
  final SerializationFilter filter;

  /** Makes {@link #keyCodec} and {@link #valueCodec}; its name is recorded in the registry. */
  final CodecProvider codec;

  final Codec<K> keyCodec;
  final Codec<V> valueCodec;
  final Duration lockLease;
  final Duration lockWait;

  /** Write-behind settings when the writer factory is a {@link WriteBehind} one, else null. */
  public final WriteBehindSettings writeBehind;

  /**
   * Replicas that must have a change before it returns, and how long to wait for them: a
   * write-behind cache's from its {@link WriteBehind} settings, a write-through cache's from its
   * configuration; 0 for none.
   */
  final int replicaAcks;

  final Duration replicaAckTimeout;

  /**
   * The bound of each partition's write-behind queue: from {@link #writeBehind}, or (for a JVM that
   * joined a write-behind cache without its writer) from the registry; -1 when not write-behind.
   */
  final int queueBound;

  /** Entries the near cache keeps in this JVM; 0 for none. */
  final int nearCacheMaxEntries;

  /**
   * Statistics and the configuration MXBean at creation: on when the configuration or the manager's
   * settings ({@code cascade.statistics}, {@code cascade.cache.<name>.statistics}) say so.
   */
  final boolean statistics;

  final boolean management;

  /** The user's configuration as copied at creation; the template for {@code getConfiguration}. */
  final CascadeConfiguration<K, V> template;

  private CacheSettings(
      String name,
      CascadeConfiguration<K, V> c,
      ManagerSettings manager,
      int joinedQueueBound,
      boolean typesFromCaller) {
    this.name = name;
    this.template = c;
    this.keyType = c.getKeyType();
    this.valueType = c.getValueType();
    this.readThrough = c.isReadThrough();
    this.writeThrough = c.isWriteThrough();
    this.writeBehind =
        c.isWriteThrough() ? WriteBehind.settingsOf(c.getCacheWriterFactory()) : null;
    Integer wbPartitions = writeBehind == null ? null : writeBehind.partitions();
    if (wbPartitions != null
        && c.getPartitions() != null
        && !wbPartitions.equals(c.getPartitions())) {
      throw new IllegalArgumentException(
          "Cache '"
              + name
              + "' is given "
              + c.getPartitions()
              + " partitions by its configuration and "
              + wbPartitions
              + " by its WriteBehind writer; set one of them");
    }
    this.partitions =
        c.getPartitions() != null
            ? c.getPartitions()
            : wbPartitions != null ? wbPartitions : manager.partitions(name);
    this.queueBound =
        writeBehind != null ? writeBehind.partitionBound(partitions) : joinedQueueBound;
    boolean strict = manager.strict(name);
    SerializationFilter configured =
        SerializationFilter.defaults(strict, manager.applicationPackages())
            .forCache(name)
            .allowing(manager.allowList(name))
            .allowing(c.getDeserializationAllowList())
            .withLimits(
                c.getDeserializationLimits() != null
                    ? c.getDeserializationLimits()
                    : manager.serializationLimits(name));
    // types read from the registry are whatever was written to Redis: allowing them (and their
    // packages) would let anyone who can write the registry widen what this JVM deserializes
    this.filter =
        typesFromCaller
            ? configured.allowingPackageOf(keyType).allowingPackageOf(valueType)
            : configured;
    this.codec = codecOf(name, c, manager, typesFromCaller);
    // with a secret, Java-serialized values carry a tag; a verified one may hold any class (within
    // the limits), or only the allow-list in strict mode
    ValueTags tags = manager.valueTags();
    SerializationFilter verified =
        tags == null ? null : strict ? filter : filter.allowingAnyClass();
    // made here, before the cache is recorded in Redis: a codec that cannot serve the declared
    // types (json with Object) must refuse the cache, not leave a record behind
    CacheCodecContext context =
        new CacheCodecContext(
            name,
            manager.classLoader(),
            filter,
            !typesFromCaller,
            tags == null ? null : tags.forCache(name),
            verified);
    this.keyCodec = codec.keyCodec(keyType, context);
    this.valueCodec = codec.valueCodec(valueType, context);
    this.lockLease = c.getLockLease() != null ? c.getLockLease() : manager.lockLease(name);
    this.lockWait = c.getLockWait() != null ? c.getLockWait() : manager.lockWait(name);
    this.nearCacheMaxEntries =
        c.getNearCacheMaxEntries() != null
            ? c.getNearCacheMaxEntries()
            : manager.nearCacheMaxEntries(name);
    this.statistics =
        switchedOn(
            c.isStatisticsEnabled(),
            c.isStatisticsEnabledSet(),
            manager.statisticsOverride(name),
            manager.statistics(name));
    this.management =
        switchedOn(
            c.isManagementEnabled(),
            c.isManagementEnabledSet(),
            manager.managementOverride(name),
            manager.management(name));
    if (c.getReplicaAcks() > 0
        && (writeBehind != null || !writeThrough || c.getCacheWriterFactory() == null)) {
      throw new IllegalArgumentException(
          "Cache '"
              + name
              + "': setReplicaAck applies to a write-through cache with its writer; "
              + (writeBehind != null
                  ? "a write-behind cache takes it from WriteBehind.replicaAck"
                  : "this cache has no writer (setWriteThrough(true) and a CacheWriter factory)"));
    }
    this.replicaAcks = writeBehind != null ? writeBehind.replicaAcks() : c.getReplicaAcks();
    this.replicaAckTimeout =
        writeBehind != null ? writeBehind.replicaAckTimeout() : c.getReplicaAckTimeout();
  }

  /**
   * The cache's configuration first (for a joined cache: the codec recorded in Redis), then the
   * CacheManager's settings, then {@code java}.
   */
  private static CodecProvider codecOf(
      String name, CascadeConfiguration<?, ?> c, ManagerSettings manager, boolean typesFromCaller) {
    if (c.getCodecProvider() != null) {
      return c.getCodecProvider();
    }
    if (c.getCodecName() != null) {
      return CodecProviders.named(
          c.getCodecName(),
          manager.classLoader(),
          name,
          typesFromCaller ? "its CascadeConfiguration" : "the cache's registry entry in Redis");
    }
    String configured = manager.codecName(name);
    if (configured != null) {
      return CodecProviders.named(
          configured, manager.classLoader(), name, "setting " + manager.codecSetting(name));
    }
    return CodecProviders.named(CodecProviders.DEFAULT, manager.classLoader(), name, "default");
  }

  /** The settings of a cache this JVM's code configured (createCache): its types are allowed. */
  public static <K, V> CacheSettings<K, V> resolve(
      String name, Configuration<K, V> configuration, ManagerSettings manager) {
    return resolve(name, configuration, manager, -1);
  }

  /**
   * @param joinedQueueBound the queue bound a joined write-behind cache records in Redis, else -1
   */
  public static <K, V> CacheSettings<K, V> resolve(
      String name,
      Configuration<K, V> configuration,
      ManagerSettings manager,
      int joinedQueueBound) {
    return resolve(name, configuration, manager, joinedQueueBound, true);
  }

  /**
   * The settings of a cache another JVM created, from the configuration recorded in Redis
   * (getCache). Its types are allowed for deserialization only when {@code typesFromCaller}: the
   * caller named them ({@code getCache(name, K, V)}), so they are this JVM's choice, not Redis'.
   */
  public static <K, V> CacheSettings<K, V> joined(
      String name,
      Configuration<K, V> recorded,
      ManagerSettings manager,
      int joinedQueueBound,
      boolean typesFromCaller) {
    return resolve(name, recorded, manager, joinedQueueBound, typesFromCaller);
  }

  @SuppressWarnings("unchecked")
  private static <K, V> CacheSettings<K, V> resolve(
      String name,
      Configuration<K, V> configuration,
      ManagerSettings manager,
      int joinedQueueBound,
      boolean typesFromCaller) {
    CascadeConfiguration<K, V> copy;
    if (configuration instanceof CompleteConfiguration) {
      copy = new CascadeConfiguration<>((CompleteConfiguration<K, V>) configuration);
    } else {
      copy = new CascadeConfiguration<>();
      copy.setTypes(configuration.getKeyType(), configuration.getValueType());
    }
    if (!copy.isStoreByValue()) {
      throw new UnsupportedOperationException(
          "Cache '"
              + name
              + "' asks for store-by-reference, which Cascade"
              + " cannot offer: its entries live in Redis, so they are always stored by value."
              + " Remove setStoreByValue(false) from its configuration.");
    }
    return new CacheSettings<>(name, copy, manager, joinedQueueBound, typesFromCaller);
  }

  /**
   * Statistics (management) of a cache: on when its configuration says so; else as {@code
   * cascade.cache.<name>.*} says; else off when its configuration was set to off (a declared
   * cache's {@code statistics: false} is a choice for this cache, which the manager-wide default
   * must not overrule); else the manager-wide default, which switches on what a framework's default
   * configuration (Boot's cache names, Hibernate's regions) leaves off.
   */
  private static boolean switchedOn(
      boolean configured, boolean set, Boolean perCache, boolean managerWide) {
    if (configured) {
      return true;
    }
    if (perCache != null) {
      return perCache;
    }
    return !set && managerWide;
  }

  /** The cache's name. */
  public String name() {
    return name;
  }

  /** The key type the cache was configured with. */
  public Class<K> keyType() {
    return keyType;
  }

  /** The value type the cache was configured with. */
  public Class<V> valueType() {
    return valueType;
  }

  Iterable<CacheEntryListenerConfiguration<K, V>> initialListeners() {
    return template.getCacheEntryListenerConfigurations();
  }

  /**
   * What every JVM that opens this cache must agree on, recorded in Redis by the first: the key and
   * value types decide how keys and values are encoded, the partitions where a key lives, and
   * whether changes must be queued for write-behind (even by a JVM without the writer), and the
   * codec how keys and values become bytes (a record without it was written before codecs could be
   * chosen: {@code java}).
   */
  Map<String, String> registryRecord() {
    Map<String, String> record = new LinkedHashMap<>();
    record.put("layout", LAYOUT_VERSION);
    record.put("keyType", keyType.getName());
    record.put("valueType", valueType.getName());
    record.put("partitions", Integer.toString(partitions));
    record.put("writeBehind", Boolean.toString(queueBound >= 0));
    record.put("queueBound", Integer.toString(queueBound));
    record.put(CODEC_FIELD, codec.name());
    return record;
  }
}
