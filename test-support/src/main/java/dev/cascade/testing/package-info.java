/**
 * Real-server fixtures for Cascade's tests; other modules depend on this one in test scope only.
 *
 * <ul>
 *   <li>{@link dev.cascade.testing.RedisServer}, {@link dev.cascade.testing.RedisCluster}, {@link
 *       dev.cascade.testing.RedisSentinelGroup}: private {@code redis-server} processes on free
 *       loopback ports, which tests may kill, restart and fail over; with the JUnit 5 extensions
 *       {@link dev.cascade.testing.WithRedis}, {@link dev.cascade.testing.WithRedisCluster} and
 *       {@link dev.cascade.testing.WithRedisSentinel}.
 *   <li>{@link dev.cascade.testing.TestDatabase}: the MySQL/MariaDB that write-through tests use.
 *   <li>{@link dev.cascade.testing.TestCertificates}: a throwaway CA with server and client
 *       certificates, for TLS servers ({@code RedisServer.builder().tls(...)}).
 *   <li>{@link dev.cascade.testing.ChildJvm}: a second JVM for cross-process tests.
 * </ul>
 *
 * <p>What this package must not do: mock a server, touch the system Redis on port 6379, wait
 * without a deadline, or leave a process running after the JVM exits (every child process is
 * registered with a shutdown hook that kills it).
 */
package dev.cascade.testing;
