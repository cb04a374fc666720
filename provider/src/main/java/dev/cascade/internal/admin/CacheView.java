package dev.cascade.internal.admin;

import dev.cascade.CascadeAdmin.Shown;
import dev.cascade.codec.Codec;
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

  private final String codecName;

  CacheView(String name, Map<String, String> record, ViewCodecs codecs, RedisAccess redis) {
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
    this.keys = codecs.keys();
    this.values = codecs.values();
    this.codecName = codecs.name();
  }

  boolean isWriteBehind() {
    return queueBound >= 0;
  }

  /** The codec's name, as the registry records it ({@code java} when it records none). */
  String codec() {
    return codecName;
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
      return new Shown(null, bytes, reason + " (codec " + codecName + ")");
    }
  }

  /**
   * The bytes of a key given as text: a {@code Long}/{@code Integer} key as a decimal number, a
   * {@code byte[]} key in hex, any other as the String (for a {@code String} key that is the key; a
   * key of type {@code Object} then is that String).
   *
   * @throws IllegalArgumentException when the text is not a key of this cache
   */
  @SuppressWarnings("unchecked")
  byte[] encodeKey(String text) {
    Codec<Object> codec = (Codec<Object>) keys;
    try {
      return switch (keyType) {
        case "java.lang.Long" -> codec.encode(Long.parseLong(text.trim()));
        case "java.lang.Integer" -> codec.encode(Integer.parseInt(text.trim()));
        case "[B" ->
            codec.encode(
                HexFormat.of().parseHex(text.startsWith("hex:") ? text.substring(4) : text));
        default -> codec.encode(text);
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a key of cache '"
              + name
              + "', whose keys are "
              + keyType
              + " ("
              + codecName
              + " codec): "
              + e.getMessage()
              + (keyType.equals("[B")
                  ? "; give byte[] keys in hex"
                  : "; --hex-key takes the key's bytes"));
    }
  }
}
