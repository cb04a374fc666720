package dev.cascade.internal.store;

/**
 * The arguments of one {@code mutate.lua} call: a condition on the entry, an action, and the expiry
 * to apply in each case. Build with the static factories and {@code with...} methods; instances are
 * immutable.
 *
 * <p>Expiry specs are strings, as the script reads them: {@code "E"} eternal, {@code "Z"} zero,
 * {@code "U"} unchanged, or a duration in milliseconds.
 */
public final class Mutation {

  public enum Condition {
    ANY('A'),
    ABSENT('N'),
    PRESENT('P'),
    EQUALS('E'),
    /** Absent, and no write-behind record pending for it: a read-through load. */
    LOADABLE('L'),
    /** No write-behind record pending for it: a load that may replace the cached value. */
    REPLACEABLE('O'),
    /**
     * Absent, and no write-behind record pending for it; fails as "present" otherwise, a queued
     * write included: a replayed dead-lettered delete, which must not replace a newer write still
     * in the queue.
     */
    ABSENT_UNQUEUED('U');

    /** The one-letter code the scripts read, as the argument's bytes (never changed). */
    final byte[] code;

    Condition(char code) {
      this.code = new byte[] {(byte) code};
    }
  }

  public enum Action {
    SET('S'),
    DELETE('D'),
    TOUCH('T');

    /** The one-letter code the scripts read, as the argument's bytes (never changed). */
    final byte[] code;

    Action(char code) {
      this.code = new byte[] {(byte) code};
    }
  }

  public static final String ETERNAL = "E";
  public static final String ZERO = "Z";
  public static final String UNCHANGED = "U";

  final Condition condition;
  final byte[] expected;
  final Action action;
  final byte[] value;
  final String onCreate;
  final String onUpdate;
  final String onFailedAccess;
  final boolean returnOld;
  final boolean accessOnFailure;
  final boolean ignoreQueueBound;

  private Mutation(
      Condition condition,
      byte[] expected,
      Action action,
      byte[] value,
      String onCreate,
      String onUpdate,
      String onFailedAccess,
      boolean returnOld,
      boolean accessOnFailure,
      boolean ignoreQueueBound) {
    this.condition = condition;
    this.expected = expected;
    this.action = action;
    this.value = value;
    this.onCreate = onCreate;
    this.onUpdate = onUpdate;
    this.onFailedAccess = onFailedAccess;
    this.returnOld = returnOld;
    this.accessOnFailure = accessOnFailure;
    this.ignoreQueueBound = ignoreQueueBound;
  }

  public static Mutation set(Condition condition, byte[] expected, byte[] value) {
    return new Mutation(
        condition, expected, Action.SET, value, ETERNAL, UNCHANGED, UNCHANGED, false, false, false);
  }

  public static Mutation delete(Condition condition, byte[] expected) {
    return new Mutation(
        condition,
        expected,
        Action.DELETE,
        null,
        ETERNAL,
        UNCHANGED,
        UNCHANGED,
        false,
        false,
        false);
  }

  public static Mutation touch(Condition condition, byte[] expected) {
    return new Mutation(
        condition,
        expected,
        Action.TOUCH,
        null,
        ETERNAL,
        UNCHANGED,
        UNCHANGED,
        false,
        false,
        false);
  }

  /**
   * Expiry specs: when the entry is created, when it is updated or touched, when the condition
   * fails on it.
   */
  public Mutation withExpiry(String onCreate, String onUpdate, String onFailedAccess) {
    return new Mutation(
        condition,
        expected,
        action,
        value,
        onCreate,
        onUpdate,
        onFailedAccess,
        returnOld,
        accessOnFailure,
        ignoreQueueBound);
  }

  public Mutation returningOld(boolean returnOld) {
    return new Mutation(
        condition,
        expected,
        action,
        value,
        onCreate,
        onUpdate,
        onFailedAccess,
        returnOld,
        accessOnFailure,
        ignoreQueueBound);
  }

  /**
   * A failed condition on a present entry counts as an access of it (JCache: {@code replace(k, old,
   * new)} and {@code remove(k, v)} with another value), so its access expiry applies.
   */
  public Mutation accessingOnFailure() {
    return new Mutation(
        condition,
        expected,
        action,
        value,
        onCreate,
        onUpdate,
        onFailedAccess,
        returnOld,
        true,
        ignoreQueueBound);
  }

  /**
   * Appends the write-behind record even if the partition's queue is at its bound (the overflow
   * policy "write through": the caller already wrote the database itself).
   */
  public Mutation ignoringQueueBound() {
    return new Mutation(
        condition,
        expected,
        action,
        value,
        onCreate,
        onUpdate,
        onFailedAccess,
        returnOld,
        accessOnFailure,
        true);
  }

  public boolean isAccessOnFailure() {
    return accessOnFailure;
  }

  public boolean isReturnOld() {
    return returnOld;
  }

  /** The same action, on the condition that the entry is exactly as a read found it. */
  public Mutation onlyIf(StoredEntry seen, long now) {
    if (condition == Condition.LOADABLE || condition == Condition.REPLACEABLE) {
      return this; // already judged atomically against pending writes by the script
    }
    boolean live = seen.isLiveAt(now);
    return new Mutation(
        live ? Condition.EQUALS : Condition.ABSENT,
        live ? seen.value() : null,
        action,
        value,
        onCreate,
        onUpdate,
        onFailedAccess,
        returnOld,
        accessOnFailure,
        ignoreQueueBound);
  }

  /** The same condition and expiry, with another action (used to apply a decided access). */
  public Mutation withAction(Action newAction, byte[] newValue) {
    return new Mutation(
        condition,
        expected,
        newAction,
        newValue,
        onCreate,
        onUpdate,
        onFailedAccess,
        returnOld,
        accessOnFailure,
        ignoreQueueBound);
  }

  public Condition condition() {
    return condition;
  }

  public byte[] expected() {
    return expected;
  }

  public Action action() {
    return action;
  }

  public byte[] value() {
    return value;
  }
}
