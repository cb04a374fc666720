package dev.cascade.internal.config;

import dev.cascade.codec.SerializationLimits;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The settings every cache can take from the configuration, whether declared in it or created in
 * code: partitions, near cache, codec, lock, statistics and management. Read from {@code cascade}
 * (the manager's defaults), {@code cascade.cache.<name>} (overrides for a cache created in code)
 * and each declared cache. Unset values are null: the next level down decides.
 */
final class CacheDefaults {

  static final Set<String> KEYS =
      Set.of("partitions", "near-cache", "codec", "lock", "statistics", "management");
  static final List<String> CODEC_KEYS =
      List.of(
          "name",
          "allow",
          SerializationLimits.MAX_DEPTH,
          SerializationLimits.MAX_REFS,
          SerializationLimits.MAX_ARRAY,
          SerializationLimits.MAX_BYTES,
          "strict",
          "application-packages",
          "hmac-key",
          "hmac-previous-key",
          "hmac-accept-untagged");

  /** Codec keys that only the CacheManager takes ({@code cascade.codec.*}), not one cache. */
  static final List<String> MANAGER_ONLY_CODEC_KEYS =
      List.of("application-packages", "hmac-key", "hmac-previous-key", "hmac-accept-untagged");

  static final List<String> LOCK_KEYS = List.of("lease", "wait");

  /** {@code java}, {@code json}, or a fully qualified class name (checked by the codec). */
  private static final Pattern CODEC_NAME =
      Pattern.compile("java|json|([\\p{L}_$][\\p{L}\\p{N}_$]*\\.)+[\\p{L}_$][\\p{L}\\p{N}_$]*");

  static final CacheDefaults NONE = new CacheDefaults();

  Integer partitions;
  Integer nearCache;
  List<String> allow = List.of();
  Long maxDepth;
  Long maxRefs;
  Long maxArray;
  Long maxBytes;
  Duration lockLease;
  Duration lockWait;
  String codecName;

  /** {@code codec.strict}: no framework profiles, no application packages. */
  Boolean strict;

  /** {@code codec.application-packages}, comma-separated; manager only. */
  String applicationPackages;

  /** {@code codec.hmac-*}: secrets, never shown; manager only. */
  String hmacKey;

  String hmacPreviousKey;
  Boolean hmacAcceptUntagged;

  /**
   * {@code true} switches statistics (the configuration MXBean) on for caches whose configuration
   * leaves them off, as caches frameworks create from a default configuration do.
   */
  Boolean statistics;

  Boolean management;

  /** Reads the {@link #KEYS} of {@code section}; the caller has checked for unknown keys. */
  static CacheDefaults read(ConfigNode section) {
    CacheDefaults d = new CacheDefaults();
    d.partitions = section.integer("partitions", 1, 16384);
    d.nearCache = section.integer("near-cache", 0, Integer.MAX_VALUE);
    d.statistics = section.bool("statistics");
    d.management = section.bool("management");
    ConfigNode codec = section.child("codec");
    if (codec != null) {
      codec.requireKnown(CODEC_KEYS);
      ConfigNode allow = codec.child("allow");
      d.allow = allow == null ? List.of() : List.copyOf(allow.texts());
      d.maxDepth = codec.size(SerializationLimits.MAX_DEPTH);
      d.maxRefs = codec.size(SerializationLimits.MAX_REFS);
      d.maxArray = codec.size(SerializationLimits.MAX_ARRAY);
      d.maxBytes = codec.size(SerializationLimits.MAX_BYTES);
      d.codecName = codecName(codec);
      d.strict = codec.bool("strict");
      ConfigNode packages = codec.child("application-packages");
      d.applicationPackages = packages == null ? null : String.join(",", packages.texts());
      d.hmacKey = codec.string("hmac-key");
      d.hmacPreviousKey = codec.string("hmac-previous-key");
      d.hmacAcceptUntagged = codec.bool("hmac-accept-untagged");
    }
    ConfigNode lock = section.child("lock");
    if (lock != null) {
      lock.requireKnown(LOCK_KEYS);
      d.lockLease = lock.positiveDuration("lease");
      d.lockWait = lock.positiveDuration("wait");
    }
    return d;
  }

  private static String codecName(ConfigNode codec) {
    ConfigNode name = codec.child("name");
    if (name == null) {
      return null;
    }
    String text = name.text();
    if (!CODEC_NAME.matcher(text).matches()) {
      throw name.fail(
          "expected java, json or the fully qualified name of a codec provider class, found "
              + name.shown());
    }
    return text;
  }

  /** {@code base} with the limits set here replacing its own. */
  SerializationLimits limits(SerializationLimits base) {
    SerializationLimits l = base;
    l = maxDepth == null ? l : l.withMaxDepth(maxDepth);
    l = maxRefs == null ? l : l.withMaxRefs(maxRefs);
    l = maxArray == null ? l : l.withMaxArray(maxArray);
    return maxBytes == null ? l : l.withMaxBytes(maxBytes);
  }
}
