/**
 * JMH benchmarks of Cascade side by side with raw Lettuce and Redisson's JCache, and the harness
 * that runs them against one private redis-server and prints the ratios DESIGN.md asks for.
 *
 * <p>Owns: the workloads ({@link dev.cascade.bench.Op}, {@link dev.cascade.bench.Data}), one
 * adapter per system under test, the JMH classes, and the report. Must not: reach into the
 * provider's internals (only the JCache API), or touch any Redis but the private one it starts.
 * Not shipped.
 */
package dev.cascade.bench;
