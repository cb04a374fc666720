package dev.cascade.internal.store;

import dev.cascade.internal.support.Redaction;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Which Redis a CacheManager talks to, parsed from its URI.
 *
 * <ul>
 *   <li>{@code redis://[user:password@]host[:port][/database]}, {@code rediss://} (TLS), and {@code
 *       redis-sentinel://host:port[,host:port]/#masterName}: as Lettuce's {@link RedisURI} reads
 *       them;
 *   <li>{@code redis-cluster://host:port[,host:port...]} (and {@code rediss-cluster://}): a Redis
 *       Cluster, named by one or more seed nodes.
 * </ul>
 *
 * {@link #toString()} shows the URI without its password ({@link Redaction#uri(String)}); only the
 * {@link RedisURI}s hold it, for Lettuce to authenticate with. With TLS ({@code rediss}), the
 * {@link TlsStores} the settings name ({@link #withTls}). Immutable.
 */
public final class RedisTarget {

  public enum Kind {
    STANDALONE,
    SENTINEL,
    CLUSTER
  }

  private final Kind kind;
  private final List<RedisURI> uris;
  private final String display;
  private final TlsStores tls;

  private RedisTarget(Kind kind, List<RedisURI> uris, String display, TlsStores tls) {
    this.kind = kind;
    this.uris = List.copyOf(uris);
    this.display = display;
    this.tls = tls;
  }

  /** True if {@code scheme} names a Redis server rather than a configuration resource. */
  public static boolean isRedisScheme(String scheme) {
    if (scheme == null) {
      return false;
    }
    switch (scheme.toLowerCase()) {
      case "redis":
      case "rediss":
      case "redis+ssl":
      case "redis+tls":
      case "redis-socket":
      case "redis-sentinel":
      case "rediss-sentinel":
      case "redis-cluster":
      case "rediss-cluster":
        return true;
      default:
        return false;
    }
  }

  /**
   * @param defaultTimeout the command timeout when the URI does not set one ({@code ?timeout=2s})
   * @throws IllegalArgumentException naming the URI and what is wrong with it
   */
  public static RedisTarget parse(String uri, Duration defaultTimeout) {
    String display = Redaction.uri(uri);
    String scheme = uri.contains("://") ? uri.substring(0, uri.indexOf("://")).toLowerCase() : "";
    try {
      if (scheme.endsWith("-cluster")) {
        String plain = scheme.startsWith("rediss") ? "rediss" : "redis";
        String rest = uri.substring(uri.indexOf("://") + 3);
        String userInfo = "";
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
          userInfo = rest.substring(0, at + 1);
          rest = rest.substring(at + 1);
        }
        String query = "";
        int q = indexOfAny(rest, '/', '?');
        if (q >= 0) {
          query = rest.substring(q);
          rest = rest.substring(0, q);
        }
        List<RedisURI> seeds = new ArrayList<>();
        for (String hostPort : rest.split(",")) {
          if (!hostPort.isBlank()) {
            seeds.add(
                withTimeout(
                    RedisURI.create(plain + "://" + userInfo + hostPort.trim() + query),
                    uri,
                    defaultTimeout));
          }
        }
        if (seeds.isEmpty()) {
          throw new IllegalArgumentException("no seed node");
        }
        return new RedisTarget(Kind.CLUSTER, seeds, display, TlsStores.NONE);
      }
      RedisURI parsed = withTimeout(RedisURI.create(uri), uri, defaultTimeout);
      Kind kind = parsed.getSentinels().isEmpty() ? Kind.STANDALONE : Kind.SENTINEL;
      return new RedisTarget(kind, List.of(parsed), display, TlsStores.NONE);
    } catch (RuntimeException e) {
      // java.net.URI's messages quote the whole input, password included: neither the message nor
      // the failure itself may travel on as they are
      throw new IllegalArgumentException(
          "Invalid Redis URI '"
              + display
              + "': "
              + Redaction.message(e.getMessage(), uri)
              + ". Expected redis://host:port, rediss://host:port, redis-sentinel://host:port#master"
              + " or redis-cluster://host:port,host:port",
          Redaction.failure(e, uri));
    }
  }

  private static RedisURI withTimeout(RedisURI parsed, String raw, Duration defaultTimeout) {
    if (!raw.contains("timeout=")) {
      parsed.setTimeout(defaultTimeout);
    }
    return parsed;
  }

  private static int indexOfAny(String s, char a, char b) {
    int i = s.indexOf(a);
    int j = s.indexOf(b);
    if (i < 0) {
      return j;
    }
    return j < 0 ? i : Math.min(i, j);
  }

  /**
   * This target with a truststore and keystore for its TLS connections.
   *
   * @throws IllegalArgumentException when the URI does not use TLS (the stores would go unused)
   */
  public RedisTarget withTls(TlsStores stores) {
    if (!stores.isEmpty() && !isTls()) {
      throw new IllegalArgumentException(
          "The Redis URI '" + display + "' does not use TLS, but " + stores + " are set for it");
    }
    return new RedisTarget(kind, uris, display, stores);
  }

  /** Whether connections use TLS ({@code rediss://}; for Sentinel, the sentinels' URI says so). */
  public boolean isTls() {
    return uris.get(0).isSsl();
  }

  public TlsStores tls() {
    return tls;
  }

  public Kind kind() {
    return kind;
  }

  public List<RedisURI> uris() {
    return uris;
  }

  public Duration timeout() {
    return uris.get(0).getTimeout();
  }

  /** The URI as {@link Redaction#uri(String)} shows it: for messages and logs. */
  @Override
  public String toString() {
    return display;
  }
}
