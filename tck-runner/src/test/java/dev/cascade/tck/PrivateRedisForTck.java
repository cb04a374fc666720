package dev.cascade.tck;

import dev.cascade.internal.config.ManagerSettings;
import dev.cascade.testing.RedisCluster;
import dev.cascade.testing.RedisServer;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Starts a private, empty Redis before the TCK runs and points the provider's default URI at it.
 * The TCK only ever uses the default URI, and its statistics tests need an empty database, so
 * neither a shared Redis nor a fixed port will do.
 *
 * <p>The system property {@value #TARGET_PROPERTY} chooses what is started: {@code standalone} (the
 * default) is one {@code redis-server}; {@code cluster} is a {@link RedisCluster} of three masters
 * with a replica each, named by its seed URI ({@code redis-cluster://...}), so the same TCK also
 * runs with a cache's entries spread over three nodes.
 */
public final class PrivateRedisForTck implements LauncherSessionListener {

  /** Which Redis the TCK runs against: {@code standalone} or {@code cluster}. */
  public static final String TARGET_PROPERTY = "cascade.tck.target";

  private AutoCloseable redis;

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    String target = System.getProperty(TARGET_PROPERTY, "standalone");
    switch (target) {
      case "standalone":
        {
          RedisServer server = RedisServer.start();
          redis = server;
          System.setProperty(ManagerSettings.URI_PROPERTY, server.uri());
          break;
        }
      case "cluster":
        {
          RedisCluster cluster = RedisCluster.start();
          redis = cluster;
          System.setProperty(ManagerSettings.URI_PROPERTY, cluster.seedUri());
          break;
        }
      default:
        throw new IllegalArgumentException(
            "Unknown " + TARGET_PROPERTY + " '" + target + "': expected standalone or cluster");
    }
  }

  @Override
  public void launcherSessionClosed(LauncherSession session) {
    if (redis != null) {
      try {
        redis.close();
      } catch (Exception e) {
        throw new IllegalStateException("Could not stop the TCK's Redis", e);
      } finally {
        redis = null;
      }
    }
  }
}
