package dev.cascade.internal.config;

import dev.cascade.codec.SerializationLimits;
import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.codec.ApplicationPackages;
import dev.cascade.internal.codec.SerializationFilter;
import dev.cascade.internal.codec.ValueTags;
import dev.cascade.internal.store.RedisTarget;
import dev.cascade.internal.support.Redaction;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import javax.cache.CacheException;

/**
 * What a CacheManager is told, from its URI, its properties and, when the URI names a file, that
 * file. Three URI forms:
 *
 * <ol>
 *   <li>none: system property {@value #URI_PROPERTY}, else environment variable {@value
 *       #URI_ENVIRONMENT}, else {@value #DEFAULT_REDIS_URI};
 *   <li>a Redis URI ({@code redis://}, {@code rediss://}, {@code redis-sentinel://}, {@code
 *       redis-cluster://});
 *   <li>a resource ({@code file:}, {@code classpath:}, {@code jar:}) with properties or YAML that
 *       name the Redis URI and per-cache settings; frameworks pass configuration this way.
 * </ol>
 *
 * Keys (a properties file, the CacheManager's {@link Properties}, or the same path in YAML):
 *
 * <pre>
 * cascade.redis.uri        = redis://127.0.0.1:6379
 * cascade.timeout          = 10s      command timeout
 * cascade.partitions       = 16       default partitions per cache
 * cascade.codec.allow      = com.acme.**;com.other.Type
 * cascade.codec.max-depth  = 20       limits on Java-serialized keys and values read from Redis
 * cascade.codec.max-refs   = 1000000  (see SerializationLimits; max-bytes takes k, m, g: 64m)
 * cascade.codec.max-array  = 16777216
 * cascade.codec.max-bytes  = 64m
 * cascade.codec.strict     = false    true: no framework profiles, no application packages
 * cascade.codec.application-packages = com.acme.shop   the application's packages (integrations)
 * cascade.codec.hmac-key   = ...      a secret: Java-serialized values carry an HMAC (also a system
 *                                     property, or CASCADE_CODEC_HMAC_KEY; see ValueTags)
 * cascade.codec.hmac-previous-key = ...    accepted for reading while the secret changes
 * cascade.codec.hmac-accept-untagged = false  migration: read values without a tag too
 * cascade.near-cache     = 0        entries kept in each JVM per cache (0 = no near cache)
 * cascade.cache.NAME.partitions = 32  per-cache override (also .codec.allow, .codec.max-*,
 *                                     .codec.strict, .lock.lease, .lock.wait, .near-cache)
 * cascade.redis.tls.truststore          = /etc/app/redis-ca.p12   rediss://: whom to trust (JKS or PKCS12;
 * cascade.redis.tls.truststore-password = ...                     a path, file: or classpath:)
 * cascade.redis.tls.keystore            = /etc/app/client.p12     rediss://: the client certificate
 * cascade.redis.tls.keystore-password   = ...
 * </pre>
 *
 * Explicit properties win over the file, the file over the defaults. Immutable.
 */
public final class ManagerSettings {

  public static final String URI_PROPERTY = "cascade.redis.uri";
  public static final String URI_ENVIRONMENT = "CASCADE_REDIS_URI";
  public static final String DEFAULT_REDIS_URI = "redis://127.0.0.1:6379";
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  static final String TIMEOUT = "cascade.timeout";
  static final String PARTITIONS = "cascade.partitions";
  static final String ALLOW = "cascade.codec.allow";
  static final String STRICT = "cascade.codec.strict";
  static final String LOCK_LEASE = "cascade.lock.lease";
  static final String LOCK_WAIT = "cascade.lock.wait";
  static final String CACHE_PREFIX = "cascade.cache.";

  private final URI uri;
  private final String redisUri;
  private final Properties properties;
  private final ClassLoader loader;

  /** Parsed on first use (its key stores are opened then), and once only. */
  private RedisTarget target;

  /** Read on first use, and once only; null inside when no secret is set. */
  private Optional<ValueTags> valueTags;

  private ManagerSettings(URI uri, String redisUri, Properties properties, ClassLoader loader) {
    this.uri = uri;
    this.redisUri = redisUri;
    this.properties = properties;
    this.loader = loader;
  }

  /** The URI of the default CacheManager: from the system property, the environment, or local. */
  public static URI defaultUri() {
    String configured = System.getProperty(URI_PROPERTY);
    if (configured == null || configured.isBlank()) {
      configured = System.getenv(URI_ENVIRONMENT);
    }
    if (configured == null || configured.isBlank()) {
      configured = DEFAULT_REDIS_URI;
    }
    try {
      return URI.create(configured.trim());
    } catch (IllegalArgumentException e) {
      // the parser's message quotes the whole input, password included
      throw new CacheException(
          "The Redis URI '"
              + Redaction.uri(configured)
              + "' (from "
              + URI_PROPERTY
              + " or "
              + URI_ENVIRONMENT
              + ") is not a valid URI: "
              + Redaction.message(e.getMessage(), configured),
          Redaction.failure(e, configured));
    }
  }

  /**
   * @throws CacheException naming the URI or resource when it cannot be used
   */
  public static ManagerSettings resolve(URI uri, ClassLoader loader, Properties explicit) {
    Properties merged = new Properties();
    String scheme = uri.getScheme();
    String redisUri;
    if (RedisTarget.isRedisScheme(scheme)) {
      redisUri = uri.toString();
    } else if ("file".equals(scheme) || "classpath".equals(scheme) || "jar".equals(scheme)) {
      merged.putAll(load(uri, loader));
      redisUri = null;
    } else {
      throw new CacheException(
          "Cascade cannot use the CacheManager URI '"
              + Redaction.uri(uri)
              + "': expected a Redis URI (redis://host:port, rediss://, redis-sentinel://, redis-cluster://)"
              + " or a configuration file (file:, classpath:, jar:)");
    }
    if (explicit != null) {
      merged.putAll(explicit);
    }
    if (redisUri == null) {
      redisUri = merged.getProperty(URI_PROPERTY);
      if (redisUri == null || redisUri.isBlank()) {
        URI fallback = defaultUri();
        redisUri = fallback.toString();
      }
    }
    return new ManagerSettings(uri, redisUri.trim(), merged, loader);
  }

  private static Properties load(URI uri, ClassLoader loader) {
    // a file fetched over HTTP (jar:http://user:pw@...) may carry credentials too
    String name = Redaction.uri(uri);
    try (InputStream in = open(uri, loader)) {
      if (in == null) {
        throw new CacheException(
            "Cascade configuration '"
                + name
                + "' does not exist"
                + ("classpath".equals(uri.getScheme()) ? " on the class path" : ""));
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String raw = uri.toString();
      if (raw.endsWith(".yaml") || raw.endsWith(".yml")) {
        return SimpleYaml.flatten(text, name);
      }
      Properties p = new Properties();
      try (Reader r = new StringReader(text)) {
        p.load(r);
      }
      return p;
    } catch (IOException e) {
      throw new CacheException(
          "Cannot read Cascade configuration '"
              + name
              + "': "
              + Redaction.message(e.getMessage(), uri.toString()),
          Redaction.failure(e, uri.toString()));
    }
  }

  private static InputStream open(URI uri, ClassLoader loader) throws IOException {
    if ("classpath".equals(uri.getScheme())) {
      String path = uri.getSchemeSpecificPart();
      while (path.startsWith("/")) {
        path = path.substring(1);
      }
      ClassLoader cl = loader != null ? loader : ManagerSettings.class.getClassLoader();
      return cl.getResourceAsStream(path);
    }
    URL url = uri.toURL();
    try {
      return url.openStream();
    } catch (FileNotFoundException e) {
      return null;
    }
  }

  public URI uri() {
    return uri;
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
        RedisTarget parsed = RedisTarget.parse(redisUri, duration(TIMEOUT, DEFAULT_TIMEOUT));
        String tlsSetting = TlsSettings.anySet(properties);
        if (tlsSetting != null && !parsed.isTls()) {
          // ignoring it would leave the connection unencrypted while the settings say otherwise
          throw new CacheException(
              "Setting "
                  + tlsSetting
                  + " is for TLS, but the Redis URI '"
                  + parsed
                  + "' does not use TLS: use rediss:// (rediss-cluster://, rediss-sentinel://), or remove the"
                  + " cascade.redis.tls settings");
        }
        target = parsed.withTls(TlsSettings.read(properties, loader));
      } catch (IllegalArgumentException e) {
        throw new CacheException(e.getMessage(), e);
      }
    }
    return target;
  }

  public int partitions(String cacheName) {
    String v = cacheProperty(cacheName, "partitions", PARTITIONS);
    if (v == null) {
      return CascadeConfiguration.DEFAULT_PARTITIONS;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new CacheException(
          "Setting partitions of cache '" + cacheName + "' is not a number: '" + v + "'");
    }
  }

  public List<String> allowList(String cacheName) {
    String global = properties.getProperty(ALLOW);
    String local = properties.getProperty(CACHE_PREFIX + cacheName + ".codec.allow");
    List<String> all = new ArrayList<>(SerializationFilter.parse(global));
    all.addAll(SerializationFilter.parse(local));
    return all;
  }

  /**
   * Whether the cache deserializes only the JDK value types, its declared types and the patterns
   * allowed explicitly: {@code cascade.cache.NAME.codec.strict}, else {@value #STRICT} (a
   * CacheManager, else a system property).
   */
  public boolean strict(String cacheName) {
    String v = cacheProperty(cacheName, "codec.strict", STRICT);
    String setting = CACHE_PREFIX + cacheName + ".codec.strict";
    if (v == null) {
      v = System.getProperty(STRICT);
      setting = STRICT + " (system property)";
    }
    return v != null && bool(v, setting);
  }

  /** More application packages ({@value ApplicationPackages#PROPERTY}), or null when not set. */
  public String applicationPackages() {
    return properties.getProperty(ApplicationPackages.PROPERTY);
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
      String key = secret(ValueTags.KEY_PROPERTY, ValueTags.KEY_ENVIRONMENT);
      String previous = secret(ValueTags.PREVIOUS_KEY_PROPERTY, ValueTags.PREVIOUS_KEY_ENVIRONMENT);
      String untagged = properties.getProperty(ValueTags.ACCEPT_UNTAGGED_PROPERTY);
      if (untagged == null) {
        untagged = System.getProperty(ValueTags.ACCEPT_UNTAGGED_PROPERTY);
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
          valueTags =
              Optional.of(
                  ValueTags.of(
                      key,
                      previous,
                      untagged != null && bool(untagged, ValueTags.ACCEPT_UNTAGGED_PROPERTY)));
        } catch (IllegalArgumentException e) {
          throw new CacheException(e.getMessage());
        }
      }
    }
    return valueTags.orElse(null);
  }

  private String secret(String property, String environment) {
    String v = properties.getProperty(property);
    if (v == null) {
      v = System.getProperty(property);
    }
    if (v == null) {
      v = System.getenv(environment);
    }
    return v == null || v.isEmpty() ? null : v;
  }

  private static boolean bool(String v, String setting) {
    String t = v.trim().toLowerCase(Locale.ROOT);
    if (t.equals("true")) {
      return true;
    }
    if (t.equals("false")) {
      return false;
    }
    throw new CacheException("Setting " + setting + " must be true or false, not '" + v + "'");
  }

  /**
   * The limits on Java-serialized keys and values of the cache: its own settings, else the
   * manager's.
   */
  public SerializationLimits serializationLimits(String cacheName) {
    SerializationLimits d = SerializationLimits.DEFAULTS;
    return new SerializationLimits(
        count(cacheName, SerializationLimits.MAX_DEPTH, d.maxDepth()),
        count(cacheName, SerializationLimits.MAX_REFS, d.maxRefs()),
        count(cacheName, SerializationLimits.MAX_ARRAY, d.maxArray()),
        count(cacheName, SerializationLimits.MAX_BYTES, d.maxBytes()));
  }

  /**
   * A positive {@code codec.<limit>} setting; {@code k}, {@code m} and {@code g} multiply by 1024,
   * 1024², 1024³.
   */
  private long count(String cacheName, String limit, long fallback) {
    String v = cacheProperty(cacheName, "codec." + limit, "cascade.codec." + limit);
    if (v == null) {
      return fallback;
    }
    String text = v.trim().toLowerCase(Locale.ROOT);
    int shift = text.endsWith("k") ? 10 : text.endsWith("m") ? 20 : text.endsWith("g") ? 30 : 0;
    try {
      long n = Long.parseLong(shift == 0 ? text : text.substring(0, text.length() - 1).trim());
      if (n < 1 || n > Long.MAX_VALUE >> shift) {
        throw new NumberFormatException();
      }
      return n << shift;
    } catch (NumberFormatException e) {
      throw new CacheException(
          "Setting codec."
              + limit
              + " of cache '"
              + cacheName
              + "' must be a positive"
              + " number (k, m, g multiply by 1024, 1024^2, 1024^3), not '"
              + v
              + "'");
    }
  }

  public int nearCacheMaxEntries(String cacheName) {
    String v = cacheProperty(cacheName, "near-cache", "cascade.near-cache");
    if (v == null) {
      return 0;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new CacheException(
          "Setting near-cache of cache '" + cacheName + "' is not a number: '" + v + "'");
    }
  }

  public Duration lockLease(String cacheName) {
    return durationOf(cacheName, "lock.lease", LOCK_LEASE, CascadeConfiguration.DEFAULT_LOCK_LEASE);
  }

  public Duration lockWait(String cacheName) {
    return durationOf(cacheName, "lock.wait", LOCK_WAIT, CascadeConfiguration.DEFAULT_LOCK_WAIT);
  }

  /** A raw property, for settings other packages own (write-behind, near cache). */
  public String property(String key) {
    return properties.getProperty(key);
  }

  private Duration durationOf(String cacheName, String suffix, String global, Duration fallback) {
    String v = cacheProperty(cacheName, suffix, global);
    return v == null ? fallback : Durations.parse(v, CACHE_PREFIX + cacheName + "." + suffix);
  }

  private String cacheProperty(String cacheName, String suffix, String global) {
    String v = properties.getProperty(CACHE_PREFIX + cacheName + "." + suffix);
    return v != null ? v : properties.getProperty(global);
  }

  private Duration duration(String key, Duration fallback) {
    String v = properties.getProperty(key);
    return v == null ? fallback : Durations.parse(v, key);
  }
}
