package dev.cascade.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on 127.0.0.1 in front of a private redis-server: accepts clients, opens a connection
 * to the server for each, and leaves what happens to the bytes in between to the subclass. Closing
 * it closes every connection it opened.
 */
abstract class LoopbackProxy implements AutoCloseable {

  private final ServerSocket listener;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  LoopbackProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
  }

  /**
   * Starts accepting clients: the last step of a subclass's constructor, once its fields are set.
   */
  final void start() {
    daemon(getClass().getSimpleName() + "-accept", this::acceptLoop).start();
  }

  int port() {
    return listener.getLocalPort();
  }

  /** {@code redis://<loopback>:<port>}: where clients connect to reach the server through it. */
  String uri() {
    return "redis://" + listener.getInetAddress().getHostAddress() + ":" + port();
  }

  /** Starts relaying between a new client and its own connection to the server. */
  abstract void connected(Socket client, Socket server);

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(server);
        connected(client, server);
      } catch (IOException e) {
        if (!closed) {
          System.err.println(getClass().getSimpleName() + ": " + e);
        }
      }
    }
  }

  static Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  static void quietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
    sockets.forEach(LoopbackProxy::quietly);
  }
}
