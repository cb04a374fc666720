package dev.cascade.internal.store;

/**
 * What a plain read found for one key: the encoded value and its logical expiry. {@link #ABSENT}
 * when there is no entry.
 */
public record StoredEntry(byte[] value, long expiresAt, boolean isPending) {

  public static final long ETERNAL = Long.MAX_VALUE;
  public static final StoredEntry ABSENT = new StoredEntry(null, ETERNAL, false);

  public StoredEntry(byte[] value, long expiresAt) {
    this(value, expiresAt, false);
  }

  public boolean isPresent() {
    return value != null;
  }

  public boolean isExpiredAt(long now) {
    return value != null && expiresAt <= now;
  }

  public boolean isLiveAt(long now) {
    return value != null && expiresAt > now;
  }
}
