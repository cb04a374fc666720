package dev.cascade.internal.codec;

import dev.cascade.codec.Codec;
import dev.cascade.codec.CodecContext;
import dev.cascade.codec.CodecProvider;
import javax.cache.CacheException;

/**
 * The {@code json} codecs: values as JSON documents bound to the cache's declared value type;
 * {@code String}, {@code Long}, {@code Integer} and {@code byte[]} keys in the same readable form
 * as the {@code java} codecs, other keys as compact JSON with sorted properties (deterministic).
 * Built on Jackson 2 ({@link JsonCodec}), an optional dependency: this class names no Jackson type,
 * so it loads without Jackson and says which jar to add.
 *
 * <p>Never binds to a type read from Redis: a declared type of {@code Object} (nothing to bind to)
 * is refused, and so are types a joined cache read from the registry ({@link
 * CodecContext#typesFromRedis()}). Stateless; thread-safe.
 */
public final class JsonCodecProvider implements CodecProvider {

  public static final String NAME = "json";

  static final String ARTIFACT = "com.fasterxml.jackson.core:jackson-databind";
  static final String JSR310_ARTIFACT = "com.fasterxml.jackson.datatype:jackson-datatype-jsr310";

  /** The loader that must see Jackson: the one that links {@link JsonCodec}. */
  private final ClassLoader jacksonLoader;

  public JsonCodecProvider() {
    this(JsonCodecProvider.class.getClassLoader());
  }

  /** For tests: a loader that cannot see Jackson shows the error a user without it gets. */
  JsonCodecProvider(ClassLoader jacksonLoader) {
    this.jacksonLoader = jacksonLoader;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public <K> Codec<K> keyCodec(Class<K> type, CodecContext context) {
    @SuppressWarnings("unchecked")
    Codec<K> direct = (Codec<K>) Codecs.direct(type);
    if (direct != null) {
      // the same bytes as the java codec: redis-cli shows cascade:users:{users#2.18}:123
      return direct;
    }
    requireBindable(type, "key", context);
    requireJackson(context);
    return JsonCodec.forKeys(type, context);
  }

  @Override
  public <V> Codec<V> valueCodec(Class<V> type, CodecContext context) {
    requireBindable(type, "value", context);
    requireJackson(context);
    return JsonCodec.forValues(type, context);
  }

  private static void requireBindable(Class<?> type, String role, CodecContext context) {
    if (type == Object.class) {
      throw new IllegalArgumentException(
          "Cache '"
              + context.cacheName()
              + "' uses the json codec, which binds JSON to the cache's declared "
              + role
              + " type, but the cache declares none (java.lang.Object), and JSON carries no Java"
              + " type of its own. Declare the "
              + role
              + " type (setTypes(Long.class, User.class); Map.class or JsonNode.class for"
              + " free-form JSON), or use the java codec for this cache.");
    }
    if (context.typesFromRedis() && !isJdkValueType(type)) {
      throw new IllegalArgumentException(
          "Cache '"
              + context.cacheName()
              + "' uses the json codec and was opened with getCache(name), so its "
              + role
              + " type "
              + type.getName()
              + " was read from the cache's registry entry in Redis; the json codec binds only"
              + " to types this JVM's code names. Open it with getCache(\""
              + context.cacheName()
              + "\", keyType, valueType) or createCache.");
    }
  }

  /** Types whose JSON binding runs no application code: safe even when Redis named them. */
  private static boolean isJdkValueType(Class<?> type) {
    return Codecs.direct(type) != null
        || type == Boolean.class
        || type == Short.class
        || type == Byte.class
        || type == Double.class
        || type == Float.class
        || type == Character.class;
  }

  private void requireJackson(CodecContext context) {
    try {
      Class.forName("com.fasterxml.jackson.databind.ObjectMapper", false, jacksonLoader);
      Class.forName("com.fasterxml.jackson.core.StreamReadConstraints", false, jacksonLoader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new CacheException(
          "Cache '"
              + context.cacheName()
              + "' uses the json codec, which needs Jackson 2.15 or later on the class path: add "
              + ARTIFACT
              + " (and "
              + JSR310_ARTIFACT
              + " for java.time values). Missing: "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public String toString() {
    return NAME;
  }
}
