package dev.cascade.samples.demo;

import java.time.Duration;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Everything one run measured, for the printed table and the HTML report. Latencies in ns.
 *
 * @param drainSeconds seconds from the end of the load until the write-behind queue was empty, or
 *     -1 if it did not empty within the drain timeout
 */
record Results(
    String redis,
    String database,
    Duration duration,
    Duration warmup,
    int threads,
    int products,
    Load.Mix mix,
    long priceUpdates,
    long views,
    long reads,
    long errors,
    String lastError,
    Histogram writeThrough,
    Histogram writeBehind,
    long priceRows,
    long priceStatements,
    long viewRows,
    long viewStatements,
    long viewsCoalesced,
    long maxQueueDepth,
    double meanQueueDepth,
    double drainSeconds,
    Consistency prices,
    Consistency viewCounts,
    List<Timeline.Sample> timeline,
    double loadStoppedAt) {

  /**
   * The final check: every entry of a cache against its row.
   *
   * @param compared cache entries compared
   * @param mismatching entries whose row is missing or holds another value
   * @param examples a few mismatches, for the message
   */
  record Consistency(int compared, int mismatching, List<String> examples) {}

  /** Latency in ms at a percentile, or NaN if nothing of that kind was measured. */
  static double millis(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e6;
  }

  boolean consistent() {
    return drainSeconds >= 0 && prices.mismatching() == 0 && viewCounts.mismatching() == 0;
  }
}
