package dev.cascade.bench;

import java.util.Locale;

/**
 * The operations the benchmarks time. The JMH method of each is named {@link #method()}, so a
 * result's benchmark name tells its operation.
 */
public enum Op {
  GET_HIT("getHit", "get (hit)"),
  GET_MISS("getMiss", "get (miss)"),
  PUT("put", "put"),
  GET_ALL("getAll", "getAll(100)"),
  PUT_ALL("putAll", "putAll(100)"),
  INVOKE("invoke", "invoke (+1)"),
  /**
   * Lettuce only: the counter of {@link #INVOKE} as one {@code HINCRBY}, the cheapest atomic
   * increment Redis has; a reference beside the GET+SET that Lettuce's invoke is.
   */
  INVOKE_HINCRBY("invokeHincrby", "invoke vs HINCRBY"),
  PUT_ASYNC_LISTENER("putAsyncListener", "put, async listener"),
  PUT_SYNC_LISTENER("putSyncListener", "put, sync listener"),
  /** Cascade only: a get (hit) of a cache with a near cache that holds every key. */
  GET_HIT_NEAR("getHitNear", "get (hit), near");

  private final String method;
  private final String label;

  Op(String method, String label) {
    this.method = method;
    this.label = label;
  }

  public String method() {
    return method;
  }

  public String label() {
    return label;
  }

  /**
   * The operation of a JMH benchmark name such as {@code dev.cascade.bench.CascadeBench.T1.getHit}.
   */
  public static Op ofBenchmark(String benchmark) {
    String m = benchmark.substring(benchmark.lastIndexOf('.') + 1);
    for (Op op : values()) {
      if (op.method.equals(m)) {
        return op;
      }
    }
    throw new IllegalArgumentException("Not a benchmark of an operation: " + benchmark);
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
