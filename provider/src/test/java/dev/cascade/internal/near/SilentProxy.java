package dev.cascade.internal.near;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy in front of a redis-server whose connections can be silenced: from then on
 * it swallows what either side sends, without closing anything, like a dropped NAT entry or a peer
 * that vanished. Neither side learns of it until it misses an answer.
 */
final class SilentProxy implements AutoCloseable {

  private final int target;
  private final ServerSocket server;
  private final List<Link> links = new CopyOnWriteArrayList<>();

  SilentProxy(int targetPort) throws IOException {
    this.target = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "silent-proxy-accept");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Silences every connection that turned on client tracking (a near cache's invalidations). */
  int silenceTrackingConnections() {
    int n = 0;
    for (Link l : links) {
      if (l.tracking) {
        l.silent = true;
        n++;
      }
    }
    return n;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
        Link link = new Link(client, upstream);
        links.add(link);
        pump(link, client.getInputStream(), upstream.getOutputStream(), true);
        pump(link, upstream.getInputStream(), client.getOutputStream(), false);
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void pump(Link link, InputStream in, OutputStream out, boolean fromClient) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  if (fromClient
                      && !link.tracking
                      && new String(buffer, 0, n, StandardCharsets.ISO_8859_1)
                          .toUpperCase(Locale.ROOT)
                          .contains("TRACKING")) {
                    link.tracking = true;
                  }
                  if (!link.silent) {
                    out.write(buffer, 0, n);
                    out.flush();
                  }
                }
              } catch (IOException e) {
                // a side closed: close the other
              }
              link.close();
            },
            "silent-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Link l : links) {
      l.close();
    }
  }

  /** One proxied connection. */
  private static final class Link {
    final Socket client;
    final Socket upstream;
    volatile boolean tracking;
    volatile boolean silent;

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    void close() {
      try {
        client.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      try {
        upstream.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
