package dev.cascade.internal.engine;

import dev.cascade.internal.store.Mutation;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.expiry.ModifiedExpiryPolicy;
import javax.cache.expiry.TouchedExpiryPolicy;

/**
 * Asks a cache's {@link ExpiryPolicy} for durations and turns them into the expiry specs {@code
 * mutate.lua} reads ({@code E} eternal, {@code Z} zero, {@code U} unchanged, or ms).
 *
 * <p>The five standard policies always answer the same, so their answers are taken once: then one
 * script call can decide between creating and updating an entry by itself. Any other policy may
 * answer differently each time (and the TCK counts the calls), so it is asked exactly when the spec
 * says, after Cascade knows which case applies.
 *
 * <p>Exceptions from the policy are swallowed as the spec says: a failing creation duration means
 * eternal, a failing update or access duration means unchanged. Thread-safe if the policy is.
 */
final class ExpiryRules {

  private final ExpiryPolicy policy;
  private final boolean fixed;
  private final String onCreate;
  private final String onUpdate;
  private final String onAccess;

  ExpiryRules(ExpiryPolicy policy) {
    this.policy = policy;
    Class<?> type = policy.getClass();
    this.fixed =
        type == EternalExpiryPolicy.class
            || type == CreatedExpiryPolicy.class
            || type == AccessedExpiryPolicy.class
            || type == ModifiedExpiryPolicy.class
            || type == TouchedExpiryPolicy.class;
    this.onCreate = fixed ? askCreation() : null;
    this.onUpdate = fixed ? askUpdate() : null;
    this.onAccess = fixed ? askAccess() : null;
  }

  ExpiryPolicy policy() {
    return policy;
  }

  /** True when the answers are known in advance, so one script call can apply them. */
  boolean isFixed() {
    return fixed;
  }

  /** True when reads must change an entry's expiry (an access duration other than "unchanged"). */
  boolean readsTouch() {
    return !fixed || !Mutation.UNCHANGED.equals(onAccess);
  }

  /** True when no entry can ever get a finite expiry (so plain reads need not look at it). */
  boolean isEternal() {
    return fixed && Mutation.ETERNAL.equals(onCreate) && !isFinite(onUpdate) && !isFinite(onAccess);
  }

  private static boolean isFinite(String spec) {
    return !Mutation.ETERNAL.equals(spec) && !Mutation.UNCHANGED.equals(spec);
  }

  String forCreation() {
    return fixed ? onCreate : askCreation();
  }

  String forUpdate() {
    return fixed ? onUpdate : askUpdate();
  }

  String forAccess() {
    return fixed ? onAccess : askAccess();
  }

  private String askCreation() {
    try {
      Duration d = policy.getExpiryForCreation();
      return d == null ? Mutation.ETERNAL : spec(d);
    } catch (Throwable t) {
      return Mutation.ETERNAL;
    }
  }

  private String askUpdate() {
    try {
      Duration d = policy.getExpiryForUpdate();
      return d == null ? Mutation.UNCHANGED : spec(d);
    } catch (Throwable t) {
      return Mutation.UNCHANGED;
    }
  }

  private String askAccess() {
    try {
      Duration d = policy.getExpiryForAccess();
      return d == null ? Mutation.UNCHANGED : spec(d);
    } catch (Throwable t) {
      return Mutation.UNCHANGED;
    }
  }

  static String spec(Duration d) {
    if (d.isEternal()) {
      return Mutation.ETERNAL;
    }
    if (d.isZero()) {
      return Mutation.ZERO;
    }
    long ms = d.getTimeUnit().toMillis(d.getDurationAmount());
    return Long.toString(Math.min(LONGEST_MILLIS, Math.max(1, ms)));
  }

  /**
   * The longest finite duration an entry gets: 1,000 years. Why a bound: the scripts add a duration
   * to the current time as a Lua number, which prints in exponent form from 1e17 on (and is exact
   * only up to 2^53), and {@code PEXPIREAT} refuses that form, so {@code Integer.MAX_VALUE} days or
   * {@code Long.MAX_VALUE} ms once left an entry without a TTL and with an unreadable expiry. The
   * current time plus 1,000 years (about 3.3e13 ms) stays far below both limits.
   */
  static final long LONGEST_MILLIS = 1000L * 365 * 24 * 60 * 60 * 1000;
}
