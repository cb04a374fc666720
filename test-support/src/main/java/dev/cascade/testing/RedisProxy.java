package dev.cascade.testing;

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
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A loopback TCP proxy in front of a redis-server, for the faults a network and a busy host make
 * and Redis alone cannot: a connection silenced (from then on it swallows what either side sends,
 * without closing anything, like a dropped NAT entry or a vanished peer), and a connection's
 * traffic held back (in order, nothing lost) in one direction, like a client's I/O thread starved
 * of CPU or a command stuck in a socket buffer while its sender gives up on it.
 *
 * <p>A connection closed by one side is closed on the other once what is held back for it has been
 * delivered: a command the client sent before closing still reaches Redis, late.
 */
public final class RedisProxy implements AutoCloseable {

  /** Which way the held-back traffic goes. */
  public enum Direction {
    /** What the client sends: its commands reach Redis late. */
    REQUESTS,
    /** What Redis sends: its replies (and pushes) reach the client late. */
    REPLIES
  }

  private final int target;
  private final ServerSocket server;
  private final List<Link> links = new CopyOnWriteArrayList<>();
  private final AtomicReference<Trigger> trigger = new AtomicReference<>();

  public RedisProxy(int targetPort) throws IOException {
    this.target = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "redis-proxy-accept");
    accept.setDaemon(true);
    accept.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Silences every connection that turned on client tracking (a near cache's invalidations). */
  public int silenceTrackingConnections() {
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
  public int delayTrackingConnections(long millis) {
    int n = 0;
    for (Link l : links) {
      if (l.tracking) {
        l.delayNanos.set(Direction.REPLIES.ordinal(), TimeUnit.MILLISECONDS.toNanos(millis));
        n++;
      }
    }
    return n;
  }

  /**
   * Once: on the next connection whose client sends {@code command}, holds back {@code direction}'s
   * traffic by {@code millis} from then on, that command itself included when the requests are
   * held. {@link #triggered()} tells when it happened. The command is found as text in what one
   * read of the client's bytes holds, case-insensitively, on any connection: arm it when the next
   * such bytes are the ones meant (a word that also appears in a script's body, or split across two
   * reads, would mislead it).
   */
  public void holdAfterNext(String command, Direction direction, long millis) {
    trigger.set(
        new Trigger(
            command.toUpperCase(Locale.ROOT), direction, TimeUnit.MILLISECONDS.toNanos(millis)));
  }

  /** True once the armed {@link #holdAfterNext} found its command (or when none is armed). */
  public boolean triggered() {
    return trigger.get() == null;
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException closed) {
        return;
      }
      Socket upstream = null;
      try {
        upstream = new Socket(InetAddress.getLoopbackAddress(), target);
        Link link = new Link(client, upstream);
        links.add(link);
        pump(link, client.getInputStream(), upstream.getOutputStream(), Direction.REQUESTS);
        pump(link, upstream.getInputStream(), client.getOutputStream(), Direction.REPLIES);
      } catch (IOException redisDown) {
        // Redis refused (stopped, restarting), or a socket closed at once: this client sees its
        // connection closed, as it would without the proxy; the next one is tried again
        new Link(client, upstream).close();
      }
    }
  }

  /**
   * Copies one direction of a link: a reader thread queues each chunk with the time it is due, a
   * writer thread writes it then; the end of the stream closes the link once the queue before it is
   * written.
   */
  private void pump(Link link, InputStream in, OutputStream out, Direction direction) {
    BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    int d = direction.ordinal();
    Thread writer =
        new Thread(
            () -> {
              try {
                while (true) {
                  Chunk c = queue.take();
                  if (c.bytes == null) {
                    break; // the sender closed
                  }
                  long wait = c.due - System.nanoTime();
                  if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                  }
                  out.write(c.bytes);
                  out.flush();
                }
              } catch (IOException | InterruptedException e) {
                // the other side closed: close this one too
              }
              link.close();
            },
            "redis-proxy-write");
    writer.setDaemon(true);
    writer.start();
    Thread reader =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  if (direction == Direction.REQUESTS) {
                    inspect(link, new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                  }
                  if (!link.silent) {
                    queue.add(
                        new Chunk(
                            Arrays.copyOf(buffer, n), System.nanoTime() + link.delayNanos.get(d)));
                  }
                }
              } catch (IOException e) {
                // this side closed
              }
              queue.add(new Chunk(null, 0));
            },
            "redis-proxy-read");
    reader.setDaemon(true);
    reader.start();
  }

  /** What the client sent: does it turn tracking on, or fire the trigger? */
  private void inspect(Link link, String sent) {
    String upper = sent.toUpperCase(Locale.ROOT);
    if (!link.tracking && upper.contains("TRACKING")) {
      link.tracking = true;
    }
    Trigger t = trigger.get();
    if (t != null && upper.contains(t.command) && trigger.compareAndSet(t, null)) {
      link.delayNanos.set(t.direction.ordinal(), t.nanos);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Link l : links) {
      l.close();
    }
  }

  private record Chunk(byte[] bytes, long due) {}

  private record Trigger(String command, Direction direction, long nanos) {}

  /** One proxied connection. */
  private static final class Link {
    final Socket client;
    final Socket upstream;
    volatile boolean tracking;
    volatile boolean silent;

    /** Hold-back per {@link Direction}, ns: set by other threads, read per chunk. */
    final AtomicLongArray delayNanos = new AtomicLongArray(2);

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
      if (upstream == null) {
        return; // never connected
      }
      try {
        upstream.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
