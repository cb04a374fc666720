package dev.cascade.boot.autoconfigure;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Which Redis the CacheManager connects to: {@code cascade.redis.uri}, else a URI made of Spring
 * Boot's own {@code spring.data.redis.*} settings when any is set, else none (Cascade's default:
 * the system property {@code cascade.redis.uri}, {@code CASCADE_REDIS_URI}, localhost).
 */
final class RedisUri {

  static final String SPRING_PREFIX = "spring.data.redis.";

  private static final List<String> SPRING_KEYS =
      List.of(
          "url",
          "host",
          "port",
          "username",
          "password",
          "database",
          "ssl.enabled",
          "timeout",
          "sentinel.master",
          "sentinel.nodes",
          "cluster.nodes");

  private RedisUri() {}

  /**
   * @return the URI, or null when neither Cascade's nor Spring's settings name one
   */
  static String resolve(CascadeProperties properties, Environment environment) {
    String own = properties.getRedis().getUri();
    if (own != null && !own.isBlank()) {
      return own.trim();
    }
    Binder binder = Binder.get(environment);
    boolean anySet =
        SPRING_KEYS.stream().anyMatch(k -> binder.bind(SPRING_PREFIX + k, String.class).isBound());
    return anySet ? fromSpring(binder) : null;
  }

  /**
   * The URI Spring Data Redis would connect to, in Cascade's URI forms. Its {@code timeout} is not
   * part of it: see {@link #springTimeout}.
   */
  static String fromSpring(Binder binder) {
    String url = string(binder, "url");
    if (url != null) {
      // Spring's url wins over host, port and credentials, as in Spring Data Redis
      return url;
    }
    boolean ssl = binder.bind(SPRING_PREFIX + "ssl.enabled", Boolean.class).orElse(false);
    String credentials = credentials(string(binder, "username"), string(binder, "password"));
    String database =
        binder.bind(SPRING_PREFIX + "database", Integer.class).map(d -> "/" + d).orElse("");
    List<String> sentinels =
        binder
            .bind(SPRING_PREFIX + "sentinel.nodes", Bindable.listOf(String.class))
            .orElse(List.of());
    String master = string(binder, "sentinel.master");
    if (master != null && !sentinels.isEmpty()) {
      return (ssl ? "rediss-sentinel://" : "redis-sentinel://")
          + credentials
          + String.join(",", sentinels)
          + database
          + "#"
          + master;
    }
    List<String> nodes =
        binder
            .bind(SPRING_PREFIX + "cluster.nodes", Bindable.listOf(String.class))
            .orElse(List.of());
    if (!nodes.isEmpty()) {
      return (ssl ? "rediss-cluster://" : "redis-cluster://")
          + credentials
          + String.join(",", nodes);
    }
    String host = binder.bind(SPRING_PREFIX + "host", String.class).orElse("localhost");
    int port = binder.bind(SPRING_PREFIX + "port", Integer.class).orElse(6379);
    return (ssl ? "rediss://" : "redis://") + credentials + host + ":" + port + database;
  }

  /**
   * {@code spring.data.redis.timeout} as Cascade's {@code cascade.timeout} (in ms), or null: passed
   * as a property rather than as {@code ?timeout=} in the URI, which would become part of the
   * CacheManager's name and of its MBean names.
   */
  static String springTimeout(Environment environment) {
    return Binder.get(environment)
        .bind(SPRING_PREFIX + "timeout", Duration.class)
        .map(d -> d.toMillis() + "ms")
        .orElse(null);
  }

  private static String string(Binder binder, String key) {
    String v = binder.bind(SPRING_PREFIX + key, String.class).orElse(null);
    return v == null || v.isBlank() ? null : v;
  }

  /** {@code user:password@}, percent-encoded (Lettuce decodes it), or empty. */
  private static String credentials(String user, String password) {
    if (password == null) {
      return user == null ? "" : encode(user) + "@";
    }
    return (user == null ? "" : encode(user)) + ":" + encode(password) + "@";
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
