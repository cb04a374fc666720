package dev.cascade.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The JCache benchmarks, one body for every provider: {@link CascadeBench} and {@link
 * RedissonBench} run these methods at 1 and at 16 threads. Each trial starts from an empty server
 * ({@code FLUSHALL}) and opens only the caches its operation needs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public abstract class JCacheBenchmark {

  private Watchdog watchdog;
  private Op op;
  private JCacheOperations ops;
  private long eventsBefore;

  protected abstract JCacheOperations.Provider provider();

  @Setup(Level.Trial)
  public void open(BenchmarkParams params) {
    op = Op.ofBenchmark(params.getBenchmark());
    String uri = BenchServer.uri();
    BenchServer.flushAll(uri);
    ops = JCacheOperations.open(provider(), uri, op);
    eventsBefore = JCacheOperations.eventsHeard();
    watchdog = Watchdog.start(params);
  }

  @TearDown(Level.Trial)
  public void close() {
    try {
      if ((op == Op.PUT_ASYNC_LISTENER || op == Op.PUT_SYNC_LISTENER)
          && JCacheOperations.eventsHeard() == eventsBefore) {
        throw new IllegalStateException(
            provider() + ": the listener of " + op + " never heard an event");
      }
    } finally {
      ops.close();
      watchdog.stop();
    }
  }

  @Benchmark
  public Object getHit() {
    return ops.getHit();
  }

  @Benchmark
  public Object getMiss() {
    return ops.getMiss();
  }

  @Benchmark
  public Object put() {
    return ops.put();
  }

  @Benchmark
  public Object getAll() {
    return ops.getAll();
  }

  @Benchmark
  public Object putAll() {
    return ops.putAll();
  }

  @Benchmark
  public Object invoke() {
    return ops.invoke();
  }

  @Benchmark
  public Object putAsyncListener() {
    return ops.put();
  }

  @Benchmark
  public Object putSyncListener() {
    return ops.put();
  }
}
