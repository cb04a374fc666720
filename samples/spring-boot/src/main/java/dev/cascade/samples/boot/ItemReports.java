package dev.cascade.samples.boot;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

/** A report that is slow to compute, kept for a while with {@code @Cacheable}. */
@Service
public class ItemReports {

  private final ItemRepository items;
  private final AtomicInteger computed = new AtomicInteger();

  public ItemReports(ItemRepository items) {
    this.items = items;
  }

  @Cacheable("item-reports")
  public ItemReport report(long id) {
    computed.incrementAndGet();
    String summary =
        items
            .find(id)
            .map(i -> i.name() + ": " + i.quantity() + " in stock")
            .orElse("no such item");
    return new ItemReport(id, summary, Instant.now());
  }

  /** How many reports were computed rather than read from the cache. */
  public int computed() {
    return computed.get();
  }
}
