package dev.cascade.internal.management;

import dev.cascade.internal.support.Redaction;
import java.net.URI;

/**
 * The name of a CacheManager: what {@code getURI()} returns, and what the {@code CacheManager=} key
 * of its MBeans is made of.
 *
 * <p>Two programs compute a cache's statistics ObjectName from {@code getURI()}, each its own way:
 * the JSR-107 TCK replaces {@code : = ,} and newlines by {@code .}; Micrometer's {@code
 * JCacheMetrics} (which Spring Boot Actuator binds for every JCache cache) replaces only {@code :}
 * and throws when the result is not a valid ObjectName. Both find the bean only when {@code
 * getURI()} holds none of {@code , = ? *} (a {@code ?} or {@code *} makes the name a pattern, which
 * no bean can be registered under) and no password (which would then be in the name). A Redis URI
 * often holds one of them: {@code redis-cluster://h1:7000,h2:7001}, {@code ?timeout=2s}, {@code
 * redis://alice:pw@host}.
 *
 * <p>So a URI free of all that is its own name (the common case, and the TCK's default URI); any
 * other gets a name derived from it: the userinfo and secret parameters taken out ({@link
 * Redaction#withoutSecrets}), a user name kept as a {@code user} parameter, and {@code , = ? *}
 * percent-encoded:
 *
 * <pre>
 * redis://127.0.0.1:6379/1                      redis://127.0.0.1:6379/1
 * redis://alice:s3cret@host:6379?timeout=2s     redis://host:6379%3Ftimeout%3D2s&user%3Dalice
 * redis-cluster://h1:7000,h2:7001               redis-cluster://h1:7000%2Ch2:7001
 * redis-sentinel://:pw@h1:26379,h2:26380#main   redis-sentinel://h1:26379%2Ch2:26380#main
 * </pre>
 *
 * The result is a valid URI, the same for the same input on every JVM, and different for URIs that
 * differ in anything but their secrets. It is a name, not an address: Cascade connects with the URI
 * the user gave (the provider maps a name back to it, see {@code CascadeCachingProvider}).
 *
 * <p>Stateless and thread-safe.
 */
public final class ManagerName {

  private ManagerName() {}

  /** The name of the manager opened with {@code requested}. */
  public static URI of(URI requested) {
    String raw = requested.toString();
    if (isName(raw)) {
      return requested;
    }
    String stripped = withUser(Redaction.withoutSecrets(raw), Redaction.user(raw));
    StringBuilder name = new StringBuilder(stripped.length() + 16);
    for (int i = 0; i < stripped.length(); i++) {
      char c = stripped.charAt(i);
      if (isReserved(c) || Character.isWhitespace(c) || c == '"' || c == '\\') {
        name.append('%').append(String.format("%02X", (int) c));
      } else {
        name.append(c);
      }
    }
    return URI.create(name.toString());
  }

  /**
   * {@code uri} with a {@code user} query parameter for {@code user}, if any: in the userinfo a
   * lone name reads as a password (Lettuce takes {@code alice@host} so), and two ACL users of one
   * server must not share a name.
   */
  private static String withUser(String uri, String user) {
    if (user.isEmpty()) {
      return uri;
    }
    int hash = uri.indexOf('#');
    int end = hash < 0 ? uri.length() : hash;
    String separator = uri.substring(0, end).indexOf('?') < 0 ? "?" : "&";
    return uri.substring(0, end) + separator + "user=" + user + uri.substring(end);
  }

  /** True when {@code uri} is its own name: no secret, and nothing a JMX value cannot hold. */
  public static boolean isName(String uri) {
    if (!Redaction.uri(uri).equals(uri)) {
      return false;
    }
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (isReserved(c) || Character.isWhitespace(c) || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  /** What breaks an unquoted ObjectName value even after {@code :} became {@code .}. */
  private static boolean isReserved(char c) {
    return c == ',' || c == '=' || c == '?' || c == '*';
  }
}
