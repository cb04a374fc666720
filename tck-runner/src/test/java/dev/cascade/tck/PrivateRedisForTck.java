package dev.cascade.tck;

import dev.cascade.config.ManagerSettings;
import dev.cascade.testing.RedisServer;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Starts a private, empty redis-server before the TCK runs and points the provider's default URI
 * at it. The TCK only ever uses the default URI, and its statistics tests need an empty database,
 * so neither a shared Redis nor a fixed port will do.
 */
public final class PrivateRedisForTck implements LauncherSessionListener {

  private RedisServer server;

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    server = RedisServer.start();
    System.setProperty(ManagerSettings.URI_PROPERTY, server.uri());
  }

  @Override
  public void launcherSessionClosed(LauncherSession session) {
    if (server != null) {
      server.close();
      server = null;
    }
  }
}
