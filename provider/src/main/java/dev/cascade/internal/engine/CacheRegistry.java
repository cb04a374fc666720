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
   * @param joining true for {@code getCache} opening a cache it just read the record of: should
   *     that cache have been destroyed since, this throws {@link Gone} instead of creating it again
   * @return whether this call recorded it, and the record's own token, which {@link #verify}
   *     compares later
   * @throws Refused when Redis records the cache with other settings, or is still deleting the keys
   *     of a destroyed cache of that name
   */
  public Registration register(CacheSettings<?, ?> settings, String attempt, boolean joining) {
    Map<String, String> mine = recordOf(settings, attempt);
    Map<String, String> recorded = store.recordOrRead(settings.name, mine, !joining);
    if (recorded.isEmpty()) {
      return new Registration(true, attempt);
    }
    String destroyed = recorded.get(RegistryStore.DESTROYED);
    if (destroyed != null) {
      if (joining) {
        throw new Gone(settings.name);
      }
      // register.lua replaces a mark for createCache once its keys are all deleted
      throw beingDestroyed(settings.name, destroyed);
    }
    requireCompatible(settings, mine, recorded);
    return new Registration(false, recorded.get(RECORDED_BY));
  }

  private Refused beingDestroyed(String cacheName, String destroyed) {
    return new Refused(
        "Cache '"
            + cacheName
            + "' was destroyed in Redis at "
            + store.server()
            + " (CacheManager.destroyCache, at "
            + destroyedAt(destroyed)
            + "), and not all of its keys are deleted yet: a destroyCache is still deleting them"
            + " (a new cache's would go with them), or one stopped halfway (its JVM stopped, or"
            + " Redis failed it). Create it once that has finished; if it stopped, destroyCache(\""
            + cacheName
            + "\") again finishes it.");
  }

  /** The record of a cache: its settings, and the token of the attempt that wrote it. */
  private static Map<String, String> recordOf(CacheSettings<?, ?> settings, String token) {
    Map<String, String> record = new LinkedHashMap<>(settings.registryRecord());
    record.put(RECORDED_BY, token);
    return record;
  }

  /** A cache {@code getCache} was about to join was destroyed meanwhile: there is none. */
  public static final class Gone extends CacheException {
    private static final long serialVersionUID = 1L;

    Gone(String cacheName) {
      super("Cache '" + cacheName + "' was destroyed");
    }
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

  /** How long a destroyed cache's mark stays in place of its record once its keys are deleted. */
  static final long DESTROYED_MARK_MILLIS = 10 * 60_000L;

  /**
   * How long a {@code destroyCache} counts as deleting without renewing its lease (it renews after
   * each batch of keys): one whose JVM stopped no longer keeps the name from other {@code
   * createCache}s after this.
   */
  static final long DESTROY_LEASE_MILLIS = 60_000L;

  /**
   * Starts a {@code destroyCache}: puts the mark of a destroyed cache in place of its record (or
   * keeps the one there), so the JVMs that have it open close it when they see the mark ({@link
   * #verify}), and no {@code createCache} replaces the mark before {@link Destroy#finished}.
   */
  public Destroy beginDestroy(String cacheName) {
    Destroy destroy = new Destroy(cacheName, newAttempt());
    destroy.step(RegistryStore.DestroyStep.BEGIN);
    return destroy;
  }

  /** One {@code destroyCache} of one cache, holding its lease on the mark. */
  public final class Destroy {
    private final String cacheName;
    private final String token;

    private Destroy(String cacheName, String token) {
      this.cacheName = cacheName;
      this.token = token;
    }

    /** The deletion goes on: keeps the lease. */
    public void renew() {
      step(RegistryStore.DestroyStep.RENEW);
    }

    /** Every key is deleted: the name is free for {@code createCache}, and the mark expires. */
    public void finished() {
      step(RegistryStore.DestroyStep.END);
    }

    /**
     * The deletion stopped halfway: gives the lease back at once (so that a {@code destroyCache}
     * run again frees the name when it ends, not a minute later). The mark keeps refusing {@code
     * createCache} until some destroy finishes.
     */
    public void abort() {
      store.destroyStep(
          cacheName,
          RegistryStore.DestroyStep.ABORT,
          token,
          DESTROY_LEASE_MILLIS,
          DESTROYED_MARK_MILLIS);
    }

    private void step(RegistryStore.DestroyStep step) {
      if (!store.destroyStep(cacheName, step, token, DESTROY_LEASE_MILLIS, DESTROYED_MARK_MILLIS)) {
        // a deletion that went on would delete a new cache's keys, or one other JVMs wrote back
        throw new CacheException(
            "The mark of destroyed cache '"
                + cacheName
                + "' is gone from Redis at "
                + store.server()
                + " while destroyCache deleted its keys (Redis lost it, or it was created again):"
                + " the deletion stopped; the cache may be open again elsewhere");
      }
    }
  }

  /**
   * What {@link #verify} found: {@code gone} says why the cache this JVM opened is no longer there
   * (null while it is), and {@code recordedBy} is the token of the record to compare with next.
   */
  public static final class Verdict {
    public final String gone;
    public final String recordedBy;

    Verdict(String gone, String recordedBy) {
      this.gone = gone;
      this.recordedBy = recordedBy;
    }
  }

  /**
   * Checks that the cache this JVM opened is still in Redis, and with settings it can use.
   *
   * <ul>
   *   <li>The mark of a destroyed cache: it is gone.
   *   <li>No record at all: Redis lost it (a restart without persistence, {@code FLUSHALL}, an
   *       eviction). It is written again from {@code settings} with the same token ({@code
   *       register.lua} taking a mark for a record, so that a cache destroyed meanwhile stays
   *       destroyed), so that a later {@code createCache} with other settings is still refused.
   *   <li>The record this JVM opened it with ({@code recordedBy}): nothing to do.
   *   <li>Another record: the cache was created again after it was destroyed, or after Redis lost
   *       the record. With settings this JVM's agree with, it is used from now on (a JVM that
   *       restarted while Redis had no record must not close the cache in every other JVM); with
   *       other settings, the cache here is gone.
   * </ul>
   */
  public Verdict verify(CacheSettings<?, ?> settings, String recordedBy) {
    Map<String, String> recorded = store.readWithMark(settings.name);
    if (recorded.isEmpty()) {
      String token = recordedBy != null ? recordedBy : newAttempt();
      recorded = store.recordOrRead(settings.name, recordOf(settings, token), false);
      if (recorded.isEmpty()) {
        LOG.warn(
            "The registry entry of cache '"
                + settings.name
                + "' was missing in Redis at "
                + store.server()
                + " (a restart without persistence, FLUSHALL or an eviction?): recorded it again"
                + " with this JVM's settings, so that other settings are still refused");
        return new Verdict(null, token);
      }
    }
    String destroyed = recorded.get(RegistryStore.DESTROYED);
    if (destroyed != null) {
      return new Verdict(
          "it was destroyed (CacheManager.destroyCache, here or in another JVM) at "
              + destroyedAt(destroyed)
              + ", in Redis at "
              + store.server(),
          recordedBy);
    }
    String by = recorded.get(RECORDED_BY);
    if (by != null && by.equals(recordedBy)) {
      return new Verdict(null, recordedBy);
    }
    try {
      requireCompatible(settings, settings.registryRecord(), recorded);
    } catch (Refused e) {
      return new Verdict(
          "it was destroyed, or lost by Redis, and created again with other settings ("
              + e.getMessage()
              + ")",
          recordedBy);
    }
    return new Verdict(null, by);
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
  public void check(CacheSettings<?, ?> settings, boolean joining) {
    Map<String, String> recorded = store.readWithMark(settings.name);
    String destroyed = recorded.get(RegistryStore.DESTROYED);
    if (destroyed != null && joining) {
      throw new Gone(settings.name);
    }
    if (destroyed != null && !recorded.containsKey(RegistryStore.FINISHED)) {
      throw beingDestroyed(settings.name, destroyed); // register.lua would refuse it, later
    }
    if (destroyed == null && !recorded.isEmpty()) {
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
   * The token of the cache's record ({@code recordedBy}; "" for a record older than the tokens), or
   * null when Redis holds no record of it, or the mark of a destroyed one.
   */
  public String liveToken(String cacheName) {
    Map<String, String> recorded = read(cacheName);
    return recorded.isEmpty() ? null : recorded.getOrDefault(RECORDED_BY, "");
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
