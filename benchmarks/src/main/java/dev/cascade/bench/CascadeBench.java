package dev.cascade.bench;

import org.openjdk.jmh.annotations.Threads;

/** {@link CascadeJCacheBenchmark} on Cascade, at 1 and at 16 threads. */
public final class CascadeBench {

  private CascadeBench() {}

  @Threads(1)
  public static class T1 extends CascadeJCacheBenchmark {
    @Override
    protected JCacheOperations.Provider provider() {
      return JCacheOperations.Provider.CASCADE;
    }
  }

  @Threads(16)
  public static class T16 extends CascadeJCacheBenchmark {
    @Override
    protected JCacheOperations.Provider provider() {
      return JCacheOperations.Provider.CASCADE;
    }
  }
}
