package dev.cascade.internal.engine;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.codec.CodecProviders;
import dev.cascade.internal.store.RedisAccess;
import dev.cascade.internal.store.RegistryStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.cache.CacheException;

/**
 * The record of each cache in Redis ({@code cascade:<cache>:meta}): what every JVM that opens the
 * cache must agree on. The first JVM writes it; later ones compare (in one script, so two first
 * JVMs cannot both write), and a JVM that disagrees on how keys and values are encoded or how many
 * partitions there are gets an error that says what differs, instead of silently writing entries
 * the others cannot find.
 */
public final class CacheRegistry {

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
   * @return true when this call recorded it
   */
  public boolean register(CacheSettings<?, ?> settings, String attempt) {
    Map<String, String> mine = new LinkedHashMap<>(settings.registryRecord());
    mine.put(RECORDED_BY, attempt);
    Map<String, String> recorded = store.recordOrRead(settings.name, mine);
    if (!recorded.isEmpty()) {
      requireCompatible(settings, mine, recorded);
      return false;
    }
    return true;
  }

  /** A token for {@link #register} that no other attempt, here or in another JVM, has. */
  public static String newAttempt() {
    return UUID.randomUUID().toString();
  }

  /**
   * Takes back the record of the cache if {@code attempt} wrote it: after a failure to open it, or
   * a registration whose reply was lost (it may or may not have written). A record another attempt
   * wrote, even with the same settings, stays. A JVM that joined the cache in the moment between
   * finds no record afterwards, as after a {@code destroyCache}.
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
