package dev.cascade.internal.admin;

import dev.cascade.CascadeAdmin.Replay;
import dev.cascade.CascadeAdmin.ReplayResult;
import dev.cascade.internal.store.AdminStore;
import dev.cascade.internal.store.AdminStore.Letter;
import dev.cascade.internal.store.Mutation;
import dev.cascade.internal.store.Outcome;
import java.util.List;

/**
 * Replays a dead letter without ever taking the database back to an older value.
 *
 * <p>The rule: a dead letter is queued again only while the cache still holds exactly what it would
 * write: for a put, an entry whose value has the letter's bytes; for a delete, no entry. The check
 * and the new record are one {@code mutate.lua} call, the script of every ordinary change ({@code
 * replace(k, v, v)}, {@code remove} of an absent key), so no change of the key can come between
 * them. The new record is appended to the key's partition after every record queued before it, so
 * per-key order holds, and its revision (its stream id) is newer than any the key had: a {@code
 * RevisionedCacheWriter} accepts it, and a later change of the key still wins over it. What it
 * writes is what the cache holds now, so the database ends as the cache is.
 *
 * <p>A key changed since (another value, removed, expired) is superseded: its newer state was, or
 * will be, written by its own record, and writing the letter could bring an older value back.
 *
 * <p>Idempotent: the letter is deleted after the change; a replay interrupted in between leaves it,
 * and replaying it again queues the same value once more (delivery is at least once anyway).
 */
final class DeadLetterReplay {

  private final AdminStore store;

  DeadLetterReplay(AdminStore store) {
    this.store = store;
  }

  Replay replay(CacheView view, Letter letter, long now) {
    Mutation change =
        letter.delete()
            ? Mutation.delete(Mutation.Condition.ABSENT_UNQUEUED, null)
            : Mutation.set(Mutation.Condition.EQUALS, letter.value(), letter.value())
                .withExpiry(Mutation.UNCHANGED, Mutation.UNCHANGED, Mutation.UNCHANGED);
    Outcome outcome =
        view.store()
            .redis()
            .await(
                view.store().mutate(letter.key(), change, now, 0, null),
                "replaying dead letter " + letter.id() + " of " + view.layout.describe());
    ReplayResult result = resultOf(letter, outcome.status());
    if (result == ReplayResult.REPLAYED || result == ReplayResult.SUPERSEDED) {
      store.deleteDeadLetters(view.layout, List.of(letter.id()));
    }
    return new Replay(letter.id(), view.showKey(letter.key()), result, detail(letter, result));
  }

  private static ReplayResult resultOf(Letter letter, Outcome.Status status) {
    if (status == Outcome.Status.QUEUE_FULL) {
      return ReplayResult.QUEUE_FULL;
    }
    if (letter.delete()) {
      // condition "absent, nothing queued": met (nothing to delete in the cache, the record
      // queued) or failed (the cache holds the key again, or a newer write of it is queued)
      return status == Outcome.Status.FAILED_ABSENT
          ? ReplayResult.REPLAYED
          : ReplayResult.SUPERSEDED;
    }
    return status == Outcome.Status.UPDATED ? ReplayResult.REPLAYED : ReplayResult.SUPERSEDED;
  }

  private static String detail(Letter letter, ReplayResult result) {
    return switch (result) {
      case REPLAYED ->
          letter.delete()
              ? "the delete is queued again"
              : "the value the cache holds is queued again";
      case SUPERSEDED ->
          letter.delete()
              ? "not queued: the cache holds the key again, or a newer write of it is queued,"
                  + " and that is written on its own"
              : "not queued: the cache no longer holds this value (changed, removed or expired"
                  + " since), and writing it could take the database back";
      case QUEUE_FULL -> "not queued: the partition's queue is at its bound; try again later";
      case NOT_FOUND -> "no such dead letter";
    };
  }
}
