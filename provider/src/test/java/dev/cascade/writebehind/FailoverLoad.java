package dev.cascade.writebehind;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import javax.cache.Cache;

/**
 * Write-behind load for failover tests: threads put increasing sequence numbers to keys of their
 * own ({@code t<thread>-<k>}), and remember for every put whether it returned normally or threw. After
 * the queue drained, {@link #report} compares the database with what the callers were told.
 *
 * <p>A put "reaches the database" when the key's row holds its number or a later one (later writes
 * of a key replace earlier ones: only the last one is written). A put that returned normally and
 * whose key's row holds an earlier number (or no row) is lost.
 */
final class FailoverLoad {

  private final Cache<String, String> cache;
  private final int threads;
  private final int keysPerThread;
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean running;
  /** Per key, the sequence numbers whose put returned normally. */
  private final Map<String, BitSet> acknowledged = new ConcurrentHashMap<>();
  /** Every put: {start nanos, end nanos, 1 if it returned normally, thread, key index}, per thread. */
  private final Map<Integer, List<long[]>> timeline = new ConcurrentHashMap<>();
  private final AtomicLong puts = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong firstFailureAt = new AtomicLong();
  private final AtomicLong lastFailureAt = new AtomicLong();
  /** Failures by kind: the message without addresses, names and numbers. */
  private final Map<String, AtomicLong> errorKinds = new ConcurrentHashMap<>();
  private final List<Throwable> unexpected = new ArrayList<>();

  FailoverLoad(Cache<String, String> cache, int threads, int keysPerThread) {
    this.cache = cache;
    this.threads = threads;
    this.keysPerThread = keysPerThread;
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
    int[] next = new int[keysPerThread];
    BitSet[] acked = new BitSet[keysPerThread];
    for (int k = 0; k < keysPerThread; k++) {
      acked[k] = new BitSet();
      acknowledged.put(key(thread, k), acked[k]);
    }
    List<long[]> mine = new ArrayList<>();
    timeline.put(thread, mine);
    int k = 0;
    try {
      while (running) {
        String key = key(thread, k);
        int seq = ++next[k];
        puts.incrementAndGet();
        long start = System.nanoTime();
        try {
          cache.put(key, Integer.toString(seq));
          synchronized (acked[k]) {
            acked[k].set(seq);
          }
          long end = System.nanoTime();
          synchronized (mine) {
            mine.add(new long[] {start, end, 1, thread, k});
          }
        } catch (javax.cache.CacheException e) {
          long now = System.nanoTime();
          synchronized (mine) {
            mine.add(new long[] {start, now, 0, thread, k});
          }
          failures.incrementAndGet();
          firstFailureAt.compareAndSet(0, now);
          lastFailureAt.set(now);
          errorKinds.computeIfAbsent(kindOf(e.getMessage()), m -> new AtomicLong()).incrementAndGet();
          pause(10); // a failing node answers at once; do not spin
        }
        k = (k + 1) % keysPerThread;
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
          if (p[2] == 1 && p[0] > nanos && which.test(key((int) p[3], (int) p[4])) && (first < 0 || p[1] < first)) {
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

  Iterable<String> keys() {
    return acknowledged.keySet();
  }

  /** What the database has against what the callers were told. */
  Report report(Map<String, String> rows, Map<String, String> cacheContents) {
    Report r = new Report();
    r.puts = puts.get();
    r.failures = failures.get();
    r.errorWindowMillis = failures.get() == 0 ? 0 : (lastFailureAt.get() - firstFailureAt.get()) / 1_000_000;
    r.firstFailureAt = firstFailureAt.get();
    r.errors = new java.util.TreeMap<>();
    errorKinds.forEach((kind, n) -> r.errors.put(kind, n.get()));
    for (Map.Entry<String, BitSet> e : acknowledged.entrySet()) {
      String row = rows.get(e.getKey());
      int inDatabase = row == null ? 0 : Integer.parseInt(row);
      BitSet acked = e.getValue();
      synchronized (acked) {
        int lost = acked.get(inDatabase + 1, Math.max(inDatabase + 1, acked.length())).cardinality();
        r.lostAcknowledged += lost;
        if (lost > 0) {
          r.keysWithLoss++;
        }
        r.acknowledged += acked.cardinality();
      }
      if (!java.util.Objects.equals(row, cacheContents.get(e.getKey()))) {
        r.cacheDiffers++;
      }
    }
    return r;
  }

  static final class Report {
    long puts;
    long acknowledged;
    long failures;
    long errorWindowMillis;
    long firstFailureAt;
    long lostAcknowledged;
    long keysWithLoss;
    long cacheDiffers;
    Map<String, Long> errors;

    @Override
    public String toString() {
      return String.format("puts %d: %d returned normally, %d threw (error window %d ms); returned normally but"
          + " missing from the database after the drain: %d (on %d keys); keys whose row differs from the cache: %d",
          puts, acknowledged, failures, errorWindowMillis, lostAcknowledged, keysWithLoss, cacheDiffers);
    }
  }

  static String key(int thread, int k) {
    return "t" + thread + "-" + k;
  }

  /** A failure's message without what varies from one to the next (addresses, cache names, numbers). */
  static String kindOf(String message) {
    String m = String.valueOf(message)
        .replaceAll("redis(-sentinel|-cluster)?://\\S+", "<uri>")
        .replaceAll("'[^']*'", "<cache>")
        .replaceAll("[0-9]+", "#")
        .replaceAll("\\(<uri>\\)", "");
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
