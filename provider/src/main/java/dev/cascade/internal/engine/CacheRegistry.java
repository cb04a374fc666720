package dev.cascade.internal.engine;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.codec.CodecProviders;
import dev.cascade.internal.store.RedisAccess;
import dev.cascade.internal.store.RegistryStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.cache.CacheException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record of each cache in Redis ({@code cascade:<cache>:meta}): what every JVM that opens the
 * cache must agree on. The first JVM writes it; later ones compare (in one script, so two first
 * JVMs cannot both write), and a JVM that disagrees on how keys and values are encoded or how many
 * partitions there are gets an error that says what differs, instead of silently writing entries
 * the others cannot find.
 */
public final class CacheRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(CacheRegistry.class);

  private final RegistryStore store;
  private final ClassLoader classLoader;

  public CacheRegistry(RedisAccess redis, ClassLoader classLoader) {
    this.store = new RegistryStore(redis);
    this.classLoader = classLoader;
  }

  /** A cache refused because Redis records it with settings this JVM's do not match. */
  public static final class Refused extends CacheException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  /** The record's field that names the attempt that wrote it, so that only it takes it back. */
  static final String RECORDED_BY = "recordedBy";

  /**
   * Records the cache, or checks it against what another JVM recorded.
   *
   * @param attempt unique to this attempt at opening the cache ({@link #newAttempt}); recorded with
   *     the cache, so that {@link #withdraw} takes back this attempt's record and no other
   * @return whether this call recorded it, and the record's own token, which {@link #verify}
   *     compares later
   */
  public Registration register(CacheSettings<?, ?> settings, String attempt) {
    Map<String, String> mine = new LinkedHashMap<>(settings.registryRecord());
    mine.put(RECORDED_BY, attempt);
    Map<String, String> recorded = store.recordOrRead(settings.name, mine);
    if (!recorded.isEmpty()) {
      requireCompatible(settings, mine, recorded);
      return new Registration(false, recorded.get(RECORDED_BY));
    }
    return new Registration(true, attempt);
  }

  /**
   * What {@link #register} found: whether it wrote the record, and the token of the attempt that
   * did ({@code recordedBy}; null for a record written before records named their attempt).
   */
  public static final class Registration {
    public final boolean recordedHere;
    public final String recordedBy;

    Registration(boolean recordedHere, String recordedBy) {
      this.recordedHere = recordedHere;
      this.recordedBy = recordedBy;
    }
  }

  /** How long a destroyed cache's mark stays in place of its record. */
  static final long DESTROYED_MARK_MILLIS = 10 * 60_000L;

  /**
   * Marks the cache destroyed in place of its record (for {@link #DESTROYED_MARK_MILLIS}): the JVMs
   * that have it open close it when they see the mark ({@link #verify}), and a {@code createCache}
   * replaces it as if there were no record.
   */
  public void markDestroyed(String cacheName) {
    store.markDestroyed(cacheName, DESTROYED_MARK_MILLIS);
  }

  /**
   * Checks that the cache this JVM opened, with the record {@code recordedBy} named then, is still
   * the one in Redis. A record Redis lost (a restart without persistence, {@code FLUSHALL}, an
   * eviction) is written again from {@code settings}, with the same token, so that a later {@code
   * createCache} with other settings is still refused.
   *
   * @return null while the cache is still the one opened (written again or not), else why it is
   *     not: it was destroyed, or destroyed and created again
   */
  public String verify(CacheSettings<?, ?> settings, String recordedBy) {
    List<String> now = store.fields(settings.name, RECORDED_BY, RegistryStore.DESTROYED);
    String by = now.get(0);
    String destroyed = now.get(1);
    if (by == null && destroyed == null) {
      if (recordedBy == null) {
        return null; // a record older than the tokens, or none: nothing to compare it with
      }
      Map<String, String> mine = new LinkedHashMap<>(settings.registryRecord());
      mine.put(RECORDED_BY, recordedBy);
      Map<String, String> found = store.recordAgainOrRead(settings.name, mine);
      if (found.isEmpty()) {
        LOG.warn(
            "The registry entry of cache '"
                + settings.name
                + "' was missing in Redis at "
                + store.server()
                + " (a restart without persistence, FLUSHALL or an eviction?): recorded it again"
                + " with this JVM's settings, so that other settings are still refused");
        return null;
      }
      by = found.get(RECORDED_BY);
      destroyed = found.get(RegistryStore.DESTROYED);
    }
    if (destroyed != null) {
      return "it was destroyed (CacheManager.destroyCache, here or in another JVM) at "
          + destroyedAt(destroyed)
          + ", in Redis at "
          + store.server();
    }
    if (recordedBy != null && by != null && !recordedBy.equals(by)) {
      return "its registry entry in Redis at "
          + store.server()
          + " is another cache's of that name: it was destroyed (CacheManager.destroyCache, here"
          + " or in another JVM), or lost by Redis, and created again since it was opened here";
    }
    return null;
  }

  private static String destroyedAt(String epochMillis) {
    try {
      return Instant.ofEpochMilli(Long.parseLong(epochMillis)).toString();
    } catch (NumberFormatException e) {
      return "an unknown time"; // not our mark's text: nothing of it goes into the log
    }
  }

  /** A token for {@link #register} that no other attempt, here or in another JVM, has. */
  public static String newAttempt() {
    return UUID.randomUUID().toString();
  }

  /**
   * Takes back the record of the cache if {@code attempt} wrote it: after a failure to open it, or
   * a registration whose reply was lost (it may or may not have written). A record another attempt
   * wrote, even with the same settings, stays. A JVM that joined the cache in the moment between
   * finds no record afterwards and writes it again ({@link #verify}).
   */
  public void withdraw(String cacheName, String attempt) {
    store.deleteIfRecordedBy(cacheName, RECORDED_BY, attempt);
  }

  /**
   * Checks the cache against what another JVM recorded, if any, without recording it: what a
   * manager asks before it runs the user's factories, so that a cache refused for its settings
   * makes (and closes) no loader or writer. {@link #register} checks again, atomically.
   */
  public void check(CacheSettings<?, ?> settings) {
    Map<String, String> recorded = read(settings.name);
    if (!recorded.isEmpty()) {
      requireCompatible(settings, settings.registryRecord(), recorded);
    }
  }

  private void requireCompatible(
      CacheSettings<?, ?> settings, Map<String, String> mine, Map<String, String> recorded) {
    requireSameCodec(settings, mine, recorded);
    List<String> conflicts = new ArrayList<>();
    compare(conflicts, "partitions", mine, recorded);
    compare(conflicts, "layout", mine, recorded);
    // a write-through JVM and a write-behind JVM on one cache would overtake each other's writes
    compare(conflicts, "writeBehind", mine, recorded);
    String codec = mine.get(CacheSettings.CODEC_FIELD);
    String boundBy =
        CodecProviders.DEFAULT.equals(codec)
            ? ""
            : " (codec '" + codec + "' encodes for the declared type, not for any type)";
    if (!encodingOf(mine.get("keyType"), codec)
        .equals(encodingOf(recorded.get("keyType"), codec))) {
      conflicts.add(
          "key type "
              + mine.get("keyType")
              + " here, "
              + recorded.get("keyType")
              + " in Redis"
              + boundBy);
    }
    if (!encodingOf(mine.get("valueType"), codec)
        .equals(encodingOf(recorded.get("valueType"), codec))) {
      conflicts.add(
          "value type "
              + mine.get("valueType")
              + " here, "
              + recorded.get("valueType")
              + " in Redis"
              + boundBy);
    }
    if (!conflicts.isEmpty()) {
      throw new Refused(
          "Cache '"
              + settings.name
              + "' already exists in Redis at "
              + store.server()
              + " with other settings: "
              + String.join("; ", conflicts)
              + ". Open it with the same settings, or destroy it first (CacheManager.destroyCache).");
    }
  }

  /**
   * A codec of another name would write bytes the other JVMs cannot read (and read theirs as
   * garbage), so it is refused first, with the way out.
   */
  private void requireSameCodec(
      CacheSettings<?, ?> settings, Map<String, String> mine, Map<String, String> recorded) {
    String here = mine.get(CacheSettings.CODEC_FIELD);
    String there = recordedCodec(recorded);
    if (!here.equals(there)) {
      throw new Refused(
          "Cache '"
              + settings.name
              + "' exists in Redis at "
              + store.server()
              + " with codec '"
              + there
              + "', but this CacheManager opens it with codec '"
              + here
              + "': every JVM must use the same codec, or it could not read the others' entries."
              + " Open it with codec '"
              + there
              + "' (CascadeConfiguration.setCodec(\""
              + there
              + "\"), or the setting cascade.cache."
              + settings.name
              + ".codec.name="
              + there
              + "), or destroy the cache first (CacheManager.destroyCache) to recreate it with '"
              + here
              + "'.");
    }
  }

  /** The recorded codec; records written before codecs could be chosen mean {@code java}. */
  private static String recordedCodec(Map<String, String> recorded) {
    String codec = recorded.get(CacheSettings.CODEC_FIELD);
    return codec == null ? CodecProviders.DEFAULT : codec;
  }

  /** The configuration another JVM recorded for this cache, or null if Redis has no such cache. */
  public CascadeConfiguration<Object, Object> recordedConfiguration(String cacheName) {
    Map<String, String> recorded = read(cacheName);
    if (recorded.isEmpty()) {
      return null;
    }
    CascadeConfiguration<Object, Object> c = new CascadeConfiguration<>();
    c.setTypes(
        typeNamed(recorded.get("keyType"), cacheName),
        typeNamed(recorded.get("valueType"), cacheName));
    c.setPartitions(Integer.parseInt(recorded.get("partitions")));
    c.setCodec(recordedCodec(recorded));
    return c;
  }

  /**
   * The queue bound recorded for a write-behind cache, or -1 when it is not one (or not recorded).
   */
  public int recordedQueueBound(String cacheName) {
    Map<String, String> recorded = read(cacheName);
    return "true".equals(recorded.get("writeBehind"))
        ? Integer.parseInt(recorded.get("queueBound"))
        : -1;
  }

  /** The recorded partition count, or the default if the cache is not recorded. */
  public int recordedPartitions(String cacheName) {
    String p = read(cacheName).get("partitions");
    return p == null ? CascadeConfiguration.DEFAULT_PARTITIONS : Integer.parseInt(p);
  }

  private Map<String, String> read(String cacheName) {
    return store.read(cacheName);
  }

  @SuppressWarnings("unchecked")
  private Class<Object> typeNamed(String name, String cacheName) {
    try {
      return (Class<Object>) Class.forName(name, false, classLoader);
    } catch (ClassNotFoundException e) {
      throw new CacheException(
          "Cache '"
              + cacheName
              + "' in Redis holds values of type "
              + name
              + ", which this CacheManager's class loader cannot load",
          e);
    }
  }

  /**
   * Types that share an encoding are compatible. Under the {@code java} codec only String, Long,
   * Integer and byte[] have their own; every other value carries its class (Java serialization), so
   * any declared type reads it. Any other codec ({@code json}, a provider's) may encode for the
   * declared type alone (JSON bound to a class, without its name): there each type is its own, and
   * two JVMs declaring different types would read each other's entries as the wrong type.
   */
  private static String encodingOf(String typeName, String codec) {
    if (!CodecProviders.DEFAULT.equals(codec)) {
      return typeName;
    }
    switch (typeName) {
      case "java.lang.String":
      case "java.lang.Long":
      case "java.lang.Integer":
      case "[B":
        return typeName;
      default:
        return "tagged";
    }
  }

  private static void compare(
      List<String> conflicts,
      String field,
      Map<String, String> mine,
      Map<String, String> recorded) {
    String theirs = recorded.get(field);
    if (theirs != null && !theirs.equals(mine.get(field))) {
      conflicts.add(field + " " + mine.get(field) + " here, " + theirs + " in Redis");
    }
  }
}
