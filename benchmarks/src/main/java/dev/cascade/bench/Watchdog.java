package dev.cascade.bench;

import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Ends a JMH fork whose trial runs far past its planned time: a call that never returns (seen with
 * Redisson's put under a synchronous listener, which waits without a timeout) would otherwise hold
 * the whole run forever, and JMH's own iteration timeout only interrupts, which such a call
 * ignores. JMH then records that benchmark as failed and goes on with the next one.
 */
final class Watchdog {

  private static final long SLACK_MILLIS = 60_000;

  private final Thread thread;

  private Watchdog(Thread thread) {
    this.thread = thread;
  }

  /** Starts watching the trial of {@code params}; {@link #stop()} it in the trial's tear-down. */
  static Watchdog start(BenchmarkParams params) {
    long planned =
        millis(params.getWarmup().getTime()) * params.getWarmup().getCount()
            + millis(params.getMeasurement().getTime()) * params.getMeasurement().getCount();
    long limit = planned + SLACK_MILLIS;
    Thread t =
        new Thread(
            () -> {
              try {
                Thread.sleep(limit);
              } catch (InterruptedException e) {
                return;
              }
              System.err.println(
                  "WATCHDOG: "
                      + params.getBenchmark()
                      + " has run "
                      + limit / 1000
                      + " s, planned "
                      + planned / 1000
                      + " s: a call never returned. Halting this fork. Benchmark threads:");
              for (Map.Entry<Thread, StackTraceElement[]> e :
                  Thread.getAllStackTraces().entrySet()) {
                if (e.getKey().getName().contains("jmh-worker")) {
                  System.err.println("  " + e.getKey().getName());
                  for (StackTraceElement frame : e.getValue()) {
                    System.err.println("    at " + frame);
                  }
                  break;
                }
              }
              System.err.flush();
              Runtime.getRuntime().halt(3);
            },
            "bench-watchdog");
    t.setDaemon(true);
    t.start();
    return new Watchdog(t);
  }

  void stop() {
    thread.interrupt();
  }

  private static long millis(TimeValue t) {
    return t.getTimeUnit().toMillis(t.getTime());
  }
}
