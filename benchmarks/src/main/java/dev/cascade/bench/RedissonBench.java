package dev.cascade.bench;

import org.openjdk.jmh.annotations.Threads;

/**
 * {@link JCacheBenchmark} on Redisson's JCache (its defaults, only the address set), at 1 and at 16
 * threads.
 */
public final class RedissonBench {

  private RedissonBench() {}

  @Threads(1)
  public static class T1 extends JCacheBenchmark {
    @Override
    protected JCacheOperations.Provider provider() {
      return JCacheOperations.Provider.REDISSON;
    }
  }

  @Threads(16)
  public static class T16 extends JCacheBenchmark {
    @Override
    protected JCacheOperations.Provider provider() {
      return JCacheOperations.Provider.REDISSON;
    }
  }
}
