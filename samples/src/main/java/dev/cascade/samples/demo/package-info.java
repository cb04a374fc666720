/**
 * The command-line demo ({@link dev.cascade.samples.demo.ShopDemo}, run by {@code
 * scripts/demo.sh}): the {@link dev.cascade.samples.Shop} under load, measured, printed as the
 * tutorial's write-through vs write-behind table, and written as a self-contained HTML report.
 *
 * <p>Owns: reaching or starting Redis and the database, the load, the measurements (latency
 * histograms, statements counted at the writers, queue depth sampled from Redis, drain time, the
 * final row-by-row check) and their presentation. Must not: invent or estimate a number; every
 * figure it prints comes from a counter, a histogram or a query of this run.
 */
package dev.cascade.samples.demo;
