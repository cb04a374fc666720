package dev.cascade.internal.store;

/**
 * What {@code mutate.lua} did, as the JCache layer needs it for return values, events and
 * statistics.
 */
public record Outcome(Status status, byte[] old, byte[] expired, boolean pending) {

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
      return switch (code) {
        case "C" -> CREATED;
        case "K" -> NOT_STORED_EXPIRED;
        case "U" -> UPDATED;
        case "T" -> TOUCHED;
        case "D" -> DELETED;
        case "F" -> FAILED_PRESENT;
        case "M" -> FAILED_ABSENT;
        case "L" -> LOCK_LOST;
        case "Q" -> QUEUE_FULL;
        default ->
            throw new IllegalStateException("mutate.lua replied with unknown status " + code);
      };
    }
  }

  public Outcome(Status status, byte[] old, byte[] expired) {
    this(status, old, expired, false);
  }

  public boolean changedValue() {
    return status == Status.CREATED || status == Status.UPDATED || status == Status.DELETED;
  }
}
