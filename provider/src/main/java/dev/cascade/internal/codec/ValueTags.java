package dev.cascade.internal.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticates Java-serialized values with HMAC-SHA256 under a secret every JVM of the application
 * shares ({@value #KEY_PROPERTY}), so a value planted in Redis by someone without the secret is
 * refused before a byte of it is deserialized, and a value some JVM with the secret wrote may hold
 * any of the application's classes.
 *
 * <p>The tag covers the value's bytes and the cache's name: a value cannot be moved to another
 * cache (it can be moved to another key of the same cache, or replayed: the tag proves who wrote
 * the bytes, not that they are the newest). A previous secret ({@value #PREVIOUS_KEY_PROPERTY}) is
 * accepted for reading, so the secret can be changed without a window where JVMs refuse each
 * other's values.
 *
 * <p>The secrets are never shown: not in {@link #toString}, messages or logs. Immutable and
 * thread-safe (a {@link Mac} is cloned per call).
 */
public final class ValueTags {

  /** The secret: a CacheManager property, a system property, or {@value #KEY_ENVIRONMENT}. */
  public static final String KEY_PROPERTY = "cascade.codec.hmac-key";

  /** The environment variable with the secret, for deployments that keep secrets out of files. */
  public static final String KEY_ENVIRONMENT = "CASCADE_CODEC_HMAC_KEY";

  /** A secret still accepted for reading while the secret changes: {@value}. */
  public static final String PREVIOUS_KEY_PROPERTY = "cascade.codec.hmac-previous-key";

  /** The environment variable with the previous secret. */
  public static final String PREVIOUS_KEY_ENVIRONMENT = "CASCADE_CODEC_HMAC_PREVIOUS_KEY";

  /**
   * Migration only: also read values without a tag (written before the secret was set), under the
   * allow-list as without a secret: {@value}.
   */
  public static final String ACCEPT_UNTAGGED_PROPERTY = "cascade.codec.hmac-accept-untagged";

  /** Bytes of an HMAC-SHA256 tag. */
  public static final int TAG_LENGTH = 32;

  /** Fewer bytes would make a secret guessable; 32 random bytes in base64 are 44. */
  static final int MIN_SECRET_BYTES = 16;

  private static final String ALGORITHM = "HmacSHA256";
  private static final byte[] DOMAIN = "cascade value v1".getBytes(StandardCharsets.US_ASCII);

  private final Mac current;
  private final Mac previous;
  private final boolean acceptUntagged;

  /** What precedes the value's bytes in the MAC: the domain and the cache's name. */
  private final byte[] context;

  private final String cacheName;

  private ValueTags(
      Mac current, Mac previous, boolean acceptUntagged, byte[] context, String cacheName) {
    this.current = current;
    this.previous = previous;
    this.acceptUntagged = acceptUntagged;
    this.context = context;
    this.cacheName = cacheName;
  }

  /**
   * @param secret the secret that tags and verifies
   * @param previousSecret a secret that only verifies, or null
   * @throws IllegalArgumentException naming the setting (never the secret) when one is too short
   */
  public static ValueTags of(String secret, String previousSecret, boolean acceptUntagged) {
    return new ValueTags(
        mac(secret, KEY_PROPERTY),
        previousSecret == null || previousSecret.isEmpty()
            ? null
            : mac(previousSecret, PREVIOUS_KEY_PROPERTY),
        acceptUntagged,
        context(""),
        null);
  }

  /** The same secrets, binding tags to cache {@code name}. */
  public ValueTags forCache(String name) {
    return new ValueTags(current, previous, acceptUntagged, context(name), name);
  }

  /** Whether values without a tag are still read (under the allow-list): migration only. */
  public boolean acceptsUntagged() {
    return acceptUntagged;
  }

  /** The tag of {@code bytes[0, length)}, with the current secret. */
  public byte[] tag(byte[] bytes, int length) {
    return compute(current, bytes, length);
  }

  /**
   * Whether {@code bytes} ends with a valid tag of what precedes it, under the current or the
   * previous secret. Compares in constant time.
   */
  boolean verify(byte[] bytes) {
    int length = bytes.length - TAG_LENGTH;
    if (length < 0) {
      return false;
    }
    if (matches(compute(current, bytes, length), bytes, length)) {
      return true;
    }
    return previous != null && matches(compute(previous, bytes, length), bytes, length);
  }

  private static boolean matches(byte[] expected, byte[] bytes, int offset) {
    byte[] given = new byte[TAG_LENGTH];
    System.arraycopy(bytes, offset, given, 0, TAG_LENGTH);
    return MessageDigest.isEqual(expected, given);
  }

  private byte[] compute(Mac prototype, byte[] bytes, int length) {
    Mac mac = copy(prototype);
    mac.update(context);
    mac.update(bytes, 0, length);
    return mac.doFinal();
  }

  private static Mac copy(Mac prototype) {
    try {
      return (Mac) prototype.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("HmacSHA256 of this JVM cannot be cloned", e);
    }
  }

  /** The domain, then the cache name with its length, so no name is a prefix of another. */
  private static byte[] context(String cacheName) {
    byte[] name = cacheName.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(DOMAIN.length + 4 + name.length)
        .put(DOMAIN)
        .putInt(name.length)
        .put(name)
        .array();
  }

  private static Mac mac(String secret, String setting) {
    byte[] key = secret == null ? new byte[0] : secret.getBytes(StandardCharsets.UTF_8);
    if (key.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "Setting "
              + setting
              + " must be a secret of at least "
              + MIN_SECRET_BYTES
              + " bytes (for example 32 random bytes in base64: openssl rand -base64 32), not "
              + key.length);
    }
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("This JVM cannot compute " + ALGORITHM, e);
    }
  }

  /** Never the secrets. */
  @Override
  public String toString() {
    return "HMAC-SHA256 (secret ***"
        + (previous != null ? ", previous secret ***" : "")
        + (acceptUntagged ? ", untagged values accepted" : "")
        + (cacheName != null ? ", cache '" + cacheName + "'" : "")
        + ")";
  }
}
