package dev.cascade.boot.autoconfigure;

import dev.cascade.writebehind.Overflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * What a Spring Boot application says about Cascade in {@code application.yml}, under {@code
 * cascade}:
 *
 * <pre>
 * cascade:
 *   redis.uri: redis://127.0.0.1:6379     # else spring.data.redis.*, else Cascade's default
 *   config: classpath:cascade.yaml          # a Cascade file (becomes spring.cache.jcache.config)
 *   statistics: true                        # for the caches Boot and this starter create
 *   caches:
 *     items:
 *       key-type: java.lang.Long
 *       value-type: com.acme.Item
 *       expiry: { created: 10m }
 *       loader: itemLoader                  # a bean name, or a class name
 *       writer: itemWriter
 *       write-behind: { batch-size: 500, max-delay: 200ms }
 *   health:
 *     queue-depth: { out-of-service: 10000, down: 100000 }
 * </pre>
 *
 * The names follow Cascade's configuration file ({@code docs/configuration.md}), so a section can
 * move between the two.
 */
@ConfigurationProperties("cascade")
public class CascadeProperties {

  private final Redis redis = new Redis();

  /**
   * A Cascade configuration file ({@code classpath:}, {@code file:}), handed to Boot as {@code
   * spring.cache.jcache.config} when that is not set.
   */
  private String config;

  /**
   * Statistics for the caches Boot creates ({@code spring.cache.cache-names}) and those under
   * {@code cascade.caches}, unless a cache says otherwise: what Actuator's {@code cache.*} meters
   * read.
   */
  private boolean statistics = true;

  private final Codec codec = new Codec();

  /** Caches to create when the CacheManager opens, by name. */
  private final Map<String, CacheSpec> caches = new LinkedHashMap<>();

  private final Health health = new Health();

  public Redis getRedis() {
    return redis;
  }

  public String getConfig() {
    return config;
  }

  public void setConfig(String config) {
    this.config = config;
  }

  public boolean isStatistics() {
    return statistics;
  }

  public void setStatistics(boolean statistics) {
    this.statistics = statistics;
  }

  public Codec getCodec() {
    return codec;
  }

  public Map<String, CacheSpec> getCaches() {
    return caches;
  }

  public Health getHealth() {
    return health;
  }

  /** Which Redis. */
  public static class Redis {

    /**
     * The Redis URI ({@code redis://}, {@code rediss://}, {@code redis-sentinel://}, {@code
     * redis-cluster://}); when not set, built from {@code spring.data.redis.*} if any is set.
     */
    private String uri;

    public String getUri() {
      return uri;
    }

    public void setUri(String uri) {
      this.uri = uri;
    }
  }

  /** Deserialization of Java-serialized values (docs/security.md). */
  public static class Codec {

    /**
     * Classes Java deserialization may create, beside Cascade's defaults: {@code com.acme.Item},
     * {@code com.acme.*}, {@code com.acme.**}.
     */
    private List<String> allow = new ArrayList<>();

    /**
     * Whether the application's own packages (those of {@code @SpringBootApplication}, {@code
     * AutoConfigurationPackages}) are allowed, with their sub-packages, so {@code @Cacheable} on
     * the application's classes works without a setting.
     */
    private boolean allowApplicationPackages = true;

    public List<String> getAllow() {
      return allow;
    }

    public void setAllow(List<String> allow) {
      this.allow = allow;
    }

    public boolean isAllowApplicationPackages() {
      return allowApplicationPackages;
    }

    public void setAllowApplicationPackages(boolean allowApplicationPackages) {
      this.allowApplicationPackages = allowApplicationPackages;
    }
  }

  /** One cache created when the CacheManager opens. */
  public static class CacheSpec {

    /**
     * Key type: a class name; {@code java.lang} types by simple name ({@code Long}, {@code
     * String}), and {@code byte[]} (default {@code Object}).
     */
    private String keyType;

    /** Value type, named as the key type (default {@code Object}). */
    private String valueType;

    /** Shorthand for {@code expiry.created}: entries live this long after they were written. */
    private Duration ttl;

    /**
     * How long an entry lives: {@code eternal} (the default), or one of {@code created}, {@code
     * accessed}, {@code modified}, {@code touched} with a duration.
     */
    private Expiry expiry = new Expiry();

    /** Statistics (default: {@code cascade.statistics}). */
    private Boolean statistics;

    /** The JCache management MXBean (default false). */
    private Boolean management;

    /** A CacheLoader: the name of a bean, or a class name (created and autowired by Spring). */
    private String loader;

    /** A CacheWriter: the name of a bean, or a class name (created and autowired by Spring). */
    private String writer;

    /** Read-through (default: true when a loader is given). */
    private Boolean readThrough;

    /** Write-through (default: true when a writer is given). */
    private Boolean writeThrough;

    /** This cache's codec and deserialization allow-list. */
    private final CacheCodec codec = new CacheCodec();

    /** Partitions of the cache (fixed when the cache is first created in Redis). */
    private Integer partitions;

    /** Entries each JVM keeps near (default 0: none). */
    private Integer nearCache;

    /** Write-behind: the writer is called later, in batches. Needs {@code writer}. */
    private WriteBehindSpec writeBehind;

    public String getKeyType() {
      return keyType;
    }

    public void setKeyType(String keyType) {
      this.keyType = keyType;
    }

    public String getValueType() {
      return valueType;
    }

    public void setValueType(String valueType) {
      this.valueType = valueType;
    }

    public Duration getTtl() {
      return ttl;
    }

    public void setTtl(Duration ttl) {
      this.ttl = ttl;
    }

    public Expiry getExpiry() {
      return expiry;
    }

    public void setExpiry(Expiry expiry) {
      this.expiry = expiry;
    }

    public Boolean getStatistics() {
      return statistics;
    }

    public void setStatistics(Boolean statistics) {
      this.statistics = statistics;
    }

    public Boolean getManagement() {
      return management;
    }

    public void setManagement(Boolean management) {
      this.management = management;
    }

    public String getLoader() {
      return loader;
    }

    public void setLoader(String loader) {
      this.loader = loader;
    }

    public String getWriter() {
      return writer;
    }

    public void setWriter(String writer) {
      this.writer = writer;
    }

    public Boolean getReadThrough() {
      return readThrough;
    }

    public void setReadThrough(Boolean readThrough) {
      this.readThrough = readThrough;
    }

    public Boolean getWriteThrough() {
      return writeThrough;
    }

    public void setWriteThrough(Boolean writeThrough) {
      this.writeThrough = writeThrough;
    }

    public CacheCodec getCodec() {
      return codec;
    }

    public Integer getPartitions() {
      return partitions;
    }

    public void setPartitions(Integer partitions) {
      this.partitions = partitions;
    }

    public Integer getNearCache() {
      return nearCache;
    }

    public void setNearCache(Integer nearCache) {
      this.nearCache = nearCache;
    }

    public WriteBehindSpec getWriteBehind() {
      return writeBehind;
    }

    public void setWriteBehind(WriteBehindSpec writeBehind) {
      this.writeBehind = writeBehind;
    }
  }

  /** A cache's codec ({@code java}, {@code json}, a provider's class name) and allow-list. */
  public static class CacheCodec {

    /** The codec (default: the CacheManager's, {@code java}). */
    private String name;

    /** Classes Java deserialization may create in this cache, beside the manager's list. */
    private List<String> allow = new ArrayList<>();

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public List<String> getAllow() {
      return allow;
    }

    public void setAllow(List<String> allow) {
      this.allow = allow;
    }
  }

  /**
   * At most one of these: how long an entry lives. None, {@code expiry: eternal} or {@code eternal:
   * true}: forever.
   */
  public static class Expiry {

    /** After it was created. */
    private Duration created;

    /** After it was last read or written. */
    private Duration accessed;

    /** After it was created or last updated. */
    private Duration modified;

    /** After it was last read or written (touched). */
    private Duration touched;

    /** Never (the default). */
    private boolean eternal;

    public Duration getCreated() {
      return created;
    }

    public void setCreated(Duration created) {
      this.created = created;
    }

    public Duration getAccessed() {
      return accessed;
    }

    public void setAccessed(Duration accessed) {
      this.accessed = accessed;
    }

    public Duration getModified() {
      return modified;
    }

    public void setModified(Duration modified) {
      this.modified = modified;
    }

    public Duration getTouched() {
      return touched;
    }

    public void setTouched(Duration touched) {
      this.touched = touched;
    }

    public boolean isEternal() {
      return eternal;
    }

    public void setEternal(boolean eternal) {
      this.eternal = eternal;
    }
  }

  /**
   * Write-behind settings, named as {@code WriteBehind}'s builder methods; unset ones keep its
   * defaults.
   */
  public static class WriteBehindSpec {

    /** Records per writer call, at most (default 500). */
    private Integer batchSize;

    /** A partition's records are flushed at the latest this long after the first (200ms). */
    private Duration maxDelay;

    /** Records the queue may hold (1,000,000; 0 = unbounded). */
    private Integer maxQueueLength;

    /** At the bound: block (default), fail or write-through. */
    private Overflow overflow;

    /** How long {@code block} waits for room (10s). */
    private Duration overflowTimeout;

    /** Attempts of a record before it becomes a dead letter (5). */
    private Integer retryLimit;

    /** Threads per JVM flushing this cache (4). */
    private Integer flushThreads;

    /** Queues of the cache (default: the cache's partitions). */
    private Integer partitions;

    /** A writer call running longer is interrupted (10s); shorter than claim-idle. */
    private Duration writerTimeout;

    /** How long another flusher's unacknowledged records must be idle before they are claimed. */
    private Duration claimIdle;

    /** How long closing the application keeps flushing (30s). */
    private Duration drainTimeout;

    public Integer getBatchSize() {
      return batchSize;
    }

    public void setBatchSize(Integer batchSize) {
      this.batchSize = batchSize;
    }

    public Duration getMaxDelay() {
      return maxDelay;
    }

    public void setMaxDelay(Duration maxDelay) {
      this.maxDelay = maxDelay;
    }

    public Integer getMaxQueueLength() {
      return maxQueueLength;
    }

    public void setMaxQueueLength(Integer maxQueueLength) {
      this.maxQueueLength = maxQueueLength;
    }

    public Overflow getOverflow() {
      return overflow;
    }

    public void setOverflow(Overflow overflow) {
      this.overflow = overflow;
    }

    public Duration getOverflowTimeout() {
      return overflowTimeout;
    }

    public void setOverflowTimeout(Duration overflowTimeout) {
      this.overflowTimeout = overflowTimeout;
    }

    public Integer getRetryLimit() {
      return retryLimit;
    }

    public void setRetryLimit(Integer retryLimit) {
      this.retryLimit = retryLimit;
    }

    public Integer getFlushThreads() {
      return flushThreads;
    }

    public void setFlushThreads(Integer flushThreads) {
      this.flushThreads = flushThreads;
    }

    public Integer getPartitions() {
      return partitions;
    }

    public void setPartitions(Integer partitions) {
      this.partitions = partitions;
    }

    public Duration getWriterTimeout() {
      return writerTimeout;
    }

    public void setWriterTimeout(Duration writerTimeout) {
      this.writerTimeout = writerTimeout;
    }

    public Duration getClaimIdle() {
      return claimIdle;
    }

    public void setClaimIdle(Duration claimIdle) {
      this.claimIdle = claimIdle;
    }

    public Duration getDrainTimeout() {
      return drainTimeout;
    }

    public void setDrainTimeout(Duration drainTimeout) {
      this.drainTimeout = drainTimeout;
    }
  }

  /**
   * The {@code cascade} health indicator: DOWN when Redis does not answer a PING within {@code
   * timeout}; per write-behind cache, OUT_OF_SERVICE or DOWN when a number passes its threshold
   * (none is set by default).
   */
  public static class Health {

    /** How long the PING (and the queue reads) may take. */
    private Duration timeout = Duration.ofSeconds(1);

    /** Records queued, over all partitions. */
    private final Threshold<Long> queueDepth = new Threshold<>();

    /** Age of the oldest queued record. */
    private final Threshold<Duration> oldestAge = new Threshold<>();

    /** Records in the dead-letter stream. */
    private final Threshold<Long> deadLetters = new Threshold<>();

    public Duration getTimeout() {
      return timeout;
    }

    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }

    public Threshold<Long> getQueueDepth() {
      return queueDepth;
    }

    public Threshold<Duration> getOldestAge() {
      return oldestAge;
    }

    public Threshold<Long> getDeadLetters() {
      return deadLetters;
    }
  }

  /** A value at or above {@code down} makes the status DOWN, at or above out-of-service OOS. */
  public static class Threshold<T> {

    /** At or above this: OUT_OF_SERVICE. */
    private T outOfService;

    /** At or above this: DOWN. */
    private T down;

    public T getOutOfService() {
      return outOfService;
    }

    public void setOutOfService(T outOfService) {
      this.outOfService = outOfService;
    }

    public T getDown() {
      return down;
    }

    public void setDown(T down) {
      this.down = down;
    }
  }
}
