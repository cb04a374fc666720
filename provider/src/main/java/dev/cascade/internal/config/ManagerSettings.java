package dev.cascade.internal.config;

import dev.cascade.codec.SerializationLimits;
import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.codec.ValueTags;
import dev.cascade.internal.store.RedisTarget;
import dev.cascade.internal.support.Redaction;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import javax.cache.CacheException;

/**
 * What a CacheManager is told, from its URI, its properties and, when the URI names a file, that
 * file. Three URI forms:
 *
 * <ol>
 *   <li>none: the CacheManager property {@value #URI_PROPERTY}, else system property {@value
 *       #URI_PROPERTY}, else environment variable {@value #URI_ENVIRONMENT}, else {@value
 *       #DEFAULT_REDIS_URI};
 *   <li>a Redis URI ({@code redis://}, {@code rediss://}, {@code redis-sentinel://}, {@code
 *       redis-cluster://});
 *   <li>a resource ({@code file:}, {@code classpath:}, {@code jar:}) with properties or YAML that
 *       name the Redis URI, manager defaults and declared caches; frameworks pass configuration
 *       this way.
 * </ol>
 *
 * The keys and their meaning are in docs/configuration.md. The file and the CacheManager's {@link
 * Properties} become one tree (explicit properties win over the file, the file over the defaults),
 * which is checked whole when the manager opens: an unknown key, a value of the wrong type, a class
 * that is missing or of the wrong kind fails {@code getCacheManager} with the file, line and key.
 * Immutable, except for the data source pools it opens for declared caches, which {@link #close()}
 * closes.
 */
public final class ManagerSettings implements AutoCloseable {

  public static final String URI_PROPERTY = "cascade.redis.uri";
  public static final String URI_ENVIRONMENT = "CASCADE_REDIS_URI";
  public static final String DEFAULT_REDIS_URI = "redis://127.0.0.1:6379";
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** How the CacheManager's own {@link Properties} are named in errors. */
  static final String EXPLICIT = "CacheManager properties";

  static final List<String> MANAGER_KEYS =
      List.of(
          "redis",
          "timeout",
          "event-queue",
          "event-threads",
          "partitions",
          "near-cache",
          "codec",
          "lock",
          "statistics",
          "management",
          "shutdown-hook",
          "instance",
          "datasources",
          "templates",
          "caches",
          "cache");
  static final List<String> REDIS_KEYS = List.of("uri", "tls");
  static final String STRICT = "cascade.codec.strict";
  static final List<String> TLS_KEYS =
      List.of("truststore", "truststore-password", "keystore", "keystore-password");

  /** Events that may wait for a CacheManager's asynchronous listeners, by default. */
  public static final int DEFAULT_EVENT_QUEUE = 100_000;

  /** Threads that run a CacheManager's asynchronous listeners, by default. */
  public static final int DEFAULT_EVENT_THREADS = 2;

  /** The event lanes' count, so the most threads that can be busy at once. */
  public static final int MAX_EVENT_THREADS = 16;

  private final URI uri;
  private final String redisUri;
  private final ClassLoader loader;
  private final Duration timeout;
  private final int eventQueue;
  private final int eventThreads;
  private final boolean shutdownHook;

  /** The TLS settings under their full keys, as {@link TlsSettings} reads them. */
  private final Properties tls;

  /** Where the TLS settings were written (file and line), for the error when they cannot apply. */
  private final String tlsPlace;

  private final CacheDefaults defaults;
  private final Map<String, CacheDefaults> overrides;
  private final List<DeclaredCache> declared;
  private final DataSources dataSources;

  /** Parsed on first use (its key stores are opened then), and once only. */
  private RedisTarget target;

  /** Read on first use, and once only; empty inside when no secret is set. */
  private Optional<ValueTags> valueTags;

  private ManagerSettings(
      URI uri,
      String redisUri,
      ClassLoader loader,
      Duration timeout,
      int eventQueue,
      int eventThreads,
      boolean shutdownHook,
      Properties tls,
      String tlsPlace,
      CacheDefaults defaults,
      Map<String, CacheDefaults> overrides,
      List<DeclaredCache> declared,
      DataSources dataSources) {
    this.uri = uri;
    this.redisUri = redisUri;
    this.loader = loader;
    this.timeout = timeout;
    this.eventQueue = eventQueue;
    this.eventThreads = eventThreads;
    this.shutdownHook = shutdownHook;
    this.tls = tls;
    this.tlsPlace = tlsPlace;
    this.defaults = defaults;
    this.overrides = overrides;
    this.declared = declared;
    this.dataSources = dataSources;
  }

  /** The URI of the default CacheManager: from the system property, the environment, or local. */
  public static URI defaultUri() {
    String configured = System.getProperty(URI_PROPERTY);
    String from = "the system property " + URI_PROPERTY;
    if (configured == null || configured.isBlank()) {
      configured = System.getenv(URI_ENVIRONMENT);
      from = "the environment variable " + URI_ENVIRONMENT;
    }
    if (configured == null || configured.isBlank()) {
      configured = DEFAULT_REDIS_URI;
    }
    return parseUri(configured, from);
  }

  /**
   * The URI a CacheManager is kept under: {@code given}, else the {@value #URI_PROPERTY} of its
   * properties (frameworks such as Spring Boot pass settings only that way, with no URI), else
   * {@link #defaultUri()}.
   */
  public static URI managerUri(URI given, Properties properties) {
    if (given != null) {
      return given;
    }
    String fromProperties = properties == null ? null : properties.getProperty(URI_PROPERTY);
    if (fromProperties != null && !fromProperties.isBlank()) {
      return parseUri(fromProperties, "the CacheManager property " + URI_PROPERTY);
    }
    return defaultUri();
  }

  private static URI parseUri(String configured, String from) {
    try {
      return URI.create(configured.trim());
    } catch (IllegalArgumentException e) {
      // the parser's message quotes the whole input, password included
      throw new CacheException(
          "The Redis URI '"
              + Redaction.uri(configured)
              + "' (from "
              + from
              + ") is not a valid URI: "
              + Redaction.message(e.getMessage(), configured),
          Redaction.failure(e, configured));
    }
  }

  /**
   * @throws CacheException naming the URI or resource when it cannot be used, or the file, line and
   *     key of the first setting that is wrong
   */
  public static ManagerSettings resolve(URI uri, ClassLoader loader, Properties explicit) {
    String scheme = uri.getScheme();
    String redisUri = null;
    ConfigNode file = null;
    if (RedisTarget.isRedisScheme(scheme)) {
      redisUri = uri.toString();
    } else if ("file".equals(scheme) || "classpath".equals(scheme) || "jar".equals(scheme)) {
      file = ConfigFiles.read(uri, loader, Placeholders.fromSystem());
    } else {
      throw new CacheException(
          "Cascade cannot use the CacheManager URI '"
              + Redaction.uri(uri)
              + "': expected a Redis URI (redis://host:port, rediss://, redis-sentinel://, redis-cluster://)"
              + " or a configuration file (file:, classpath:, jar:)");
    }
    ConfigNode given = PropertiesSource.of(explicit, EXPLICIT);
    ConfigNode root = file == null ? given : file.overlay(given, DeclaredCaches.REPLACED_WHOLE);
    root.requireKnown(List.of("cascade"));
    ConfigNode cascade = root.child("cascade");
    if (cascade == null) {
      cascade = ConfigNode.section("cascade", file == null ? EXPLICIT : file.source(), 0);
    }
    cascade.requireKnown(MANAGER_KEYS);

    Properties tls = new Properties();
    String tlsPlace = null;
    String fromSettings = null;
    ConfigNode redis = cascade.child("redis");
    if (redis != null) {
      redis.requireKnown(REDIS_KEYS);
      fromSettings = redis.string("uri");
      ConfigNode tlsNode = redis.child("tls");
      if (tlsNode != null) {
        tlsNode.requireKnown(TLS_KEYS);
        tlsPlace = tlsNode.place();
        for (ConfigNode t : tlsNode.children().values()) {
          tls.setProperty("cascade.redis.tls." + t.name(), t.text());
        }
      }
    }
    if (redisUri != null) {
      if (fromSettings != null
          && !fromSettings.isBlank()
          && !fromSettings.trim().equals(redisUri)) {
        // two answers to "which Redis": using either silently would surprise whoever wrote the
        // other
        throw redis
            .child("uri")
            .fail(
                "names Redis '"
                    + Redaction.uri(fromSettings.trim())
                    + "', but the CacheManager URI names '"
                    + Redaction.uri(redisUri)
                    + "'; give one of them");
      }
    } else if (fromSettings != null && !fromSettings.isBlank()) {
      redisUri = fromSettings.trim();
    } else {
      redisUri = defaultUri().toString();
    }

    Duration timeout = cascade.positiveDuration("timeout");
    Integer eventQueue = cascade.integer("event-queue", 1, Integer.MAX_VALUE);
    Integer eventThreads = cascade.integer("event-threads", 1, MAX_EVENT_THREADS);
    Boolean shutdownHook = cascade.bool("shutdown-hook");
    CacheDefaults defaults = CacheDefaults.read(cascade);
    ConfigNode caches = cascade.child("caches");
    Map<String, CacheDefaults> overrides = new LinkedHashMap<>();
    ConfigNode overrideSection = cascade.child("cache");
    if (overrideSection != null) {
      for (ConfigNode c : overrideSection.children().values()) {
        ConfigNode declaredHere = caches == null ? null : caches.child(c.name());
        if (declaredHere != null) {
          throw c.fail(
              "cache '"
                  + c.name()
                  + "' is declared in cascade.caches ("
                  + declaredHere.place()
                  + "); give all its settings there");
        }
        c.requireKnown(
            CacheDefaults.KEYS,
            " (cascade.cache.<name> holds partitions, near-cache, codec, lock, statistics and"
                + " management for a cache"
                + " created in code; declare a cache with its expiry, loader or writer under"
                + " cascade.caches.<name>)");
        ConfigNode codec = c.child("codec");
        for (String managerOnly : CacheDefaults.MANAGER_ONLY_CODEC_KEYS) {
          if (codec != null && codec.child(managerOnly) != null) {
            throw codec
                .child(managerOnly)
                .fail("is a setting of the whole CacheManager: use cascade.codec." + managerOnly);
          }
        }
        overrides.put(c.name(), CacheDefaults.read(c));
      }
    }
    SerializationLimits managerLimits = defaults.limits(SerializationLimits.DEFAULTS);
    DataSources dataSources = new DataSources(cascade.child("datasources"), loader);
    List<DeclaredCache> declared;
    try {
      declared =
          DeclaredCaches.read(
              cascade.child("templates"),
              caches,
              dataSources,
              loader,
              managerLimits,
              defaults.codecName);
    } catch (RuntimeException e) {
      dataSources.close();
      throw e;
    }
    return new ManagerSettings(
        uri,
        redisUri,
        loader,
        timeout == null ? DEFAULT_TIMEOUT : timeout,
        eventQueue == null ? DEFAULT_EVENT_QUEUE : eventQueue,
        eventThreads == null ? DEFAULT_EVENT_THREADS : eventThreads,
        shutdownHook == null || shutdownHook,
        tls,
        tlsPlace,
        defaults,
        overrides,
        List.copyOf(declared),
        dataSources);
  }

  public URI uri() {
    return uri;
  }

  /**
   * {@code cascade.event-queue}: how many events may wait for the CacheManager's asynchronous
   * listeners (internal.event.EventLanes says what happens beyond).
   */
  public int eventQueue() {
    return eventQueue;
  }

  /**
   * {@code cascade.event-threads}: how many threads run the CacheManager's asynchronous listeners;
   * as many listeners may block at once before every other event of the manager waits.
   */
  public int eventThreads() {
    return eventThreads;
  }

  /**
   * {@code cascade.shutdown-hook} (default true): whether the provider's JVM shutdown hook closes
   * this manager (draining its write-behind caches). False for a manager whose owner closes it
   * (Spring, Hibernate): the hook would close it under the owner, while the owner still uses it.
   */
  public boolean shutdownHook() {
    return shutdownHook;
  }

  public String redisUri() {
    return redisUri;
  }

  /**
   * The Redis to connect to, with the truststore and keystore of its TLS connections.
   *
   * @throws CacheException naming the URI, or the TLS setting and its file, when they cannot be
   *     used
   */
  public synchronized RedisTarget redisTarget() {
    if (target == null) {
      try {
        RedisTarget parsed = RedisTarget.parse(redisUri, timeout);
        String tlsSetting = TlsSettings.anySet(tls);
        if (tlsSetting != null && !parsed.isTls()) {
          // ignoring it would leave the connection unencrypted while the settings say otherwise
          throw new CacheException(
              (tlsPlace != null ? tlsPlace + ": setting " : "Setting ")
                  + tlsSetting
                  + " is for TLS, but the Redis URI '"
                  + parsed
                  + "' does not use TLS: use rediss:// (rediss-cluster://, rediss-sentinel://), or remove the"
                  + " cascade.redis.tls settings");
        }
        target = parsed.withTls(TlsSettings.read(tls, loader));
      } catch (IllegalArgumentException e) {
        throw new CacheException(e.getMessage(), e);
      }
    }
    return target;
  }

  /**
   * The caches the file declares, in the order written; the CacheManager opens them as it opens.
   */
  public List<DeclaredCache> declaredCaches() {
    return declared;
  }

  private CacheDefaults override(String cacheName) {
    return overrides.getOrDefault(cacheName, CacheDefaults.NONE);
  }

  public int partitions(String cacheName) {
    Integer p = override(cacheName).partitions;
    p = p != null ? p : defaults.partitions;
    return p != null ? p : CascadeConfiguration.DEFAULT_PARTITIONS;
  }

  /** The setting {@link #codecName} came from, for messages. */
  public String codecSetting(String cacheName) {
    return override(cacheName).codecName != null
        ? "cascade.cache." + cacheName + ".codec.name"
        : "cascade.codec.name";
  }

  /** The CacheManager's class loader (codec providers and classes named in settings load here). */
  public ClassLoader classLoader() {
    return loader;
  }

  public List<String> allowList(String cacheName) {
    List<String> all = new ArrayList<>(defaults.allow);
    all.addAll(override(cacheName).allow);
    return all;
  }

  /**
   * The limits on Java-serialized keys and values of the cache: its own settings, else the
   * manager's.
   */
  public SerializationLimits serializationLimits(String cacheName) {
    return override(cacheName).limits(defaults.limits(SerializationLimits.DEFAULTS));
  }

  public int nearCacheMaxEntries(String cacheName) {
    Integer n = override(cacheName).nearCache;
    n = n != null ? n : defaults.nearCache;
    return n != null ? n : 0;
  }

  public Duration lockLease(String cacheName) {
    Duration d = override(cacheName).lockLease;
    d = d != null ? d : defaults.lockLease;
    return d != null ? d : CascadeConfiguration.DEFAULT_LOCK_LEASE;
  }

  public Duration lockWait(String cacheName) {
    Duration d = override(cacheName).lockWait;
    d = d != null ? d : defaults.lockWait;
    return d != null ? d : CascadeConfiguration.DEFAULT_LOCK_WAIT;
  }

  /**
   * True when {@code cascade.cache.<name>.statistics}, else {@code cascade.statistics}, is {@code
   * true}: the cache records statistics even when its configuration leaves them off, as caches
   * frameworks create from a default configuration do (Spring Boot's cache names, Hibernate's
   * regions), so Actuator's {@code cache.*} meters count for them. It only switches them on: {@code
   * false} leaves the configuration's choice.
   */
  public boolean statistics(String cacheName) {
    Boolean b = override(cacheName).statistics;
    b = b != null ? b : defaults.statistics;
    return b != null && b;
  }

  /** {@code cascade.cache.<name>.statistics}, null when not set. */
  public Boolean statisticsOverride(String cacheName) {
    return override(cacheName).statistics;
  }

  /** {@code cascade.cache.<name>.management}, null when not set. */
  public Boolean managementOverride(String cacheName) {
    return override(cacheName).management;
  }

  /** Like {@link #statistics(String)}, for the configuration MXBean. */
  public boolean management(String cacheName) {
    Boolean b = override(cacheName).management;
    b = b != null ? b : defaults.management;
    return b != null && b;
  }

  /**
   * The {@code codec.name} for a cache created in code: {@code cascade.cache.<name>.codec.name},
   * else {@code cascade.codec.name}; null for the default codec. (A declared cache carries its own:
   * {@link DeclaredCache#codecName()}.)
   */
  public String codecName(String cacheName) {
    String n = override(cacheName).codecName;
    return n != null ? n : defaults.codecName;
  }

  /**
   * Whether the cache deserializes only the JDK value types, its declared types and the patterns
   * allowed explicitly: {@code cascade.cache.NAME.codec.strict}, else {@code cascade.codec.strict}
   * (the CacheManager's, else the system property).
   */
  public boolean strict(String cacheName) {
    Boolean b = override(cacheName).strict;
    b = b != null ? b : defaults.strict;
    if (b != null) {
      return b;
    }
    String v = System.getProperty(STRICT);
    if (v == null) {
      return false;
    }
    String t = v.trim().toLowerCase(Locale.ROOT);
    if (!t.equals("true") && !t.equals("false")) {
      throw new CacheException(
          "System property " + STRICT + " must be true or false, not '" + v + "'");
    }
    return t.equals("true");
  }

  /**
   * More application packages ({@code cascade.codec.application-packages}), or null when the
   * CacheManager sets none (the system property then applies).
   */
  public String applicationPackages() {
    return defaults.applicationPackages;
  }

  /**
   * The secret that authenticates Java-serialized values, or null when none is set: {@value
   * ValueTags#KEY_PROPERTY} from the CacheManager's properties or file, else the system property,
   * else the environment variable {@value ValueTags#KEY_ENVIRONMENT}.
   *
   * @throws CacheException naming the setting (never the secret) when it cannot be used
   */
  public synchronized ValueTags valueTags() {
    if (valueTags == null) {
      String key = secret(defaults.hmacKey, ValueTags.KEY_PROPERTY, ValueTags.KEY_ENVIRONMENT);
      String previous =
          secret(
              defaults.hmacPreviousKey,
              ValueTags.PREVIOUS_KEY_PROPERTY,
              ValueTags.PREVIOUS_KEY_ENVIRONMENT);
      Boolean untagged = defaults.hmacAcceptUntagged;
      if (untagged == null && System.getProperty(ValueTags.ACCEPT_UNTAGGED_PROPERTY) != null) {
        untagged =
            "true".equalsIgnoreCase(System.getProperty(ValueTags.ACCEPT_UNTAGGED_PROPERTY).trim());
      }
      if (key == null) {
        if (previous != null || untagged != null) {
          throw new CacheException(
              "Setting "
                  + (previous != null
                      ? ValueTags.PREVIOUS_KEY_PROPERTY
                      : ValueTags.ACCEPT_UNTAGGED_PROPERTY)
                  + " is set, but "
                  + ValueTags.KEY_PROPERTY
                  + " is not: set the secret too, or remove it");
        }
        valueTags = Optional.empty();
      } else {
        try {
          valueTags = Optional.of(ValueTags.of(key, previous, untagged != null && untagged));
        } catch (IllegalArgumentException e) {
          throw new CacheException(e.getMessage());
        }
      }
    }
    return valueTags.orElse(null);
  }

  private static String secret(String configured, String property, String environment) {
    String v = configured;
    if (v == null) {
      v = System.getProperty(property);
    }
    if (v == null) {
      v = System.getenv(environment);
    }
    return v == null || v.isEmpty() ? null : v;
  }

  /** Closes the pools of the declared data sources. */
  @Override
  public void close() {
    dataSources.close();
  }
}
