package dev.cascade.event;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The threads that run asynchronous listeners: a few single-threaded lanes, and every event of a
 * key always goes to the same lane, so a listener sees one key's events in the order they
 * happened. Listener code never runs on a Lettuce I/O thread. One instance per CacheManager.
 */
public final class EventLanes implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(EventLanes.class.getName());

  private final ExecutorService[] lanes;

  public EventLanes(String owner, int count) {
    lanes = new ExecutorService[count];
    for (int i = 0; i < count; i++) {
      String name = "cascade-events-" + owner + "-" + i;
      lanes[i] = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
      });
    }
  }

  /** Runs {@code task} after every task submitted earlier with the same lane hash. */
  public void submit(int laneHash, Runnable task) {
    int lane = (laneHash & 0x7fffffff) % lanes.length;
    lanes[lane].execute(() -> {
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        LOG.log(Level.WARNING, "An asynchronous cache entry listener failed", e);
      }
    });
  }

  @Override
  public void close() {
    for (ExecutorService lane : lanes) {
      lane.shutdown();
    }
    for (ExecutorService lane : lanes) {
      try {
        if (!lane.awaitTermination(5, TimeUnit.SECONDS)) {
          lane.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        lane.shutdownNow();
      }
    }
  }
}
