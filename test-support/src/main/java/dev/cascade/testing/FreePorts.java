package dev.cascade.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks loopback ports for private servers.
 *
 * <p>Ports come from 10000..22767 rather than from the kernel's ephemeral range (32768..60999 on
 * Linux): a port from that range can be taken at any moment by an outgoing connection, and a
 * cluster node also needs port + 10000 for its bus, which then stays below the ephemeral range too.
 * A port is never handed out twice in one JVM, so a stale client of a closed server can never reach
 * a newer server by accident. Another process may still grab a port between the check and the
 * server's bind; callers retry with a new port when the server reports the port in use.
 *
 * <p>Thread-safe.
 */
final class FreePorts {

  static final int BUS_PORT_OFFSET = 10000;
  private static final int LOW = 10000;
  private static final int HIGH = 22767;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  /**
   * @param withBusPort also require {@code port + 10000} to be free (Redis Cluster's bus port)
   */
  static int next(boolean withBusPort) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOW, HIGH + 1);
      if (!HANDED_OUT.contains(port)
          && isFree(port)
          && (!withBusPort || isFree(port + BUS_PORT_OFFSET))
          && HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new FixtureException(
        "no free loopback port found in " + LOW + ".." + HIGH + " after 200 tries");
  }

  /** Marks a port chosen by the caller, so {@link #next} never hands it out as well. */
  static void claim(int port) {
    HANDED_OUT.add(port);
  }

  static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      // Redis binds with SO_REUSEADDR too, so this answers what redis-server will see
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(RedisServer.HOST, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
