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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The practical limit, {@link LettuceOperations}, at 1 and at 16 threads. No listener operations:
 * raw Redis has no listeners, so listener costs are read against each provider's own put.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public abstract class LettuceBench {

  private Watchdog watchdog;
  private LettuceOperations ops;

  @Setup(Level.Trial)
  public void open(BenchmarkParams params) {
    String uri = BenchServer.uri();
    BenchServer.flushAll(uri);
    ops = LettuceOperations.open(uri, Op.ofBenchmark(params.getBenchmark()));
    watchdog = Watchdog.start(params);
  }

  @TearDown(Level.Trial)
  public void close() {
    ops.close();
    watchdog.stop();
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
  public Object invokeHincrby() {
    return ops.invokeHincrby();
  }

  @Threads(1)
  public static class T1 extends LettuceBench {}

  @Threads(16)
  public static class T16 extends LettuceBench {}
}
