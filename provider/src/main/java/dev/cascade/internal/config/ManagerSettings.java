package dev.cascade.internal.config;

import dev.cascade.codec.SerializationLimits;
import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.codec.SerializationFilter;
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
 * cascade.codec.name       = java     codec of every cache: java, json, a CodecProvider's name or class
 * cascade.codec.allow      = com.acme.**;com.other.Type
 * cascade.codec.max-depth  = 20       limits on Java-serialized keys and values read from Redis
 * cascade.codec.max-refs   = 1000000  (see SerializationLimits; max-bytes takes k, m, g: 64m)
 * cascade.codec.max-array  = 16777216
 * cascade.codec.max-bytes  = 64m
 * cascade.near-cache     = 0        entries kept in each JVM per cache (0 = no near cache)
 * cascade.cache.NAME.partitions = 32  per-cache override (also .codec.name, .codec.allow, .codec.max-*, .lock.lease,
 *                                     .lock.wait, .near-cache)
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
  public static final String CODEC_NAME = "cascade.codec.name";
  static final String LOCK_LEASE = "cascade.lock.lease";
  static final String LOCK_WAIT = "cascade.lock.wait";
  static final String CACHE_PREFIX = "cascade.cache.";

  private final URI uri;
  private final String redisUri;
  private final Properties properties;
  private final ClassLoader loader;

  /** Parsed on first use (its key stores are opened then), and once only. */
  private RedisTarget target;

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

  /**
   * The codec named for the cache ({@code cascade.cache.NAME.codec.name}, else {@value
   * #CODEC_NAME}), or null when none is.
   */
  public String codecName(String cacheName) {
    String v = cacheProperty(cacheName, "codec.name", CODEC_NAME);
    return v == null || v.isBlank() ? null : v.trim();
  }

  /** The setting {@link #codecName} came from, for messages. */
  public String codecSetting(String cacheName) {
    String own = CACHE_PREFIX + cacheName + ".codec.name";
    return properties.getProperty(own) != null ? own : CODEC_NAME;
  }

  /** The CacheManager's class loader (codec providers and classes named in settings load here). */
  public ClassLoader classLoader() {
    return loader;
  }

  public List<String> allowList(String cacheName) {
    String global = properties.getProperty(ALLOW);
    String local = properties.getProperty(CACHE_PREFIX + cacheName + ".codec.allow");
    List<String> all = new ArrayList<>(SerializationFilter.parse(global));
    all.addAll(SerializationFilter.parse(local));
    return all;
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
