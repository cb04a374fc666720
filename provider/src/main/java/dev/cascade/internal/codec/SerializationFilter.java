package dev.cascade.internal.codec;

import dev.cascade.codec.SerializationLimits;
import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The allow-list of classes that Java deserialization may create from bytes read out of Redis, and
 * the limits on how large and deep such bytes may be.
 *
 * <p>A shared Redis is an attack surface: anybody who can write to it can plant bytes that name a
 * "gadget" class, or that make the reader allocate or hash without end. So Cascade only
 * deserializes classes this filter allows, within its {@link SerializationLimits}, and names the
 * rejected class or limit (and the setting to change) when it refuses. What this JVM allows comes
 * from this JVM's configuration only, never from anything read from Redis.
 *
 * <p>Patterns: {@code com.acme.Product} (one class), {@code com.acme.*} (classes of one package),
 * {@code com.acme.**} (a package and its sub-packages), {@code com.acme.Prod*} (a name prefix).
 * Arrays are judged by their element type; primitives are always allowed.
 *
 * <p>Immutable and thread-safe.
 */
public final class SerializationFilter implements ObjectInputFilter {

  /**
   * The JDK value types that are safe to create from untrusted bytes: their deserialization only
   * fills fields, and their {@code equals}/{@code hashCode} do no I/O. Not {@code java.net.URL},
   * whose {@code hashCode} resolves its host name (a {@code HashMap} key of one is the URLDNS
   * probe), nor the rest of {@code java.net}; a cache that declares such a type as its key or value
   * type still allows it.
   */
  public static final List<String> JDK_DEFAULTS =
      List.of(
          "java.lang.Object",
          "java.lang.String",
          "java.lang.Boolean",
          "java.lang.Byte",
          "java.lang.Character",
          "java.lang.Short",
          "java.lang.Integer",
          "java.lang.Long",
          "java.lang.Float",
          "java.lang.Double",
          "java.lang.Number",
          "java.lang.Enum",
          "java.lang.Record",
          "java.lang.StackTraceElement",
          "java.lang.Throwable",
          "java.lang.Exception",
          "java.lang.RuntimeException",
          "java.util.*",
          "java.time.*",
          "java.math.*",
          "java.sql.Date",
          "java.sql.Time",
          "java.sql.Timestamp",
          // an interface: only its arrays exist (Hibernate's disassembled entity state)
          "java.io.Serializable");

  /**
   * The system property that adds patterns for every cache: {@value}. The same name is the
   * CacheManager property; {@code cascade.cache.NAME.codec.allow} adds patterns for one cache.
   */
  public static final String ALLOW_PROPERTY = "cascade.codec.allow";

  /** The pattern that matches every class (a prefix pattern with an empty prefix). */
  private static final String ANY_CLASS = "*";

  private final List<String> patterns;
  private final SerializationLimits limits;

  /** The cache this filter guards, for messages that name its settings; null when not known. */
  private final String cacheName;

  private SerializationFilter(List<String> patterns, SerializationLimits limits, String cacheName) {
    this.patterns = List.copyOf(patterns);
    this.limits = limits;
    this.cacheName = cacheName;
  }

  /**
   * What Cascade allows with no setting: the JDK value types, the {@link FrameworkProfiles}, the
   * {@link ApplicationPackages} (derived from the main class), and the patterns of the {@value
   * #ALLOW_PROPERTY} system property.
   */
  public static SerializationFilter defaults() {
    return defaults(false, null);
  }

  /**
   * @param strict only the JDK value types and the {@value #ALLOW_PROPERTY} system property: no
   *     framework profiles, no application packages
   * @param applicationPackages more application packages ({@value ApplicationPackages#PROPERTY});
   *     null for the system property's
   */
  public static SerializationFilter defaults(boolean strict, String applicationPackages) {
    SerializationFilter jdk = of(JDK_DEFAULTS);
    SerializationFilter zero =
        strict
            ? jdk
            : jdk.allowing(FrameworkProfiles.all())
                .allowing(ApplicationPackages.patterns(applicationPackages));
    return zero.allowing(parse(System.getProperty(ALLOW_PROPERTY)));
  }

  /** Exactly these patterns, with the default limits. */
  public static SerializationFilter of(List<String> patterns) {
    return new SerializationFilter(patterns, SerializationLimits.DEFAULTS, null);
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
    return new SerializationFilter(all, limits, cacheName);
  }

  /**
   * A filter that also allows {@code type} and every class of its package and sub-packages; only
   * {@code type} itself for a JDK class. Only for types this JVM's code names (a cache's declared
   * types), never for type names read from Redis.
   */
  public SerializationFilter allowingPackageOf(Class<?> type) {
    Class<?> t = type;
    while (t.isArray()) {
      t = t.getComponentType();
    }
    if (t.isPrimitive() || t == Object.class) {
      return this;
    }
    String pkg = t.getPackageName();
    if (pkg.isEmpty() || t.getName().startsWith("java.") || t.getName().startsWith("javax.")) {
      return allows(t) ? this : allowing(List.of(t.getName()));
    }
    return allowing(List.of(t.getName(), pkg + ".**"));
  }

  /**
   * The same limits, allowing any class: for values whose authentication tag verified, so some JVM
   * holding the secret wrote them.
   */
  public SerializationFilter allowingAnyClass() {
    return new SerializationFilter(List.of(ANY_CLASS), limits, cacheName);
  }

  /** The same allow-list with other limits. */
  public SerializationFilter withLimits(SerializationLimits newLimits) {
    return new SerializationFilter(
        patterns, Objects.requireNonNull(newLimits, "limits"), cacheName);
  }

  /** The same filter, naming {@code name}'s settings when it refuses. */
  public SerializationFilter forCache(String name) {
    return new SerializationFilter(patterns, limits, name);
  }

  public List<String> patterns() {
    return Collections.unmodifiableList(patterns);
  }

  public SerializationLimits limits() {
    return limits;
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

  /**
   * Judges one step of a stream by the limits and the allow-list alone. {@link
   * JavaSerializationCodec} uses a {@link StreamFilter}, which also knows the stream's length.
   */
  @Override
  public Status checkInput(FilterInfo info) {
    if (limitExceeded(info) != null) {
      return Status.REJECTED;
    }
    Class<?> type = info.serialClass();
    if (type == null) {
      return Status.UNDECIDED;
    }
    return allows(type) ? Status.ALLOWED : Status.REJECTED;
  }

  /** Which limit {@code info} exceeds ({@link SerializationLimits#MAX_DEPTH} ...), or null. */
  String limitExceeded(FilterInfo info) {
    if (info.depth() > limits.maxDepth()) {
      return SerializationLimits.MAX_DEPTH;
    }
    if (info.references() > limits.maxRefs()) {
      return SerializationLimits.MAX_REFS;
    }
    if (info.arrayLength() > limits.maxArray()) {
      return SerializationLimits.MAX_ARRAY;
    }
    if (info.streamBytes() > limits.maxBytes()) {
      return SerializationLimits.MAX_BYTES;
    }
    return null;
  }

  /** The message that refuses a class outside the allow-list: the class, and how to allow it. */
  String refusedClass(String className) {
    String perCache =
        cacheName == null
            ? ""
            : "the CacheManager property cascade.cache."
                + cacheName
                + ".codec.allow="
                + className
                + " (this cache), ";
    return "Refusing to deserialize class "
        + className
        + ofCache()
        + ": it is not on the deserialization"
        + " allow-list. If the class is yours and safe to create from bytes in Redis, allow it with"
        + " CascadeConfiguration.allowDeserialization(\""
        + className
        + "\"), "
        + perCache
        + ALLOW_PROPERTY
        + "="
        + className
        + " (every cache; a CacheManager or system property), or declare it as the"
        + " cache's key or value type. Allowed now: ["
        + this
        + "]";
  }

  /**
   * The message that refuses a value over {@code limit}: what it is, and the setting that raises
   * it.
   */
  String refusedLimit(String what, String limit) {
    String perCache =
        cacheName == null
            ? ""
            : "cascade.cache." + cacheName + ".codec." + limit + " (this cache), ";
    return "Refusing to deserialize a value"
        + ofCache()
        + ": "
        + what
        + ". If real values need more, raise it"
        + " with "
        + perCache
        + "cascade.codec."
        + limit
        + " (every cache) or"
        + " CascadeConfiguration.setDeserializationLimits";
  }

  /** The message that refuses a value without an authentication tag while a secret is set. */
  String refusedUntagged() {
    return "Refusing to deserialize a value"
        + ofCache()
        + ": it carries no authentication tag, and "
        + ValueTags.KEY_PROPERTY
        + " is set, so only values written by a JVM with the secret are read. It was written"
        + " before the secret was set or by a JVM without it, or planted in Redis. While JVMs"
        + " move to the secret, "
        + ValueTags.ACCEPT_UNTAGGED_PROPERTY
        + "=true reads such values under the allow-list";
  }

  /** The message that refuses a value whose authentication tag does not verify. */
  String refusedTag() {
    return "Refusing to deserialize a value"
        + ofCache()
        + ": its authentication tag is not valid for this cache under "
        + ValueTags.KEY_PROPERTY
        + " (nor "
        + ValueTags.PREVIOUS_KEY_PROPERTY
        + "). It was written with another secret or for another cache, or planted or altered in"
        + " Redis";
  }

  /**
   * The message that refuses bytes no serialization stream can be: they are malformed or planted.
   */
  String refusedMalformed(String what) {
    return "Refusing to deserialize a value"
        + ofCache()
        + ": "
        + what
        + "; the bytes are malformed,"
        + " or were planted in Redis";
  }

  String ofCache() {
    return cacheName == null ? "" : " of cache '" + cacheName + "'";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SerializationFilter
        && ((SerializationFilter) o).patterns.equals(patterns)
        && ((SerializationFilter) o).limits.equals(limits)
        && Objects.equals(((SerializationFilter) o).cacheName, cacheName);
  }

  @Override
  public int hashCode() {
    return Objects.hash(patterns, limits, cacheName);
  }

  /** The patterns, with the framework profiles' classes summed up in one word. */
  @Override
  public String toString() {
    List<String> shown = new ArrayList<>();
    List<String> profiles = FrameworkProfiles.all();
    boolean hasProfiles = false;
    for (String p : patterns) {
      if (profiles.contains(p)) {
        hasProfiles = true;
      } else {
        shown.add(p);
      }
    }
    if (hasProfiles) {
      shown.add("the framework profiles (Spring, JSR-107 annotations, Hibernate)");
    }
    return String.join(";", shown);
  }
}
