package dev.cascade.bench;

import org.openjdk.jmh.annotations.Benchmark;

/** The JCache benchmarks plus what only Cascade offers: a get served by its near cache. */
public abstract class CascadeJCacheBenchmark extends JCacheBenchmark {

  @Benchmark
  public Object getHitNear() {
    return getHit();
  }
}
