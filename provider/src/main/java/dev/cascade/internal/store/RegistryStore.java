package dev.cascade.internal.store;

import io.lettuce.core.KeyValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry entries of caches in Redis ({@code cascade:<cache>:meta}): a hash of text fields
 * that says how the cache's entries are laid out and encoded, so every JVM that opens the cache
 * agrees. A destroyed cache leaves a mark there for a while (one field, {@value #DESTROYED}), which
 * counts as no record for everything but {@link #recordAgainOrRead}. Knows the fields as text only;
 * what they mean is the engine's. Blocking calls; thread-safe.
 */
public final class RegistryStore {

  /** The field of a destroyed cache's mark: when it was destroyed (epoch ms). */
  public static final String DESTROYED = "destroyed";

  private final RedisAccess redis;

  public RegistryStore(RedisAccess redis) {
    this.redis = redis;
  }

  /**
   * Records {@code fields} for the cache unless it is recorded already ({@code register.lua}, one
   * step, so two first JVMs cannot both write). Returns what was recorded before, or an empty map
   * when this call recorded it.
   */
  public Map<String, String> recordOrRead(String cacheName, Map<String, String> fields) {
    return register(cacheName, "1", fields, "registering cache '" + cacheName + "'");
  }

  /**
   * Like {@link #recordOrRead}, for a cache open here whose record Redis lost: records {@code
   * fields} unless the cache has a record or a destroyed cache's mark, which it returns (the mark
   * as the one field {@link #DESTROYED}).
   */
  public Map<String, String> recordAgainOrRead(String cacheName, Map<String, String> fields) {
    return register(
        cacheName, "0", fields, "recording cache '" + cacheName + "' again in the registry");
  }

  private Map<String, String> register(
      String cacheName, String markIsNoRecord, Map<String, String> fields, String what) {
    List<byte[]> args = new ArrayList<>();
    args.add(utf8(markIsNoRecord));
    for (Map.Entry<String, String> e : fields.entrySet()) {
      args.add(utf8(e.getKey()));
      args.add(utf8(e.getValue()));
    }
    List<Object> reply =
        redis.await(
            redis.eval(
                Script.REGISTER,
                new byte[][] {KeyLayout.metaKeyOf(cacheName)},
                args.toArray(new byte[0][])),
            what);
    Map<String, String> recorded = new LinkedHashMap<>();
    for (int i = 0; i + 1 < reply.size(); i += 2) {
      recorded.put(text((byte[]) reply.get(i)), text((byte[]) reply.get(i + 1)));
    }
    return recorded;
  }

  /**
   * Puts the mark of a destroyed cache in place of its record ({@code destroyed.lua}), for {@code
   * ttlMillis}; a mark already there keeps its time.
   */
  public void markDestroyed(String cacheName, long ttlMillis) {
    redis.await(
        redis.evalInteger(
            Script.DESTROYED,
            new byte[][] {KeyLayout.metaKeyOf(cacheName)},
            utf8(Long.toString(System.currentTimeMillis())),
            utf8(Long.toString(ttlMillis))),
        "marking cache '" + cacheName + "' destroyed in the registry");
  }

  /**
   * The fields {@code names} of the cache's record, or of its mark, in that order (null where
   * absent): one round trip, for the check that the record a cache was opened with is still there.
   */
  public List<String> fields(String cacheName, String... names) {
    byte[][] raw = new byte[names.length][];
    for (int i = 0; i < names.length; i++) {
      raw[i] = utf8(names[i]);
    }
    List<String> out = new ArrayList<>(names.length);
    for (KeyValue<byte[], byte[]> field :
        redis.await(
            redis.commands().hmget(KeyLayout.metaKeyOf(cacheName), raw),
            "reading the registry entry of cache '" + cacheName + "'")) {
      out.add(field.hasValue() ? text(field.getValue()) : null);
    }
    return out;
  }

  /**
   * Deletes the cache's record if its field {@code field} holds {@code value} ({@code
   * withdraw.lua}).
   */
  public void deleteIfRecordedBy(String cacheName, String field, String value) {
    redis.await(
        redis.evalInteger(
            Script.WITHDRAW,
            new byte[][] {KeyLayout.metaKeyOf(cacheName)},
            utf8(field),
            utf8(value)),
        "taking back the registry entry of cache '" + cacheName + "'");
  }

  /**
   * The cache's recorded fields; empty when Redis has no such cache (or the mark of a destroyed
   * one).
   */
  public Map<String, String> read(String cacheName) {
    Map<byte[], byte[]> raw =
        redis.await(
            redis.commands().hgetall(KeyLayout.metaKeyOf(cacheName)),
            "reading the registry entry of cache '" + cacheName + "'");
    Map<String, String> out = new LinkedHashMap<>();
    raw.forEach((k, v) -> out.put(text(k), text(v)));
    return out.containsKey(DESTROYED) ? Map.of() : out;
  }

  /** The server, for messages. */
  public String server() {
    return redis.target().toString();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
