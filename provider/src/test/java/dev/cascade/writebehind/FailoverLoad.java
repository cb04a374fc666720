package dev.cascade.writebehind;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import javax.cache.Cache;

/**
 * Write-behind load for failover tests: threads put new keys ({@code t<thread>-<n>}, value {@code
 * n}), one after the other, and remember for every put whether it returned normally or threw. No
 * key is written twice, so a later write can never hide a lost one: after the drain, every put that
 * returned normally must have its row in the database.
 */
final class FailoverLoad {

  private final Cache<String, String> cache;
  private final int threads;
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean running;

  /** Per thread, the n of the puts that returned normally, and of those that threw. */
  private final Map<Integer, BitSet> acknowledged = new ConcurrentHashMap<>();

  private final Map<Integer, BitSet> failed = new ConcurrentHashMap<>();
  private final Map<Integer, Integer> attempted = new ConcurrentHashMap<>();

  /** Every put: {start nanos, end nanos, 1 if it returned normally, thread, n}, per thread. */
  private final Map<Integer, List<long[]>> timeline = new ConcurrentHashMap<>();

  private final AtomicLong firstFailureAt = new AtomicLong();
  private final AtomicLong lastFailureAt = new AtomicLong();

  /** Failures by kind: the message without addresses, names and numbers. */
  private final Map<String, AtomicLong> errorKinds = new ConcurrentHashMap<>();

  private final List<Throwable> unexpected = new ArrayList<>();

  FailoverLoad(Cache<String, String> cache, int threads) {
    this.cache = cache;
    this.threads = threads;
  }

  void start() {
    running = true;
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread worker = new Thread(() -> run(thread), "failover-load-" + t);
      worker.setDaemon(true);
      workers.add(worker);
      worker.start();
    }
  }

  private void run(int thread) {
    BitSet acked = new BitSet();
    BitSet threw = new BitSet();
    List<long[]> mine = new ArrayList<>();
    acknowledged.put(thread, acked);
    failed.put(thread, threw);
    timeline.put(thread, mine);
    try {
      for (int n = 1; running; n++) {
        attempted.put(thread, n);
        long start = System.nanoTime();
        try {
          cache.put(key(thread, n), Integer.toString(n));
          long end = System.nanoTime();
          synchronized (mine) {
            acked.set(n);
            mine.add(new long[] {start, end, 1, thread, n});
          }
        } catch (javax.cache.CacheException e) {
          long now = System.nanoTime();
          synchronized (mine) {
            threw.set(n);
            mine.add(new long[] {start, now, 0, thread, n});
          }
          firstFailureAt.compareAndSet(0, now);
          lastFailureAt.set(now);
          errorKinds
              .computeIfAbsent(kindOf(e.getMessage()), m -> new AtomicLong())
              .incrementAndGet();
          pause(10); // a failing node answers at once; do not spin
        }
        pause(1);
      }
    } catch (RuntimeException e) {
      synchronized (unexpected) {
        unexpected.add(e);
      }
    }
  }

  void stop() throws InterruptedException {
    running = false;
    for (Thread w : workers) {
      w.join(60_000);
    }
    if (!unexpected.isEmpty()) {
      throw new AssertionError("a writer thread failed unexpectedly", unexpected.get(0));
    }
  }

  /**
   * When the first put of a selected key that started after {@code nanos} returned normally (-1 if
   * none did): the moment writes to those keys resumed.
   */
  long resumedAfter(long nanos, Predicate<String> which) {
    long first = -1;
    for (List<long[]> puts : timeline.values()) {
      synchronized (puts) {
        for (long[] p : puts) {
          if (p[2] == 1
              && p[0] > nanos
              && which.test(key((int) p[3], (int) p[4]))
              && (first < 0 || p[1] < first)) {
            first = p[1];
          }
        }
      }
    }
    return first;
  }

  long lastFailureAt() {
    return lastFailureAt.get();
  }

  /** Every key a put was attempted for. */
  Set<String> keys() {
    Set<String> keys = new HashSet<>();
    attempted.forEach(
        (thread, last) -> {
          for (int n = 1; n <= last; n++) {
            keys.add(key(thread, n));
          }
        });
    return keys;
  }

  /** What the database has against what the callers were told. */
  Report report(Map<String, String> rows, Map<String, String> cacheContents) {
    Report r = new Report();
    r.firstFailureAt = firstFailureAt.get();
    r.errorWindowMillis =
        r.firstFailureAt == 0 ? 0 : (lastFailureAt.get() - r.firstFailureAt) / 1_000_000;
    r.errors = new TreeMap<>();
    errorKinds.forEach((kind, n) -> r.errors.put(kind, n.get()));
    for (int thread = 0; thread < threads; thread++) {
      BitSet acked = acknowledged.get(thread);
      BitSet threw = failed.get(thread);
      synchronized (timeline.get(thread)) {
        r.acknowledged += acked.cardinality();
        r.failures += threw.cardinality();
        for (int n = acked.nextSetBit(0); n >= 0; n = acked.nextSetBit(n + 1)) {
          if (!Integer.toString(n).equals(rows.get(key(thread, n)))) {
            r.lostAcknowledged++;
          }
        }
        for (int n = threw.nextSetBit(0); n >= 0; n = threw.nextSetBit(n + 1)) {
          if (rows.containsKey(key(thread, n))) {
            r.failedButWritten++;
          }
        }
      }
    }
    r.puts = r.acknowledged + r.failures;
    for (String key : keys()) {
      if (!java.util.Objects.equals(rows.get(key), cacheContents.get(key))) {
        r.cacheDiffers++;
      }
    }
    return r;
  }

  static final class Report {
    long puts;
    long acknowledged;
    long failures;
    long failedButWritten;
    long errorWindowMillis;
    long firstFailureAt;
    long lostAcknowledged;
    long cacheDiffers;
    Map<String, Long> errors;

    @Override
    public String toString() {
      return String.format(
          "puts %d: %d returned normally, %d threw (error window %d ms; %d of them reached the"
              + " database all the same); returned normally but missing from the database after the drain: %d;"
              + " keys where database and cache differ: %d",
          puts,
          acknowledged,
          failures,
          errorWindowMillis,
          failedButWritten,
          lostAcknowledged,
          cacheDiffers);
    }
  }

  static String key(int thread, int n) {
    return "t" + thread + "-" + n;
  }

  /**
   * A failure's message without what varies from one to the next (addresses, cache names, numbers).
   */
  static String kindOf(String message) {
    String m =
        String.valueOf(message)
            .replaceAll("redis(-sentinel|-cluster)?://\\S+", "<uri>")
            .replaceAll("'[^']*'", "<cache>")
            .replaceAll("[0-9]+", "#")
            .replaceAll(" \\(<uri>\\)", "");
    return m.length() > 160 ? m.substring(0, 160) + "..." : m;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
