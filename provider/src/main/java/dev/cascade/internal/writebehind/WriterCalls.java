package dev.cascade.internal.writebehind;

import dev.cascade.CascadeEntry;
import dev.cascade.codec.Codec;
import dev.cascade.writebehind.RevisionedCacheWriter;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;

/**
 * Calls the user's writer for a set of coalesced changes: one {@code writeAll} for the puts and one
 * {@code deleteAll} for the deletes (different keys, so their order does not matter), and reads the
 * partial-success contract back: what the writer leaves in a collection was not written.
 *
 * <p>A call that has not returned after the writer timeout is reported and interrupted, and {@link
 * #write} throws {@link Hung}: its partition must wait until the call really returns (starting a
 * newer write of the same keys while an older one may still land would break per-key order), but
 * the worker does not wait with it: it goes on with its other partitions.
 */
final class WriterCalls<K, V> {

  /** The outcome of one call: changes not written, and why. */
  static final class Result {
    final List<Coalesced.Change> failed;
    final String error;

    /**
     * The failure says the database could not be reached: the changes themselves are not to blame.
     */
    final boolean unreachable;

    /**
     * The failure says the database refused the data itself (a constraint, a value it cannot
     * store): a change written alone that fails so is to blame, whatever the others do.
     */
    final boolean refusedData;

    Result(List<Coalesced.Change> failed, String error, boolean unreachable, boolean refusedData) {
      this.failed = failed;
      this.error = error;
      this.unreachable = unreachable;
      this.refusedData = refusedData;
    }

    boolean ok() {
      return failed.isEmpty();
    }
  }

  /**
   * A writer call overran the timeout and is still running (interrupted, but not returned). Nothing
   * of the attempt may be acknowledged, and nothing newer of its partition written, until {@link
   * #returned()}; then the attempt counts as failed and is retried (at least once delivery).
   */
  static final class Hung extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient CountDownLatch done;

    Hung(String message, CountDownLatch done) {
      super(message, null, false, false);
      this.done = done;
    }

    boolean returned() {
      return done.getCount() == 0;
    }
  }

  /** Told when a call overruns the timeout, so the failure is visible while the call still runs. */
  interface Overrun {
    void report(String error);
  }

  private final CacheWriter<K, V> writer;

  /** The same writer when it takes revisions, else null. */
  private final RevisionedCacheWriter<K, V> revisioned;

  private final Codec<K> keys;
  private final Codec<V> values;
  private final long timeoutMillis;
  private final ExecutorService callers;
  private final String cacheName;

  @SuppressWarnings("unchecked")
  WriterCalls(
      CacheWriter<? super K, ? super V> writer,
      Codec<K> keys,
      Codec<V> values,
      long timeoutMillis,
      ExecutorService callers,
      String cacheName) {
    // a writer of supertypes accepts our entries; the cast only narrows what the compiler knows
    this.writer = (CacheWriter<K, V>) writer;
    this.revisioned =
        writer instanceof RevisionedCacheWriter ? (RevisionedCacheWriter<K, V>) writer : null;
    this.keys = keys;
    this.values = values;
    this.timeoutMillis = timeoutMillis;
    this.callers = callers;
    this.cacheName = cacheName;
  }

  /**
   * @param beforeEachCall runs before each call of the writer ({@code writeAll}, {@code
   *     deleteAll}); what it throws ends the attempt there, and no further call is made
   * @throws Hung when a call overran the timeout and has not returned yet (the other call of the
   *     attempt, if any, was not made)
   */
  Result write(List<Coalesced.Change> changes, Overrun overrun, Runnable beforeEachCall) {
    List<Coalesced.Change> failed = new ArrayList<>();
    String error = null;
    boolean unreachable = false;
    boolean refusedData = false;
    Map<Object, Coalesced.Change> byEntry = new IdentityHashMap<>();
    List<Cache.Entry<? extends K, ? extends V>> puts = new ArrayList<>();
    List<K> deletes = new ArrayList<>();
    Map<Object, Coalesced.Change> byDeletedKey = new IdentityHashMap<>();
    Map<Object, Long> revisionOf = revisioned != null ? new HashMap<>() : null;
    for (Coalesced.Change c : changes) {
      try {
        K key = keys.decode(c.key);
        if (revisionOf != null) {
          revisionOf.put(key, c.revision());
        }
        if (c.delete) {
          deletes.add(key);
          byDeletedKey.put(key, c);
        } else {
          CascadeEntry<K, V> entry = new CascadeEntry<>(key, values.decode(c.value));
          puts.add(entry);
          byEntry.put(entry, c);
        }
      } catch (RuntimeException e) {
        // a record this JVM cannot decode can never be written: it fails on its own
        failed.add(c);
        error = "cannot decode a queued record of cache '" + cacheName + "': " + e.getMessage();
      }
    }
    RevisionedCacheWriter.Revisions revisions =
        revisionOf == null
            ? null
            : key -> {
              Long revision = revisionOf.get(key);
              if (revision == null) {
                throw new IllegalArgumentException(
                    "key " + key + " is not part of this writer call");
              }
              return revision;
            };
    if (!puts.isEmpty()) {
      beforeEachCall.run();
      Failure f =
          call(
              () -> {
                if (revisioned != null) {
                  revisioned.writeAll(puts, revisions);
                } else {
                  writer.writeAll(puts);
                }
              },
              puts,
              overrun,
              "writeAll");
      if (f != null || !puts.isEmpty()) {
        for (Cache.Entry<? extends K, ? extends V> left : puts) {
          failed.add(byEntry.get(left));
        }
        error =
            f != null
                ? f.message
                : "writeAll returned but left " + puts.size() + " entries unwritten";
        unreachable |= f != null && f.unreachable;
        refusedData |= f != null && f.refusedData;
      }
    }
    if (!deletes.isEmpty()) {
      beforeEachCall.run();
      Failure f =
          call(
              () -> {
                if (revisioned != null) {
                  revisioned.deleteAll(deletes, revisions);
                } else {
                  writer.deleteAll(deletes);
                }
              },
              deletes,
              overrun,
              "deleteAll");
      if (f != null || !deletes.isEmpty()) {
        for (K left : deletes) {
          failed.add(byDeletedKey.get(left));
        }
        error =
            f != null
                ? f.message
                : "deleteAll returned but left " + deletes.size() + " keys undeleted";
        unreachable |= f != null && f.unreachable;
        refusedData |= f != null && f.refusedData;
      }
    }
    failed.removeIf(Objects::isNull);
    return new Result(failed, error, unreachable, refusedData && !unreachable);
  }

  /** Why a writer call failed. */
  private static final class Failure {
    final String message;
    final boolean unreachable;
    final boolean refusedData;

    Failure(String message, boolean unreachable, boolean refusedData) {
      this.message = message;
      this.unreachable = unreachable;
      this.refusedData = refusedData;
    }
  }

  /** Runs one writer call on a caller thread; returns null, or why it failed. */
  private Failure call(Runnable body, Collection<?> batch, Overrun overrun, String method) {
    CountDownLatch done = new CountDownLatch(1);
    Throwable[] thrown = new Throwable[1];
    Future<?> future =
        callers.submit(
            () -> {
              try {
                body.run();
              } catch (Throwable t) {
                thrown[0] = t;
              } finally {
                done.countDown();
              }
            });
    try {
      if (!done.await(timeoutMillis, TimeUnit.MILLISECONDS)) {
        String message =
            "the writer's "
                + method
                + " of "
                + batch.size()
                + " changes of cache '"
                + cacheName
                + "' did not return within "
                + timeoutMillis
                + " ms; interrupted, its partition waits for it to return"
                + " before writing newer changes of these keys (other partitions go on)";
        overrun.report(message);
        future.cancel(true);
        if (done.getCount() > 0) {
          throw new Hung(message, done);
        }
        return new Failure(message, false, false);
      }
      future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (done.getCount() > 0) {
        // the call still runs and may still commit: as after a timeout, its partition must wait
        future.cancel(true);
        throw new Hung(
            "interrupted while the writer's "
                + method
                + " of cache '"
                + cacheName
                + "' still ran; its partition waits for it to return",
            done);
      }
      return new Failure("interrupted while waiting for the writer", false, false);
    } catch (ExecutionException e) {
      thrown[0] = e.getCause();
    } catch (CancellationException e) {
      // cancelled after the timeout: reported above
    }
    Throwable t = thrown[0];
    if (t == null) {
      return null;
    }
    if (t instanceof OutOfMemoryError) {
      throw (Error) t;
    }
    // any other Error (a StackOverflowError on one value, a NoClassDefFoundError) fails this call
    // like an exception: retried with backoff, charged, dead-lettered at the limit, never a stall
    Throwable root =
        t.getCause() != null
                && t.getMessage() != null
                && t.getMessage().startsWith("The cache writer")
            ? t.getCause()
            : t;
    boolean unreachable = looksUnreachable(t);
    return new Failure(method + " failed: " + root, unreachable, !unreachable && refusesData(t));
  }

  /**
   * Whether a failure says the database could not be reached rather than that it refused these
   * changes: a JDBC connection failure (SQLState class 08, or one of the exceptions JDBC defines
   * for it) or a refused or unroutable socket, anywhere in the cause chain. Such failures are never
   * charged to the changes, so an outage cannot send a change to the dead letters.
   */
  static boolean looksUnreachable(Throwable t) {
    int depth = 0;
    for (Throwable c = t; c != null && depth < 16; c = c.getCause(), depth++) {
      if (c instanceof SQLRecoverableException
          || c instanceof SQLTransientConnectionException
          || c instanceof SQLNonTransientConnectionException
          || c instanceof ConnectException
          || c instanceof NoRouteToHostException
          || c instanceof UnknownHostException) {
        return true;
      }
      if (c instanceof SQLException) {
        String state = ((SQLException) c).getSQLState();
        if (state != null && state.startsWith("08")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether a failure says the database refused the data: an integrity constraint (SQLState class
   * 23: a CHECK, a foreign or unique key, NOT NULL) or a value it cannot store (class 22: too long,
   * out of range, malformed), anywhere in the cause chain. A change that fails so when written
   * alone is charged even if no other change was written beside it: an outage does not answer with
   * these. Any other failure (a missing table, a deadlock, a plain exception of the writer) may be
   * the database's or the writer's state, not the change's.
   */
  static boolean refusesData(Throwable t) {
    int depth = 0;
    for (Throwable c = t; c != null && depth < 16; c = c.getCause(), depth++) {
      if (c instanceof SQLIntegrityConstraintViolationException || c instanceof SQLDataException) {
        return true;
      }
      if (c instanceof SQLException) {
        String state = ((SQLException) c).getSQLState();
        if (state != null && (state.startsWith("22") || state.startsWith("23"))) {
          return true;
        }
      }
    }
    return false;
  }
}
