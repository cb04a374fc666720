package dev.cascade.internal.store;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.util.concurrent.TimeUnit;

/**
 * Lettuce's event loops and timers, shared by every CacheManager of the JVM: they are costly to
 * start, and a JVM may open many managers (one per class loader and URI). Reference-counted: the
 * last manager to close shuts them down, so a closed provider leaves no threads behind.
 */
final class SharedResources {

  private static ClientResources resources;
  private static int users;

  private SharedResources() {}

  static synchronized ClientResources acquire() {
    if (resources == null) {
      int cores = Runtime.getRuntime().availableProcessors();
      resources =
          DefaultClientResources.builder()
              .ioThreadPoolSize(Math.max(2, cores))
              .computationThreadPoolSize(Math.max(2, Math.min(4, cores)))
              .nettyCustomizer(new ConsolidatedFlushes())
              .build();
    }
    users++;
    return resources;
  }

  static synchronized void release(ClientResources released) {
    if (released != resources) {
      return;
    }
    if (--users == 0) {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
      resources = null;
    }
  }
}
