package dev.cascade.bench;

import dev.cascade.writebehind.RevisionedCacheWriter;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import javax.cache.Cache;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;

/**
 * Wraps the writer a write-behind cache flushes through, to see what reaches the database: rows
 * written (what the writer took out of the collection it was given: JCache's partial-success
 * contract says what it leaves there was not written), calls, and the time spent inside the wrapped
 * writer. It can also hold every call at a gate until {@link #release()}, so a backlog can be
 * queued before the flush is timed.
 *
 * <p>It is a {@link RevisionedCacheWriter} so the flusher hands it revisions as it would hand them
 * to the wrapped writer; a wrapped writer that is not one gets the plain calls.
 *
 * <p>Thread-safe: the flush threads of a cache call one instance concurrently.
 */
final class InstrumentedWriter implements RevisionedCacheWriter<String, String> {

  private static final Map<String, InstrumentedWriter> REGISTRY = new ConcurrentHashMap<>();
  private static final AtomicInteger IDS = new AtomicInteger();

  private final CacheWriter<String, String> delegate;
  private volatile CountDownLatch gate = new CountDownLatch(0);
  final LongAdder rowsWritten = new LongAdder();
  final LongAdder calls = new LongAdder();
  final LongAdder nanosInWriter = new LongAdder();

  /** When the last writer call returned (System.nanoTime), 0 before any. */
  volatile long lastReturnNanos;

  /** Start, end (System.nanoTime) and rows of every call, when {@link #recordCalls} is on. */
  final ConcurrentLinkedQueue<long[]> callTimes = new ConcurrentLinkedQueue<>();

  volatile boolean recordCalls;

  InstrumentedWriter(CacheWriter<String, String> delegate) {
    this.delegate = delegate;
  }

  /** Holds every writer call from now on until {@link #release()}. */
  void hold() {
    gate = new CountDownLatch(1);
  }

  void release() {
    gate.countDown();
  }

  /**
   * A factory that hands out this instance. JCache wants factories Serializable; this one carries
   * only an id into a registry of this JVM, which is where the cache that uses it lives.
   */
  Factory<CacheWriter<String, String>> factory() {
    String id = "w" + IDS.incrementAndGet();
    REGISTRY.put(id, this);
    return new ById(id);
  }

  private static final class ById implements Factory<CacheWriter<String, String>> {
    private static final long serialVersionUID = 1L;
    private final String id;

    ById(String id) {
      this.id = id;
    }

    @Override
    public CacheWriter<String, String> create() {
      InstrumentedWriter w = REGISTRY.get(id);
      if (w == null) {
        throw new IllegalStateException("no benchmark writer " + id + " in this JVM");
      }
      return w;
    }
  }

  private void awaitGate() {
    try {
      gate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted at the benchmark's gate", e);
    }
  }

  @Override
  public void write(Cache.Entry<? extends String, ? extends String> entry) {
    awaitGate();
    long t0 = System.nanoTime();
    try {
      delegate.write(entry);
      rowsWritten.increment();
    } finally {
      done(t0, 1);
    }
  }

  @Override
  public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
    timedBatch(entries, () -> delegate.writeAll(entries));
  }

  @Override
  public void writeAll(
      Collection<Cache.Entry<? extends String, ? extends String>> entries, Revisions revisions) {
    timedBatch(
        entries,
        () -> {
          if (delegate instanceof RevisionedCacheWriter<String, String> r) {
            r.writeAll(entries, revisions);
          } else {
            delegate.writeAll(entries);
          }
        });
  }

  @Override
  public void deleteAll(Collection<?> keys, Revisions revisions) {
    timedBatch(
        keys,
        () -> {
          if (delegate instanceof RevisionedCacheWriter<String, String> r) {
            r.deleteAll(keys, revisions);
          } else {
            delegate.deleteAll(keys);
          }
        });
  }

  /** One batch call at the gate, timed, its rows = what it took out of {@code batch}. */
  private void timedBatch(Collection<?> batch, Runnable call) {
    awaitGate();
    int before = batch.size();
    long t0 = System.nanoTime();
    try {
      call.run();
    } finally {
      rowsWritten.add(before - batch.size());
      done(t0, before - batch.size());
    }
  }

  @Override
  public void delete(Object key) {
    awaitGate();
    long t0 = System.nanoTime();
    try {
      delegate.delete(key);
      rowsWritten.increment();
    } finally {
      done(t0, 1);
    }
  }

  @Override
  public void deleteAll(Collection<?> keys) {
    timedBatch(keys, () -> delegate.deleteAll(keys));
  }

  private void done(long t0, long rows) {
    long now = System.nanoTime();
    nanosInWriter.add(now - t0);
    calls.increment();
    lastReturnNanos = now;
    if (recordCalls) {
      callTimes.add(new long[] {t0, now, rows});
    }
  }

  void reset() {
    rowsWritten.reset();
    calls.reset();
    nanosInWriter.reset();
    lastReturnNanos = 0;
    callTimes.clear();
  }
}
