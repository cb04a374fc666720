package dev.cascade.samples.demo;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Product ids 1..n drawn with probability proportional to 1 / rank^s: a few products are viewed
 * (and repriced) far more than the rest, as in a real shop; that skew is what coalescing folds.
 * Immutable and thread-safe.
 */
final class Zipf {
  private final double[] cumulative;

  Zipf(int n, double s) {
    cumulative = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += 1.0 / Math.pow(i + 1, s);
      cumulative[i] = sum;
    }
    for (int i = 0; i < n; i++) {
      cumulative[i] /= sum;
    }
  }

  /** A product id in 1..n. */
  long next() {
    int i = Arrays.binarySearch(cumulative, ThreadLocalRandom.current().nextDouble());
    return 1 + (i >= 0 ? i : Math.min(cumulative.length - 1, -i - 1));
  }
}
