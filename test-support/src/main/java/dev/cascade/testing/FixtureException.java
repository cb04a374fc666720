package dev.cascade.testing;

/**
 * A test fixture (a redis-server process, a cluster, a sentinel group, the test database, a child
 * JVM) could not be started or did not reach the expected state in time.
 *
 * <p>The message names what failed (binary, port, URL) and, for servers, ends with the tail of the
 * server's log, so a failing CI run can be understood from the message alone.
 */
public class FixtureException extends RuntimeException {

  public FixtureException(String message) {
    super(message);
  }

  public FixtureException(String message, Throwable cause) {
    super(message, cause);
  }
}
