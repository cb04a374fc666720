package dev.cascade.internal.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry entries of caches in Redis ({@code cascade:<cache>:meta}): a hash of text fields
 * that says how the cache's entries are laid out and encoded, so every JVM that opens the cache
 * agrees. Knows the fields as text only; what they mean is the engine's. Blocking calls;
 * thread-safe.
 */
public final class RegistryStore {

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
    List<Object> reply =
        redis.await(
            redis.eval(
                Script.REGISTER, new byte[][] {KeyLayout.metaKeyOf(cacheName)}, pairs(fields)),
            "registering cache '" + cacheName + "'");
    Map<String, String> recorded = new LinkedHashMap<>();
    for (int i = 0; i + 1 < reply.size(); i += 2) {
      recorded.put(text((byte[]) reply.get(i)), text((byte[]) reply.get(i + 1)));
    }
    return recorded;
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

  private static byte[][] pairs(Map<String, String> fields) {
    List<byte[]> args = new ArrayList<>();
    for (Map.Entry<String, String> e : fields.entrySet()) {
      args.add(utf8(e.getKey()));
      args.add(utf8(e.getValue()));
    }
    return args.toArray(new byte[0][]);
  }

  /** The cache's recorded fields; empty when Redis has no such cache. */
  public Map<String, String> read(String cacheName) {
    Map<byte[], byte[]> raw =
        redis.await(
            redis.commands().hgetall(KeyLayout.metaKeyOf(cacheName)),
            "reading the registry entry of cache '" + cacheName + "'");
    Map<String, String> out = new LinkedHashMap<>();
    raw.forEach((k, v) -> out.put(text(k), text(v)));
    return out;
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
