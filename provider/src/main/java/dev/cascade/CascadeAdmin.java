package dev.cascade;

import dev.cascade.internal.admin.Administration;
import dev.cascade.internal.config.ManagerSettings;
import dev.cascade.internal.store.QueueStore;
import dev.cascade.internal.store.RedisAccess;
import dev.cascade.internal.support.Redaction;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import javax.cache.CacheException;
import javax.cache.CacheManager;

/**
 * What an operator does with the caches in one Redis, without opening them: list them, look at a
 * write-behind queue (depth, oldest record, lease holders, flushers), list, replay and purge dead
 * letters, and inspect one key. The {@code cascade} command line is this class; the same
 * dead-letter operations are on each cache's {@code WriteBehind} MXBean.
 *
 * <pre>{@code
 * try (CascadeAdmin admin = CascadeAdmin.connect("redis://ops:secret@redis.example:6379")) {
 *   for (CascadeAdmin.DeadLetter d : admin.deadLetters("orders", 100)) {
 *     System.out.println(d.id() + " " + d.key() + " " + d.error());
 *   }
 *   admin.replayAll("orders");          // after the cause is fixed
 * }
 * }</pre>
 *
 * <p><b>Replay never brings an older value back.</b> A dead letter is queued again only while the
 * cache still holds exactly what it would write (the same value bytes; for a delete, no entry), in
 * one atomic step through the cache's ordinary change script: the record gets a new revision, after
 * every change of its key made before, and the database ends as the cache is. A key changed since
 * is {@link ReplayResult#SUPERSEDED}: its newer change is (or was) written on its own. See {@code
 * docs/write-behind.md}.
 *
 * <p>Values are decoded with the cache's recorded types and this JVM's deserialization allow-list
 * ({@code cascade.codec.allow}); the recorded type names never widen it. What cannot be decoded is
 * shown as bytes with the reason ({@link Shown}).
 *
 * <p>Thread-safe. Closing an admin made by {@link #connect} closes its connection; one made by
 * {@link #of(CacheManager)} uses the manager's and leaves it open.
 */
public final class CascadeAdmin implements AutoCloseable {

  private final Administration administration;
  private final RedisAccess ownConnection;

  private CascadeAdmin(Administration administration, RedisAccess ownConnection) {
    this.administration = administration;
    this.ownConnection = ownConnection;
  }

  /**
   * Connects to the Redis of a CacheManager URI: a Redis URI ({@code redis://}, {@code rediss://},
   * {@code redis-sentinel://}, {@code redis-cluster://}) or a configuration file ({@code file:},
   * {@code classpath:}) with its TLS and allow-list settings.
   *
   * @throws CacheException naming the URI (password hidden) when Redis cannot be reached
   */
  public static CascadeAdmin connect(String uri) {
    return connect(uri, new Properties());
  }

  /**
   * Like {@link #connect(String)}, with properties as {@code getCacheManager(uri, loader,
   * properties)} takes them ({@code cascade.codec.allow}, {@code cascade.redis.tls.*}, ...).
   *
   * @throws CacheException when {@code uri} is not a URI (the message hides its password)
   */
  public static CascadeAdmin connect(String uri, Properties properties) {
    Objects.requireNonNull(uri, "uri");
    URI parsed;
    try {
      parsed = URI.create(uri);
    } catch (IllegalArgumentException e) {
      // the parser's message quotes the whole input, password included
      throw new CacheException(
          "'"
              + Redaction.uri(uri)
              + "' is not a valid Redis URI or configuration file URI: "
              + Redaction.message(e.getMessage(), uri),
          Redaction.failure(e, uri));
    }
    return connect(parsed, properties);
  }

  /** Like {@link #connect(String, Properties)}. */
  public static CascadeAdmin connect(URI uri, Properties properties) {
    Objects.requireNonNull(uri, "uri");
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = CascadeAdmin.class.getClassLoader();
    }
    ManagerSettings settings = ManagerSettings.resolve(uri, loader, properties);
    RedisAccess redis = RedisAccess.connect(settings.redisTarget());
    return new CascadeAdmin(new Administration(redis, settings, loader), redis);
  }

  /**
   * An admin on a Cascade CacheManager's connection (closing the admin leaves it open); values of
   * the caches the manager has open decode as they do there.
   */
  public static CascadeAdmin of(CacheManager manager) {
    CascadeCacheManager m = manager.unwrap(CascadeCacheManager.class);
    return new CascadeAdmin(new Administration(m.redis(), m.viewCodecs()), null);
  }

  /** Every cache recorded in this Redis, by name, with its entry count (a full {@code SCAN}). */
  public List<CacheInfo> caches() {
    return administration.caches(true);
  }

  /** Every cache recorded in this Redis, by name; entry counts only if {@code countEntries}. */
  public List<CacheInfo> caches(boolean countEntries) {
    return administration.caches(countEntries);
  }

  /**
   * The write-behind queue of a cache, per partition, with its flushers and dead-letter count.
   *
   * @throws IllegalArgumentException when Redis has no such cache, or it is not write-behind
   */
  public QueueStatus queue(String cache) {
    return administration.queue(name(cache));
  }

  /** Up to {@code max} dead letters of a write-behind cache, oldest first. */
  public List<DeadLetter> deadLetters(String cache, int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be positive, not " + max);
    }
    return administration.deadLetters(name(cache), max);
  }

  /** Replays these dead letters, in id order (see the class comment for the rule). */
  public List<Replay> replay(String cache, Collection<String> ids) {
    return administration.replay(name(cache), ids(ids));
  }

  /** Replays every dead letter present when the call starts, oldest first. */
  public List<Replay> replayAll(String cache) {
    return administration.replayAll(name(cache));
  }

  /** Deletes these dead letters; returns how many there were. */
  public long purge(String cache, Collection<String> ids) {
    return administration.purge(name(cache), ids(ids));
  }

  /** Deletes every dead letter present when the call starts; returns how many. */
  public long purgeAll(String cache) {
    return administration.purgeAll(name(cache));
  }

  /**
   * One key of a cache: its value, expiry, native TTL, the records queued for it and its dead
   * letters. The key is given as text: a {@code String} key as is, a {@code Long}/{@code Integer}
   * key as a decimal number, a {@code byte[]} key in hex; keys of other types as their String form
   * (Cascade's tagged key {@code s:<key>}).
   */
  public KeyStatus inspect(String cache, String key) {
    return administration.inspect(name(cache), Objects.requireNonNull(key, "key"), null);
  }

  /** Like {@link #inspect(String, String)}, {@code encodedKey} being the key's bytes in Redis. */
  public KeyStatus inspectEncoded(String cache, byte[] encodedKey) {
    Objects.requireNonNull(encodedKey, "encodedKey");
    return administration.inspect(name(cache), null, encodedKey.clone());
  }

  /** The Redis this admin talks to (password hidden), for messages. */
  public String server() {
    return administration.server();
  }

  @Override
  public void close() {
    if (ownConnection != null) {
      ownConnection.close();
    }
  }

  private static String name(String cache) {
    if (cache == null || cache.isEmpty()) {
      throw new IllegalArgumentException("The cache name is missing");
    }
    return cache;
  }

  private static List<String> ids(Collection<String> ids) {
    Objects.requireNonNull(ids, "ids");
    for (String id : ids) {
      if (id == null || !QueueStore.STREAM_ID.matcher(id).matches()) {
        throw new IllegalArgumentException(
            "'"
                + id
                + "' is not a dead-letter id (<milliseconds>-<sequence> without leading zeros, as"
                + " Redis writes it, e.g. 1765000000000-0)");
      }
    }
    return List.copyOf(ids);
  }

  // ------------------------------------------------------------------ what it returns

  /**
   * A key or value as stored, decoded where the cache's types and this JVM's allow-list allow it.
   *
   * @param decoded the decoded object, or null when it could not be decoded
   * @param bytes the bytes in Redis
   * @param problem why it was not decoded, or null
   */
  public record Shown(Object decoded, byte[] bytes, String problem) {

    public boolean isDecoded() {
      return problem == null;
    }

    /**
     * The decoded value's text; else the bytes as text when they are printable UTF-8 (a JSON value,
     * say), or {@code hex:<bytes>} (at most 64 bytes shown).
     */
    public String text() {
      if (problem == null && !(decoded instanceof byte[])) {
        return String.valueOf(decoded);
      }
      if (problem != null) {
        String printable = printableUtf8(bytes);
        if (printable != null) {
          return printable;
        }
      }
      int shown = Math.min(bytes.length, 64);
      String hex = HexFormat.of().formatHex(bytes, 0, shown);
      return "hex:" + hex + (shown < bytes.length ? "... (" + bytes.length + " bytes)" : "");
    }

    private static String printableUtf8(byte[] bytes) {
      try {
        String text =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
        for (int i = 0; i < text.length(); i++) {
          char c = text.charAt(i);
          if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') {
            return null;
          }
        }
        return text.isEmpty() ? null : text;
      } catch (CharacterCodingException e) {
        return null;
      }
    }

    @Override
    public String toString() {
      return problem == null ? text() : text() + " (not decoded: " + problem + ")";
    }
  }

  /**
   * A cache recorded in Redis ({@code cascade:<name>:meta}).
   *
   * @param entries entry keys (pending deletes included), or -1 when not counted
   * @param queueBound records each partition's queue may hold (0 unbounded), -1 when not
   *     write-behind
   * @param record every field of the registry entry
   */
  public record CacheInfo(
      String name,
      String keyType,
      String valueType,
      String codec,
      int partitions,
      boolean writeBehind,
      int queueBound,
      long entries,
      Map<String, String> record) {}

  /**
   * One partition's write-behind queue.
   *
   * @param depth records queued (read or not)
   * @param unacknowledged records a flusher has read and not yet acknowledged
   * @param oldestAgeMillis age of the oldest record (Redis' clock against this JVM's), -1 when
   *     empty
   * @param leaseHolder the flusher holding the partition's lease ({@code <owner>#<n>}), or null
   * @param leaseEpoch the lease's fencing epoch, or -1
   * @param leaseExpiresInMillis until the lease runs out unless renewed, or -1
   */
  public record PartitionStatus(
      int partition,
      long depth,
      long unacknowledged,
      long oldestAgeMillis,
      String leaseHolder,
      long leaseEpoch,
      long leaseExpiresInMillis) {}

  /**
   * A flusher (a JVM, or a cache opened again in one) that beat its heart in Redis.
   *
   * @param alive its last heartbeat is at most three default lease TTLs old (30 s), as flushers
   *     count each other
   */
  public record FlusherStatus(String id, long lastHeartbeatAgeMillis, boolean alive) {}

  /** A write-behind cache's queue as Redis has it now. */
  public record QueueStatus(
      String cache,
      List<PartitionStatus> partitions,
      List<FlusherStatus> flushers,
      long deadLetters) {

    public long depth() {
      return partitions.stream().mapToLong(PartitionStatus::depth).sum();
    }

    /** Age of the oldest queued record over all partitions, -1 when all are empty. */
    public long oldestAgeMillis() {
      return partitions.stream().mapToLong(PartitionStatus::oldestAgeMillis).max().orElse(-1);
    }
  }

  /**
   * A record the writer kept refusing.
   *
   * @param id the letter's id in {@code cascade:<cache>#dead} (what replay and purge take)
   * @param deadAt when it was dead-lettered, epoch ms (Redis' clock)
   * @param recordId the id (and revision) the record had in its partition's queue
   * @param delete a delete (then {@code value} is null) or a put
   * @param attempts attempts charged to it
   */
  public record DeadLetter(
      String id,
      long deadAt,
      int partition,
      String recordId,
      Shown key,
      boolean delete,
      Shown value,
      String error,
      int attempts) {}

  /** What replaying one dead letter did. */
  public enum ReplayResult {
    /** Queued again (a new record, newest revision of its key); the letter is deleted. */
    REPLAYED,
    /**
     * Not queued: the cache no longer holds what the letter would write (changed, removed or
     * expired since), so writing it could take the database back; the letter is deleted.
     */
    SUPERSEDED,
    /** No dead letter has this id (already replayed or purged, or trimmed). */
    NOT_FOUND,
    /** Not queued: the partition's queue is at its bound; the letter stays, try again later. */
    QUEUE_FULL
  }

  /** The outcome of replaying one dead letter; {@code key} is null when it was not found. */
  public record Replay(String id, Shown key, ReplayResult result, String detail) {}

  /**
   * A record queued for a key.
   *
   * @param read a flusher has read it and is writing it (not yet acknowledged)
   */
  public record QueuedChange(String id, boolean delete, Shown value, boolean read) {}

  /**
   * One key of a cache.
   *
   * @param present the cache holds a value (a pending delete is not present)
   * @param value the value, or null when absent
   * @param expiresAt the logical expiry (epoch ms), or -1 when eternal or absent
   * @param ttlMillis the native TTL of the entry in Redis, -1 none, -2 no entry
   * @param pendingRecord the id of the key's latest queued record not yet flushed, or null
   * @param queued the records queued for the key in its partition, oldest first
   * @param deadLetters the key's dead letters (the first 10,000 letters are searched)
   */
  public record KeyStatus(
      String cache,
      Shown key,
      int partition,
      boolean present,
      Shown value,
      long expiresAt,
      long ttlMillis,
      String pendingRecord,
      List<QueuedChange> queued,
      List<DeadLetter> deadLetters) {}
}
