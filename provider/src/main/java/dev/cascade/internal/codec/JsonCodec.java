package dev.cascade.internal.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.jsontype.BasicPolymorphicTypeValidator;
import com.fasterxml.jackson.databind.jsontype.PolymorphicTypeValidator;
import dev.cascade.codec.Codec;
import dev.cascade.codec.CodecContext;
import dev.cascade.codec.CodecException;
import dev.cascade.codec.SerializationLimits;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * A key or value as JSON, bound to the cache's declared type with Jackson 2: the reader is made for
 * that type once, so the bytes never choose a class (no default typing, no {@code @class}), and
 * polymorphism a user's own classes ask for with {@code @JsonTypeInfo} may only name classes in the
 * declared type's package and its sub-packages. Only {@link JsonCodecProvider} makes one, after
 * checking that Jackson is there. Thread-safe: Jackson's readers and writers are immutable.
 */
final class JsonCodec<T> implements Codec<T> {

  /**
   * The Jackson modules registered when present, found by {@link ServiceLoader} like {@code
   * findAndRegisterModules}, but only these: every JVM that shares the cache must write the same
   * JSON, and an arbitrary module on one JVM's class path could change it (the same set Spring Boot
   * registers).
   */
  private static final Set<String> MODULES =
      Set.of(
          "com.fasterxml.jackson.datatype.jsr310.JavaTimeModule",
          "com.fasterxml.jackson.datatype.jdk8.Jdk8Module",
          "com.fasterxml.jackson.module.paramnames.ParameterNamesModule",
          "com.fasterxml.jackson.module.kotlin.KotlinModule");

  private final Class<T> type;
  private final String role;
  private final String cacheName;
  private final long maxBytes;
  private final ObjectReader reader;
  private final ObjectWriter writer;

  private JsonCodec(Class<T> type, String role, CodecContext context, JsonMapper mapper) {
    this.type = type;
    this.role = role;
    this.cacheName = context.cacheName();
    this.maxBytes = context.deserializationLimits().maxBytes();
    this.reader = mapper.readerFor(type);
    this.writer = mapper.writerFor(type);
  }

  static <K> Codec<K> forKeys(Class<K> type, CodecContext context) {
    // sorted properties and map entries: equal keys must give equal bytes in every JVM
    return new JsonCodec<>(type, "key", context, mapper(type, context, true));
  }

  static <V> Codec<V> forValues(Class<V> type, CodecContext context) {
    return new JsonCodec<>(type, "value", context, mapper(type, context, false));
  }

  private static JsonMapper mapper(Class<?> type, CodecContext context, boolean sorted) {
    SerializationLimits limits = context.deserializationLimits();
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth((int) Math.min(limits.maxDepth(), Integer.MAX_VALUE))
                    .build())
            .build();
    JsonMapper.Builder builder =
        JsonMapper.builder(factory)
            .polymorphicTypeValidator(subtypesOf(type))
            // a reader that ignores fields it does not know lets another service (or a newer
            // version of this one) add fields without breaking this JVM's reads
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // java.time as ISO-8601 text (what other languages parse), zones kept as written
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .enable(SerializationFeature.WRITE_DATES_WITH_ZONE_ID)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            // deterministic: replace(k, old, new) and invoke compare encoded values
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .configure(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, sorted);
    for (Module module : modules()) {
      builder.addModule(module);
    }
    return builder.build();
  }

  /**
   * Subtypes a user's {@code @JsonTypeInfo} may name: the declared type's package and below (none
   * for a JDK type), so type ids in the bytes cannot reach a gadget class elsewhere.
   */
  private static PolymorphicTypeValidator subtypesOf(Class<?> type) {
    BasicPolymorphicTypeValidator.Builder b = BasicPolymorphicTypeValidator.builder();
    String pkg = type.getPackageName();
    if (!pkg.isEmpty() && !pkg.startsWith("java.") && !pkg.startsWith("javax.")) {
      b.allowIfSubType(pkg + ".");
    }
    return b.build();
  }

  private static Iterable<Module> modules() {
    List<Module> found = new ArrayList<>();
    try {
      ServiceLoader.load(Module.class, JsonMapper.class.getClassLoader()).stream()
          .filter(p -> MODULES.contains(p.type().getName()))
          .forEach(p -> found.add(p.get()));
    } catch (ServiceConfigurationError e) {
      // a broken module elsewhere on the class path: the ones found so far still help
    }
    return found;
  }

  @Override
  public byte[] encode(T value) {
    try {
      return writer.writeValueAsBytes(value);
    } catch (IOException | RuntimeException e) {
      throw new CodecException(
          "Cannot write a "
              + value.getClass().getName()
              + " as JSON for the "
              + role
              + "s of cache '"
              + cacheName
              + "' (declared "
              + type.getName()
              + "): "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public T decode(byte[] bytes) {
    if (bytes.length > maxBytes) {
      throw new CodecException(
          "Cannot read a JSON "
              + role
              + " of cache '"
              + cacheName
              + "': it is "
              + bytes.length
              + " bytes long, longer than "
              + SerializationLimits.MAX_BYTES
              + " "
              + maxBytes
              + " (setting cascade.codec."
              + SerializationLimits.MAX_BYTES
              + ")");
    }
    T value;
    try {
      value = reader.readValue(bytes);
    } catch (StreamConstraintsException e) {
      throw new CodecException(
          "Cannot read a JSON "
              + role
              + " of cache '"
              + cacheName
              + "': "
              + e.getOriginalMessage()
              + " (setting cascade.codec."
              + SerializationLimits.MAX_DEPTH
              + ")",
          e);
    } catch (IOException | RuntimeException e) {
      throw new CodecException(
          "Cannot read JSON as a "
              + type.getName()
              + " ("
              + role
              + " of cache '"
              + cacheName
              + "'): "
              + e.getMessage(),
          e);
    }
    if (value == null) {
      throw new CodecException(
          "Cannot read JSON null as a "
              + role
              + " of cache '"
              + cacheName
              + "': a cache holds no null "
              + role
              + "s");
    }
    return value;
  }
}
