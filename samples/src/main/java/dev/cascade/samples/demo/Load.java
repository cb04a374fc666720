package dev.cascade.samples.demo;

import dev.cascade.samples.Shop;
import dev.cascade.testing.Zipf;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * The shop's traffic: {@code threads} threads, each looping until the deadline over products drawn
 * from a {@link Zipf} distribution, doing a price update (write-through), a view (write-behind) or
 * a product page read, in the proportions of the mix. Each write's latency, as the caller sees it,
 * goes into a histogram of its kind once the warm-up is over.
 *
 * <p>Threads: each worker owns its two histograms until {@link #join()} returns, then only the
 * caller reads them; counters are {@link LongAdder}s read by the sampler while workers run.
 */
final class Load {

  /** Percentages of price updates, views and page reads. */
  record Mix(int priceUpdates, int views, int reads) {}

  final LongAdder priceUpdates = new LongAdder();
  final LongAdder views = new LongAdder();
  final LongAdder reads = new LongAdder();
  final LongAdder errors = new LongAdder();
  volatile String lastError = "";

  private final Shop shop;
  private final Mix mix;
  private final Zipf products;
  private final List<Thread> workers = new ArrayList<>();
  private final List<Histogram> writeThrough = new ArrayList<>();
  private final List<Histogram> writeBehind = new ArrayList<>();

  Load(Shop shop, Mix mix, Zipf products) {
    this.shop = shop;
    this.mix = mix;
    this.products = products;
  }

  /**
   * Starts the workers; latencies count from {@code measureFromNanos}, work stops at {@code
   * deadlineNanos}.
   */
  void start(int threads, long measureFromNanos, long deadlineNanos) {
    for (int i = 0; i < threads; i++) {
      Histogram wt = new Histogram(3);
      Histogram wb = new Histogram(3);
      writeThrough.add(wt);
      writeBehind.add(wb);
      Thread t = new Thread(() -> work(wt, wb, measureFromNanos, deadlineNanos), "shop-load-" + i);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
  }

  private void work(Histogram wt, Histogram wb, long measureFrom, long deadline) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long now = System.nanoTime();
    while (now < deadline) {
      long id = 1 + products.next(); // product ids start at 1
      int dice = random.nextInt(100);
      try {
        if (dice < mix.priceUpdates()) {
          BigDecimal price = BigDecimal.valueOf(100 + random.nextInt(99_900), 2); // 1.00 .. 999.99
          shop.updateProductPrice(id, price);
          long end = System.nanoTime();
          record(wt, end - now, now >= measureFrom);
          priceUpdates.increment();
          now = end;
        } else if (dice < mix.priceUpdates() + mix.views()) {
          shop.recordView(id);
          long end = System.nanoTime();
          record(wb, end - now, now >= measureFrom);
          views.increment();
          now = end;
        } else {
          shop.productPage(id);
          reads.increment();
          now = System.nanoTime();
        }
      } catch (RuntimeException e) {
        // keep going: the table and the progress line show errors; the consistency check judges
        errors.increment();
        lastError = DemoException.rootMessage(e);
        now = System.nanoTime();
      }
    }
  }

  private static void record(Histogram h, long nanos, boolean measuring) {
    if (measuring) {
      h.recordValue(nanos);
    }
  }

  long operations() {
    return priceUpdates.sum() + views.sum() + reads.sum();
  }

  /** Waits for every worker to pass the deadline. */
  void join() throws InterruptedException {
    for (Thread t : workers) {
      t.join();
    }
  }

  /** All workers' price-update latencies in ns; call after {@link #join()}. */
  Histogram writeThroughLatencies() {
    return merged(writeThrough);
  }

  /** All workers' view latencies in ns; call after {@link #join()}. */
  Histogram writeBehindLatencies() {
    return merged(writeBehind);
  }

  private static Histogram merged(List<Histogram> parts) {
    Histogram all = new Histogram(3);
    parts.forEach(all::add);
    return all;
  }
}
