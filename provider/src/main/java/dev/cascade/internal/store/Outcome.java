package dev.cascade.internal.store;

/**
 * What {@code mutate.lua} did, as the JCache layer needs it for return values, events and
 * statistics.
 */
public final class Outcome {

  public enum Status {
    /** The entry was created. */
    CREATED,
    /** The entry would have been created, but its creation expiry was zero: nothing stored. */
    NOT_STORED_EXPIRED,
    UPDATED,
    /** Only the expiry of a present entry changed. */
    TOUCHED,
    DELETED,
    /** The condition failed; the entry is present. */
    FAILED_PRESENT,
    /** The condition failed, or there was nothing to act on; the entry is absent. */
    FAILED_ABSENT,
    /** The write-through lock was lost (its lease ran out): nothing changed. */
    LOCK_LOST,
    /** The write-behind queue of the entry's partition is at its bound: nothing changed. */
    QUEUE_FULL;

    static Status of(String code) {
      switch (code) {
        case "C":
          return CREATED;
        case "K":
          return NOT_STORED_EXPIRED;
        case "U":
          return UPDATED;
        case "T":
          return TOUCHED;
        case "D":
          return DELETED;
        case "F":
          return FAILED_PRESENT;
        case "M":
          return FAILED_ABSENT;
        case "L":
          return LOCK_LOST;
        case "Q":
          return QUEUE_FULL;
        default:
          throw new IllegalStateException("mutate.lua replied with unknown status " + code);
      }
    }
  }

  private final Status status;
  private final byte[] old;
  private final byte[] expired;
  private final boolean pending;

  public Outcome(Status status, byte[] old, byte[] expired) {
    this(status, old, expired, false);
  }

  public Outcome(Status status, byte[] old, byte[] expired, boolean pending) {
    this.status = status;
    this.old = old;
    this.expired = expired;
    this.pending = pending;
  }

  /**
   * True when a write-behind record of the entry is still queued after this call. With an absent
   * entry, that is a pending delete: the key must not be loaded from the database meanwhile.
   */
  public boolean pending() {
    return pending;
  }

  public Status status() {
    return status;
  }

  /** The value before the change, when asked for and the entry was present (and not expired). */
  public byte[] old() {
    return old;
  }

  /** The value of an entry that had expired and was reaped by this call, else null. */
  public byte[] expired() {
    return expired;
  }

  public boolean changedValue() {
    return status == Status.CREATED || status == Status.UPDATED || status == Status.DELETED;
  }
}
