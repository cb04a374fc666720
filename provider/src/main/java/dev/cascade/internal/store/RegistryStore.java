package dev.cascade.internal.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry entries of caches in Redis ({@code cascade:<cache>:meta}): a hash of text fields
 * that says how the cache's entries are laid out and encoded, so every JVM that opens the cache
 * agrees. A destroyed cache leaves a mark there for a while (the field {@value #DESTROYED}), which
 * {@link #read} takes for no record. Knows the fields as text only; what they mean is the engine's.
 * Blocking calls; thread-safe.
 */
public final class RegistryStore {

  /** The field of a destroyed cache's mark: when it was destroyed (epoch ms). */
  public static final String DESTROYED = "destroyed";

  /** The field of a destroyed cache's mark once a {@code destroyCache} deleted all its keys. */
  public static final String FINISHED = "finished";

  private final RedisAccess redis;

  public RegistryStore(RedisAccess redis) {
    this.redis = redis;
  }

  /**
   * Records {@code fields} for the cache unless it is recorded already ({@code register.lua}, one
   * step, so two first JVMs cannot both write). Returns what was recorded before, or an empty map
   * when this call recorded it.
   *
   * @param markIsNoRecord true for {@code createCache}: a destroyed cache's mark is replaced once
   *     it says {@value #FINISHED} and no {@code destroyCache} is still deleting; false for joining
   *     a cache and for writing again a record Redis lost: the mark is returned (with the field
   *     {@value #DESTROYED})
   */
  public Map<String, String> recordOrRead(
      String cacheName, Map<String, String> fields, boolean markIsNoRecord) {
    List<byte[]> args = new ArrayList<>();
    args.add(utf8(markIsNoRecord ? "1" : "0"));
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
            "registering cache '" + cacheName + "'");
    Map<String, String> recorded = new LinkedHashMap<>();
    for (int i = 0; i + 1 < reply.size(); i += 2) {
      recorded.put(text((byte[]) reply.get(i)), text((byte[]) reply.get(i + 1)));
    }
    return recorded;
  }

  /** The steps of a {@code destroyCache} on the mark ({@code destroyed.lua}). */
  public enum DestroyStep {
    /** Puts the mark in place of the record (or keeps the one there) and takes a lease. */
    BEGIN("begin"),
    /** Renews the lease: the deletion goes on. */
    RENEW("renew"),
    /** Gives the lease back, says the keys are deleted, and lets the mark expire. */
    END("end"),
    /** Gives the lease back after the deletion stopped halfway: nothing is finished. */
    ABORT("abort");

    final byte[] code;

    DestroyStep(String code) {
      this.code = utf8(code);
    }
  }

  /**
   * One step of {@code destroyCache} on the mark that stands in place of the cache's record ({@code
   * destroyed.lua}): a lease of {@code leaseMillis} per {@code token}, and {@code ttlMillis} for
   * the mark once the keys are deleted.
   */
  public boolean destroyStep(
      String cacheName, DestroyStep step, String token, long leaseMillis, long ttlMillis) {
    return 1
        == redis.await(
            redis.evalInteger(
                Script.DESTROYED,
                new byte[][] {KeyLayout.metaKeyOf(cacheName)},
                step.code,
                utf8(token),
                utf8(Long.toString(leaseMillis)),
                utf8(Long.toString(ttlMillis))),
            "marking cache '" + cacheName + "' destroyed in the registry");
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
    Map<String, String> recorded = readWithMark(cacheName);
    return recorded.containsKey(DESTROYED) ? Map.of() : recorded;
  }

  /** The cache's recorded fields, or its mark if it was destroyed; empty when there is neither. */
  public Map<String, String> readWithMark(String cacheName) {
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
