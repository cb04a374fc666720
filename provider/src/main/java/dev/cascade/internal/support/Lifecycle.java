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
      Thread t = new OwnThread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * True on a thread of Cascade's own ({@link #daemonThreads}): a flusher, a writer call, a load, a
   * listener. A close that waits for such threads must not be waited for from one of them.
   */
  public static boolean onOwnThread() {
    return Thread.currentThread() instanceof OwnThread;
  }

  /** Marks the threads {@link #daemonThreads} makes, for {@link #onOwnThread()}. */
  private static final class OwnThread extends Thread {
    OwnThread(Runnable r, String name) {
      super(r, name);
    }
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
