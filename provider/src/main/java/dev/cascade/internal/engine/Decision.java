package dev.cascade.internal.engine;

import dev.cascade.internal.store.Mutation;
import dev.cascade.internal.store.StoredEntry;
import java.util.Arrays;

/**
 * What a {@link Mutation} will do to an entry in a given state: the same rules as {@code
 * mutate.lua}, evaluated in Java when Cascade must know the case before the script runs (to call a
 * writer first, or to ask a non-standard expiry policy the right question). {@code
 * EntryEngineDifferentialTest} keeps the two in step.
 */
enum Decision {
  CREATE,
  UPDATE,
  TOUCH,
  DELETE,
  FAIL_PRESENT,
  FAIL_ABSENT;

  static Decision of(Mutation m, StoredEntry seen, long now) {
    boolean live = seen.isLiveAt(now);
    boolean ok;
    switch (m.condition()) {
      case ANY:
        ok = true;
        break;
      case ABSENT:
        ok = !live;
        break;
      case PRESENT:
        ok = live;
        break;
      case LOADABLE:
        ok = !live && !seen.isPending();
        break;
      case REPLACEABLE:
        ok = !seen.isPending();
        break;
      case ABSENT_UNQUEUED:
        if (live || seen.isPending()) {
          return FAIL_PRESENT; // as mutate.lua answers: a queued write of the key decides
        }
        ok = true;
        break;
      default:
        ok = live && Arrays.equals(seen.value(), m.expected());
        break;
    }
    if (!ok) {
      return live ? FAIL_PRESENT : FAIL_ABSENT;
    }
    switch (m.action()) {
      case DELETE:
        return live ? DELETE : FAIL_ABSENT;
      case TOUCH:
        return live ? TOUCH : FAIL_ABSENT;
      default:
        return live ? UPDATE : CREATE;
    }
  }

  boolean writes() {
    return this == CREATE || this == UPDATE;
  }
}
