package dev.cascade.internal.near;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A loopback TCP proxy in front of a redis-server whose connections can be silenced: from then on
 * it swallows what either side sends, without closing anything, like a dropped NAT entry or a peer
 * that vanished. Neither side learns of it until it misses an answer. What Redis sends on a
 * connection can also be delayed (in order, nothing lost), like a client whose I/O thread is
 * starved of CPU.
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

  /**
   * Delays by {@code millis} (0: no more) what Redis sends on every connection that turned on
   * client tracking: its invalidations and its replies, in order, none lost.
   */
  int delayTrackingConnections(long millis) {
    int n = 0;
    for (Link l : links) {
      if (l.tracking) {
        l.delayNanos = TimeUnit.MILLISECONDS.toNanos(millis);
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
    // what Redis sends goes through a queue, each chunk written once its delay is over
    BlockingQueue<Chunk> delayed = fromClient ? null : new LinkedBlockingQueue<>();
    if (delayed != null) {
      Thread writer =
          new Thread(
              () -> {
                try {
                  while (true) {
                    Chunk c = delayed.take();
                    if (c.bytes == null) {
                      return; // the connection closed
                    }
                    long wait = c.due - System.nanoTime();
                    if (wait > 0) {
                      TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    out.write(c.bytes);
                    out.flush();
                  }
                } catch (IOException | InterruptedException e) {
                  link.close();
                }
              },
              "silent-proxy-delay");
      writer.setDaemon(true);
      writer.start();
    }
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
                  if (link.silent) {
                    continue;
                  }
                  if (delayed != null) {
                    delayed.add(
                        new Chunk(Arrays.copyOf(buffer, n), System.nanoTime() + link.delayNanos));
                  } else {
                    out.write(buffer, 0, n);
                    out.flush();
                  }
                }
              } catch (IOException e) {
                // a side closed: close the other
              }
              if (delayed != null) {
                delayed.add(new Chunk(null, 0));
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

  private record Chunk(byte[] bytes, long due) {}

  /** One proxied connection. */
  private static final class Link {
    final Socket client;
    final Socket upstream;
    volatile boolean tracking;
    volatile boolean silent;
    volatile long delayNanos;

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
