package dev.cascade.internal.admin;

import dev.cascade.CascadeAdmin.Shown;
import dev.cascade.codec.Codec;
import dev.cascade.internal.codec.Codecs;
import dev.cascade.internal.codec.SerializationFilter;
import dev.cascade.internal.store.EntryStore;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.internal.store.OperationIds;
import dev.cascade.internal.store.RedisAccess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

/**
 * One cache as its registry entry describes it, seen by an operator: its key layout, the codecs of
 * its recorded types (under this JVM's allow-list: the recorded names never widen it), and a store
 * for replays. Immutable; thread-safe.
 */
final class CacheView {

  final String name;
  final Map<String, String> record;
  final KeyLayout layout;
  final String keyType;
  final String valueType;

  /** Records a partition's queue may hold (0 unbounded); -1 when the cache is not write-behind. */
  final int queueBound;

  private final Codec<?> keys;
  private final Codec<?> values;
  private final RedisAccess redis;
  private volatile EntryStore store;

  CacheView(
      String name,
      Map<String, String> record,
      SerializationFilter filter,
      ClassLoader loader,
      RedisAccess redis) {
    this.name = name;
    this.record = Map.copyOf(record);
    this.redis = redis;
    this.keyType = record.getOrDefault("keyType", "java.lang.Object");
    this.valueType = record.getOrDefault("valueType", "java.lang.Object");
    this.layout = new KeyLayout(name, Integer.parseInt(record.getOrDefault("partitions", "16")));
    this.queueBound =
        "true".equals(record.get("writeBehind"))
            ? Integer.parseInt(record.getOrDefault("queueBound", "0"))
            : -1;
    this.keys = Codecs.forKeys(directType(keyType), filter, loader);
    this.values = Codecs.forValues(directType(valueType), filter, loader);
  }

  boolean isWriteBehind() {
    return queueBound >= 0;
  }

  /** How the values are encoded, for people. */
  String codec() {
    String recorded = record.get("codec");
    if (recorded != null) {
      return recorded;
    }
    return directType(valueType) == Object.class ? "tagged (Java serialization)" : "direct";
  }

  /**
   * A store that replays through {@code mutate.lua} with the cache's queue bound, under an origin
   * of its own (its operation log), made on first use.
   */
  EntryStore store() {
    EntryStore s = store;
    if (s == null) {
      byte[] origin = ("admin-" + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII);
      s = new EntryStore(redis, layout, origin, new OperationIds(), queueBound, 0, Duration.ZERO);
      store = s;
    }
    return s;
  }

  Shown showKey(byte[] bytes) {
    return show(keys, bytes);
  }

  Shown showValue(byte[] bytes) {
    return bytes == null ? null : show(values, bytes);
  }

  private Shown show(Codec<?> codec, byte[] bytes) {
    try {
      return new Shown(codec.decode(bytes), bytes, null);
    } catch (RuntimeException | LinkageError e) {
      String reason = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
      return new Shown(null, bytes, reason + " (" + codec() + ")");
    }
  }

  /**
   * The bytes of a key given as text: as is for {@code String} keys, a decimal number for {@code
   * Long}/{@code Integer}, hex for {@code byte[]}, else Cascade's tagged key of the String.
   *
   * @throws IllegalArgumentException when the text is not a key of this cache
   */
  @SuppressWarnings("unchecked")
  byte[] encodeKey(String text) {
    try {
      switch (keyType) {
        case "java.lang.String":
          return text.getBytes(StandardCharsets.UTF_8);
        case "java.lang.Long":
          return ((Codec<Long>) keys).encode(Long.parseLong(text.trim()));
        case "java.lang.Integer":
          return ((Codec<Integer>) keys).encode(Integer.parseInt(text.trim()));
        case "[B":
          return HexFormat.of().parseHex(text.startsWith("hex:") ? text.substring(4) : text);
        default:
          return ((Codec<Object>) keys).encode(text);
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a key of cache '"
              + name
              + "', whose keys are "
              + keyType
              + (keyType.equals("[B") ? " (give them in hex)" : "")
              + ": "
              + e.getMessage());
    }
  }

  /** The type whose codec reads this recorded type: one of the direct ones, else Object. */
  private static Class<?> directType(String typeName) {
    return switch (typeName) {
      case "java.lang.String" -> String.class;
      case "java.lang.Long" -> Long.class;
      case "java.lang.Integer" -> Integer.class;
      case "[B" -> byte[].class;
      default -> Object.class;
    };
  }
}
