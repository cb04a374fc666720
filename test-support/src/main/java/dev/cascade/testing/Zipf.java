package dev.cascade.testing;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ranks 0..n-1 drawn with probability proportional to 1 / (rank + 1)^s: a skewed workload where a
 * few keys get most of the writes (what write-behind coalescing folds). Immutable and thread-safe.
 */
public final class Zipf {

  private final double[] cumulative;

  public Zipf(int n, double s) {
    if (n < 1 || s < 0) {
      throw new IllegalArgumentException("Zipf needs n >= 1 and s >= 0, not n=" + n + ", s=" + s);
    }
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

  /** A rank in 0..n-1. */
  public int next() {
    int i = Arrays.binarySearch(cumulative, ThreadLocalRandom.current().nextDouble());
    return i >= 0 ? i : Math.min(cumulative.length - 1, -i - 1);
  }
}
