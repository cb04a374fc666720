package dev.cascade.store;

/**
 * What a plain read found for one key: the encoded value and its logical expiry.
 * {@link #ABSENT} when there is no entry.
 */
public final class StoredEntry {

  public static final long ETERNAL = Long.MAX_VALUE;
  public static final StoredEntry ABSENT = new StoredEntry(null, ETERNAL);

  private final byte[] value;
  private final long expiresAt;

  public StoredEntry(byte[] value, long expiresAt) {
    this.value = value;
    this.expiresAt = expiresAt;
  }

  /** The encoded value, or null when absent. */
  public byte[] value() {
    return value;
  }

  /** Epoch ms after which the entry counts as expired; {@link #ETERNAL} when it never expires. */
  public long expiresAt() {
    return expiresAt;
  }

  public boolean isPresent() {
    return value != null;
  }

  public boolean isExpiredAt(long now) {
    return value != null && expiresAt <= now;
  }

  /** Present and not expired at {@code now}. */
  public boolean isLiveAt(long now) {
    return value != null && expiresAt > now;
  }
}
