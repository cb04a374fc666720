/**
 * JMH benchmarks of Cascade side by side with raw Lettuce and Redisson's JCache, the write-behind
 * measurements against the database (put latency write-behind vs write-through, flush rate vs a raw
 * JDBC batched upsert, coalescing), and the harness that runs them all against one private
 * redis-server and prints the ratios docs/benchmarks.md "Targets" asks for.
 *
 * <p>Owns: the workloads ({@link dev.cascade.bench.Op}, {@link dev.cascade.bench.Data}), one
 * adapter per system under test, the JMH classes, the write-behind loops, and the report. Must not:
 * reach into the provider's internals (only the JCache API and the provider's public write-behind
 * and JDBC types), touch any Redis but the private one it starts, or any table but its own ({@code
 * wbb_<run>_*}, dropped afterwards). Not shipped.
 */
package dev.cascade.bench;
