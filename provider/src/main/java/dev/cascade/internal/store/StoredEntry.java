package dev.cascade.internal.store;

/**
 * What a plain read found for one key: the encoded value and its logical expiry. {@link #ABSENT}
 * when there is no entry.
 */
public final class StoredEntry {

  public static final long ETERNAL = Long.MAX_VALUE;
  public static final StoredEntry ABSENT = new StoredEntry(null, ETERNAL, false);

  private final byte[] value;
  private final long expiresAt;
  private final boolean pending;

  public StoredEntry(byte[] value, long expiresAt) {
    this(value, expiresAt, false);
  }

  public StoredEntry(byte[] value, long expiresAt, boolean pending) {
    this.value = value;
    this.expiresAt = expiresAt;
    this.pending = pending;
  }

  /**
   * True while a write-behind record of this entry waits to be flushed. An absent value with a
   * pending write is a pending delete: the key must not be loaded from the database.
   */
  public boolean isPending() {
    return pending;
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
