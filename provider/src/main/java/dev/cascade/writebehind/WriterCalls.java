package dev.cascade.writebehind;

import dev.cascade.CascadeEntry;
import dev.cascade.codec.Codec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;

/**
 * Calls the user's writer for a set of coalesced changes: one {@code writeAll} for the puts and one
 * {@code deleteAll} for the deletes (different keys, so their order does not matter), and reads
 * the partial-success contract back: what the writer leaves in a collection was not written.
 *
 * <p>A call that has not returned after the writer timeout is reported and interrupted, but its
 * partition waits until it really returns: starting a newer write of the same keys while an older
 * one may still land would break per-key order.
 */
final class WriterCalls<K, V> {

  /** The outcome of one call: changes not written, and why. */
  static final class Result {
    final List<Coalesced.Change> failed;
    final String error;

    Result(List<Coalesced.Change> failed, String error) {
      this.failed = failed;
      this.error = error;
    }

    boolean ok() {
      return failed.isEmpty();
    }
  }

  /** Told when a call overruns the timeout, so the failure is visible while the call still runs. */
  interface Overrun {
    void report(String error);
  }

  private final CacheWriter<K, V> writer;
  private final Codec<K> keys;
  private final Codec<V> values;
  private final long timeoutMillis;
  private final ExecutorService callers;
  private final String cacheName;

  @SuppressWarnings("unchecked")
  WriterCalls(CacheWriter<? super K, ? super V> writer, Codec<K> keys, Codec<V> values, long timeoutMillis,
      ExecutorService callers, String cacheName) {
    // a writer of supertypes accepts our entries; the cast only narrows what the compiler knows
    this.writer = (CacheWriter<K, V>) writer;
    this.keys = keys;
    this.values = values;
    this.timeoutMillis = timeoutMillis;
    this.callers = callers;
    this.cacheName = cacheName;
  }

  Result write(List<Coalesced.Change> changes, Overrun overrun) {
    List<Coalesced.Change> failed = new ArrayList<>();
    String error = null;
    Map<Object, Coalesced.Change> byEntry = new IdentityHashMap<>();
    List<Cache.Entry<? extends K, ? extends V>> puts = new ArrayList<>();
    List<K> deletes = new ArrayList<>();
    Map<Object, Coalesced.Change> byDeletedKey = new IdentityHashMap<>();
    for (Coalesced.Change c : changes) {
      try {
        K key = keys.decode(c.key);
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
    if (!puts.isEmpty()) {
      String e = call(() -> writer.writeAll(puts), puts, overrun, "writeAll");
      if (e != null || !puts.isEmpty()) {
        for (Cache.Entry<? extends K, ? extends V> left : puts) {
          failed.add(byEntry.get(left));
        }
        error = e != null ? e : "writeAll returned but left " + puts.size() + " entries unwritten";
      }
    }
    if (!deletes.isEmpty()) {
      String e = call(() -> writer.deleteAll(deletes), deletes, overrun, "deleteAll");
      if (e != null || !deletes.isEmpty()) {
        for (K left : deletes) {
          failed.add(byDeletedKey.get(left));
        }
        error = e != null ? e : "deleteAll returned but left " + deletes.size() + " keys undeleted";
      }
    }
    failed.removeIf(java.util.Objects::isNull);
    return new Result(failed, error);
  }

  /** Runs one writer call on a caller thread; returns null, or the failure as a message. */
  private String call(Runnable body, Collection<?> batch, Overrun overrun, String method) {
    CountDownLatch done = new CountDownLatch(1);
    Throwable[] thrown = new Throwable[1];
    Future<?> future = callers.submit(() -> {
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
        String message = "the writer's " + method + " of " + batch.size() + " changes of cache '" + cacheName
            + "' did not return within " + timeoutMillis + " ms; interrupted, waiting for it before writing"
            + " newer changes of these keys";
        overrun.report(message);
        future.cancel(true);
        done.await();
        return message;
      }
      future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while waiting for the writer";
    } catch (ExecutionException e) {
      thrown[0] = e.getCause();
    } catch (java.util.concurrent.CancellationException e) {
      // cancelled after the timeout: reported above
    }
    Throwable t = thrown[0];
    if (t == null) {
      return null;
    }
    if (t instanceof Error && !(t instanceof AssertionError)) {
      throw (Error) t;
    }
    Throwable root = t.getCause() != null && t.getMessage() != null && t.getMessage().startsWith("The cache writer")
        ? t.getCause() : t;
    return method + " failed: " + root;
  }
}
