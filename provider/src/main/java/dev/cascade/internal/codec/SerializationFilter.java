package dev.cascade.internal.codec;

import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The allow-list of classes that Java deserialization may create from bytes read out of Redis.
 *
 * <p>A shared Redis is an attack surface: anybody who can write to it can plant bytes that name
 * a "gadget" class. So Cascade only deserializes classes this filter allows, and names the
 * rejected class (and the setting to change) when it refuses.
 *
 * <p>Patterns: {@code com.acme.Product} (one class), {@code com.acme.*} (classes of one package),
 * {@code com.acme.**} (a package and its sub-packages), {@code com.acme.Prod*} (a name prefix).
 * Arrays are judged by their element type; primitives are always allowed.
 *
 * <p>Immutable and thread-safe.
 */
public final class SerializationFilter implements ObjectInputFilter {

  /** The JDK value types that are safe to create from untrusted bytes. */
  public static final List<String> JDK_DEFAULTS = List.of(
      "java.lang.Object", "java.lang.String", "java.lang.Boolean", "java.lang.Byte", "java.lang.Character",
      "java.lang.Short", "java.lang.Integer", "java.lang.Long", "java.lang.Float",
      "java.lang.Double", "java.lang.Number", "java.lang.Enum", "java.lang.Record",
      "java.lang.StackTraceElement", "java.lang.Throwable", "java.lang.Exception",
      "java.lang.RuntimeException",
      "java.util.*", "java.time.*", "java.math.*", "java.net.URI", "java.net.URL",
      "java.sql.Date", "java.sql.Time", "java.sql.Timestamp");

  /**
   * What JCache and Spring annotations store besides the application's own values: the keys they
   * generate (plain holders of the method's parameters) and Spring's stand-in for a cached
   * {@code null}; allowed so annotation caching works without settings.
   */
  public static final List<String> ANNOTATION_KEY_DEFAULTS = List.of(
      "org.jsr107.ri.annotations.DefaultGeneratedCacheKey",
      "org.springframework.cache.interceptor.SimpleKey",
      "org.springframework.cache.support.NullValue");

  /** The system property that adds patterns for every cache: {@value}. */
  public static final String ALLOW_PROPERTY = "cascade.codec.allow";

  /** Depth and size limits against resource exhaustion by crafted streams. */
  private static final long MAX_DEPTH = 64;
  private static final long MAX_REFERENCES = 1_000_000;
  private static final long MAX_ARRAY_LENGTH = 100_000_000;

  private final List<String> patterns;

  private SerializationFilter(List<String> patterns) {
    this.patterns = List.copyOf(patterns);
  }

  /**
   * The JDK value types, the annotation keys, and the patterns of the {@value #ALLOW_PROPERTY}
   * system property.
   */
  public static SerializationFilter defaults() {
    return of(JDK_DEFAULTS).allowing(ANNOTATION_KEY_DEFAULTS).allowing(parse(System.getProperty(ALLOW_PROPERTY)));
  }

  public static SerializationFilter of(List<String> patterns) {
    return new SerializationFilter(patterns);
  }

  /** Splits a {@code ;} or {@code ,} separated list of patterns. */
  public static List<String> parse(String patterns) {
    if (patterns == null || patterns.isBlank()) {
      return List.of();
    }
    List<String> result = new ArrayList<>();
    for (String p : patterns.split("[;,]")) {
      if (!p.isBlank()) {
        result.add(p.trim());
      }
    }
    return result;
  }

  /** A filter that also allows {@code more}. */
  public SerializationFilter allowing(List<String> more) {
    if (more.isEmpty()) {
      return this;
    }
    List<String> all = new ArrayList<>(patterns);
    for (String p : more) {
      if (!all.contains(p)) {
        all.add(p);
      }
    }
    return new SerializationFilter(all);
  }

  /** A filter that also allows {@code type} and every class of its package and sub-packages. */
  public SerializationFilter allowingPackageOf(Class<?> type) {
    Class<?> t = type;
    while (t.isArray()) {
      t = t.getComponentType();
    }
    if (t.isPrimitive() || t == Object.class || t.getName().startsWith("java.")) {
      return this;
    }
    String pkg = t.getPackageName();
    return allowing(pkg.isEmpty() ? List.of(t.getName()) : List.of(t.getName(), pkg + ".**"));
  }

  public List<String> patterns() {
    return Collections.unmodifiableList(patterns);
  }

  public boolean allows(Class<?> type) {
    Class<?> t = type;
    while (t.isArray()) {
      t = t.getComponentType();
    }
    if (t.isPrimitive()) {
      return true;
    }
    String name = t.getName();
    for (String p : patterns) {
      if (matches(p, name)) {
        return true;
      }
    }
    return false;
  }

  static boolean matches(String pattern, String className) {
    if (pattern.endsWith(".**")) {
      String pkg = pattern.substring(0, pattern.length() - 3);
      return className.startsWith(pkg + ".");
    }
    if (pattern.endsWith(".*")) {
      String pkg = pattern.substring(0, pattern.length() - 2);
      return className.startsWith(pkg + ".") && className.indexOf('.', pkg.length() + 1) < 0;
    }
    if (pattern.endsWith("*")) {
      return className.startsWith(pattern.substring(0, pattern.length() - 1));
    }
    return className.equals(pattern);
  }

  @Override
  public Status checkInput(FilterInfo info) {
    if (info.depth() > MAX_DEPTH || info.references() > MAX_REFERENCES
        || info.arrayLength() > MAX_ARRAY_LENGTH) {
      return Status.REJECTED;
    }
    Class<?> type = info.serialClass();
    if (type == null) {
      return Status.UNDECIDED;
    }
    return allows(type) ? Status.ALLOWED : Status.REJECTED;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SerializationFilter && ((SerializationFilter) o).patterns.equals(patterns);
  }

  @Override
  public int hashCode() {
    return Objects.hash(patterns);
  }

  @Override
  public String toString() {
    return String.join(";", patterns);
  }
}
