package dev.cascade.internal.support;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that decides how a URI that may carry credentials is shown: in {@code toString()},
 * exception messages, log records and JMX ObjectNames. A password is replaced by {@value #MASK}, a
 * user name stays (it tells two ACL users apart):
 *
 * <pre>
 * redis://alice:s3cret@host:6379/1          redis://alice:***@host:6379/1
 * redis://:p@ss/w0rd@host:6379              redis://***@host:6379
 * redis-sentinel://:pw@h1:26379,h2:26380#m  redis-sentinel://***@h1:26379,h2:26380#m
 * redis://host:6379?password=pw&amp;timeout=2s  redis://host:6379?password=***&amp;timeout=2s
 * </pre>
 *
 * <p>Works on the raw text, not on a parsed {@link URI}: a password with a raw {@code @ / ? # %}
 * makes the URI unparseable or parsed wrongly, and such a URI must be hidden as well as a valid
 * one. So everything between the scheme and the <em>last</em> {@code @} is taken as credentials,
 * even when that {@code @} is in the query ({@code ?clientName=me@x}): a raw {@code ?} may as well
 * be part of a password, and hiding too much costs a less useful message, while guessing wrong
 * shows the password. A URI without credentials is shown unchanged (the TCK names MBeans after it).
 *
 * <p>Stateless and thread-safe.
 */
public final class Redaction {

  /** What a password is shown as. */
  public static final String MASK = "***";

  /**
   * Query parameters whose value is a secret; Lettuce reads none of them, but whoever wrote one
   * meant it.
   */
  private static final List<String> SECRET_PARAMETERS =
      List.of("pass", "pwd", "secret", "token", "auth", "cred", "key");

  /**
   * A user name as RFC 3986 allows it in userinfo; anything else before the ':' may be part of a
   * password.
   */
  private static final Pattern USER =
      Pattern.compile("(?:[A-Za-z0-9._~!$&'()*+,;=-]|%[0-9A-Fa-f]{2})+");

  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

  private Redaction() {}

  /** {@code uri} fit for display: the password in its userinfo and secret query values masked. */
  public static String uri(URI uri) {
    return uri(uri == null ? null : uri.toString());
  }

  /** Like {@link #uri(URI)} for any text meant as a URI, valid or not. */
  public static String uri(String uri) {
    if (uri == null) {
      return "null";
    }
    int start = authorityStart(uri);
    int at = uri.lastIndexOf('@');
    if (at < start) {
      return uri.substring(0, start) + withoutSecretParameters(uri.substring(start));
    }
    return uri.substring(0, start)
        + credentials(uri.substring(start, at))
        + "@"
        + withoutSecretParameters(uri.substring(at + 1));
  }

  /**
   * {@code uri} with its userinfo and secret query parameters (with their separator) taken out
   * rather than masked, for names that must hold no secret and no {@value #MASK} either (a {@code
   * *} makes a JMX ObjectName a pattern). The user name, which is no secret, is {@link #user}. Same
   * reading of the raw text as {@link #uri(String)}.
   */
  public static String withoutSecrets(String uri) {
    if (uri == null) {
      return "null";
    }
    int start = authorityStart(uri);
    int at = uri.lastIndexOf('@');
    String rest = at < start ? uri.substring(start) : uri.substring(at + 1);
    return uri.substring(0, start) + secretParametersRemoved(rest);
  }

  /**
   * The user name in {@code uri}'s userinfo as {@link #uri(String)} shows it (a valid user name
   * before a ':'), or an empty string when there is none.
   */
  public static String user(String uri) {
    if (uri == null) {
      return "";
    }
    int start = authorityStart(uri);
    int at = uri.lastIndexOf('@');
    if (at < start) {
      return "";
    }
    String shown = credentials(uri.substring(start, at));
    return shown.endsWith(":" + MASK) ? shown.substring(0, shown.length() - MASK.length() - 1) : "";
  }

  private static String secretParametersRemoved(String rest) {
    int q = rest.indexOf('?');
    if (q < 0) {
      return rest;
    }
    int hash = rest.indexOf('#', q);
    int end = hash < 0 ? rest.length() : hash;
    List<String> kept = new ArrayList<>();
    List<Character> separators = new ArrayList<>();
    int from = q + 1;
    while (from <= end) {
      int next = nextSeparator(rest, from, end);
      String parameter = rest.substring(from, next);
      int eq = parameter.indexOf('=');
      if (!(eq >= 0 && isSecret(parameter.substring(0, eq)))) {
        kept.add(parameter);
        separators.add(next < end ? rest.charAt(next) : '&');
      }
      from = next + 1;
    }
    StringBuilder out = new StringBuilder(rest.substring(0, kept.isEmpty() ? q : q + 1));
    for (int i = 0; i < kept.size(); i++) {
      if (i > 0) {
        out.append(separators.get(i - 1));
      }
      out.append(kept.get(i));
    }
    return out.append(rest, end, rest.length()).toString();
  }

  /**
   * {@code text} (a message of another library, which may quote the URI it failed on, whole or in
   * part) with {@code uri} shown as {@link #uri(String)} shows it and each of its secrets, raw or
   * percent-decoded, masked.
   */
  public static String message(String text, String uri) {
    if (text == null || uri == null) {
      return text;
    }
    String out = text.replace(uri, uri(uri));
    for (String secret : secretsOf(uri)) {
      out = out.replace(secret, MASK);
    }
    return out;
  }

  /**
   * A stand-in for {@code failure} and its causes, for chaining to an exception of our own when
   * their messages may quote {@code uri}: same class names (in the message), messages through
   * {@link #message}, same stack traces.
   */
  public static RuntimeException failure(Throwable failure, String uri) {
    return new RedactedFailure(failure, uri, 0);
  }

  private static int authorityStart(String uri) {
    int slashes = uri.indexOf("://");
    if (slashes >= 0) {
      return slashes + 3;
    }
    Matcher scheme = SCHEME.matcher(uri);
    return scheme.find() ? scheme.end() : 0;
  }

  private static String credentials(String userInfo) {
    if (userInfo.isEmpty()) {
      return "";
    }
    int colon = userInfo.indexOf(':');
    if (colon > 0 && USER.matcher(userInfo.substring(0, colon)).matches()) {
      return userInfo.substring(0, colon) + ":" + MASK;
    }
    // no ':' means Lettuce reads it all as a password; a leading ':' means no user
    return MASK;
  }

  private static String withoutSecretParameters(String rest) {
    int q = rest.indexOf('?');
    if (q < 0) {
      return rest;
    }
    int hash = rest.indexOf('#', q);
    int end = hash < 0 ? rest.length() : hash;
    StringBuilder out = new StringBuilder(rest.substring(0, q + 1));
    int from = q + 1;
    while (from <= end) {
      int next = nextSeparator(rest, from, end);
      String parameter = rest.substring(from, next);
      int eq = parameter.indexOf('=');
      out.append(
          eq >= 0 && isSecret(parameter.substring(0, eq))
              ? parameter.substring(0, eq + 1) + MASK
              : parameter);
      if (next < end) {
        out.append(rest.charAt(next));
      }
      from = next + 1;
    }
    return out.append(rest, end, rest.length()).toString();
  }

  /** Lettuce separates query parameters with '&' or ';'. */
  private static int nextSeparator(String s, int from, int end) {
    for (int i = from; i < end; i++) {
      char c = s.charAt(i);
      if (c == '&' || c == ';') {
        return i;
      }
    }
    return end;
  }

  private static boolean isSecret(String parameterName) {
    String name = decode(parameterName).toLowerCase(Locale.ROOT);
    return SECRET_PARAMETERS.stream().anyMatch(name::contains);
  }

  /**
   * Every secret {@code uri} carries, raw and percent-decoded, longest first (so no piece of one is
   * left).
   */
  private static List<String> secretsOf(String uri) {
    List<String> secrets = new ArrayList<>();
    int start = authorityStart(uri);
    int at = uri.lastIndexOf('@');
    String rest = uri;
    if (at >= start) {
      String userInfo = uri.substring(start, at);
      String shown = credentials(userInfo);
      String secret =
          shown.endsWith(":" + MASK) ? userInfo.substring(userInfo.indexOf(':') + 1) : userInfo;
      secrets.add(secret);
      // Lettuce reads a leading ':' as "no user": the password is what follows it
      secrets.add(secret.startsWith(":") ? secret.substring(1) : secret);
      rest = uri.substring(at + 1);
    }
    int q = rest.indexOf('?');
    if (q >= 0) {
      int hash = rest.indexOf('#', q);
      for (String parameter :
          rest.substring(q + 1, hash < 0 ? rest.length() : hash).split("[&;]")) {
        int eq = parameter.indexOf('=');
        if (eq >= 0 && isSecret(parameter.substring(0, eq))) {
          secrets.add(parameter.substring(eq + 1));
        }
      }
    }
    List<String> all = new ArrayList<>();
    for (String s : secrets) {
      all.add(s);
      all.add(decode(s));
    }
    all.removeIf(s -> s.isEmpty() || s.equals(MASK));
    all.sort(Comparator.comparingInt(String::length).reversed());
    return all;
  }

  /** Percent-decodes what is well-formed and leaves the rest (unlike URLDecoder, '+' stays '+'). */
  private static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
        bytes.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static boolean isHex(char c) {
    return Character.digit(c, 16) >= 0;
  }

  /**
   * Shows as the original ({@code java.net.URISyntaxException: ...}) in a stack trace, with the URI
   * redacted.
   */
  private static final class RedactedFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RedactedFailure(Throwable original, String uri, int depth) {
      super(
          original.getClass().getName() + ": " + message(original.getMessage(), uri),
          original.getCause() == null || depth >= 8
              ? null
              : new RedactedFailure(original.getCause(), uri, depth + 1),
          false,
          true);
      setStackTrace(original.getStackTrace());
    }

    @Override
    public String toString() {
      return getMessage();
    }
  }
}
