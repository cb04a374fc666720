package dev.cascade.internal.support;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;

/**
 * Threads that never keep a JVM alive, and closing user objects without letting their failures
 * escape.
 */
public final class Lifecycle {

  private Lifecycle() {}

  /**
   * Daemon threads named {@code <name>-1}, {@code <name>-2}, ...: a JVM exits without closing
   * Cascade.
   */
  public static ThreadFactory daemonThreads(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Closes {@code o} if it is {@link AutoCloseable} (a user's listener, filter, loader or writer);
   * a failure is logged to {@code log} as a warning, so one bad object cannot stop a close.
   */
  public static void closeQuietly(Object o, Logger log) {
    if (o instanceof AutoCloseable) {
      try {
        ((AutoCloseable) o).close();
      } catch (Exception e) {
        log.warn("Closing " + o.getClass().getName() + " failed", e);
      }
    }
  }
}
