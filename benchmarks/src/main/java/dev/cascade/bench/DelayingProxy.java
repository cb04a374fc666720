package dev.cascade.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A loopback TCP proxy that holds every chunk of bytes for a fixed time before passing it on, in
 * each direction: a Redis that answers as fast as ever but is a network away. Bandwidth is not
 * limited and order is kept, so a client that pipelines still gets many replies per round trip; a
 * client that waits for each reply before sending the next pays the delay twice per command.
 *
 * <p>What it is for: a lane of {@code LoggedChanges} that keeps one call in flight would make
 * threads take turns against a far Redis, half the throughput of sending at once; the lane must
 * notice that Redis is far rather than busy. {@link CostProbe}'s {@code --delay-us} runs any case
 * through this proxy.
 *
 * <p>Each connection costs four threads (a reader and a writer per direction), and the relaying
 * costs CPU and a copy of every chunk in this JVM: client CPU and allocation per call include them,
 * so compare throughput in this mode.
 */
final class DelayingProxy extends LoopbackProxy {

  private final long delayNanos;

  /**
   * @param delayMicros how long each chunk is held, each way
   */
  DelayingProxy(int targetPort, long delayMicros) throws IOException {
    super(targetPort);
    this.delayNanos = delayMicros * 1_000;
    start();
  }

  @Override
  void connected(Socket client, Socket server) {
    relay(client, server, "up");
    relay(server, client, "down");
  }

  /** A chunk read, and when it may be written. */
  private record Chunk(long dueNanos, byte[] bytes) {}

  private static final Chunk END = new Chunk(0, new byte[0]);

  /** One direction: a reader that stamps and queues what arrives, a writer that waits it out. */
  private void relay(Socket from, Socket to, String direction) {
    BlockingQueue<Chunk> held = new LinkedBlockingQueue<>();
    daemon(
            "delay-" + direction + "-read",
            () -> {
              byte[] buf = new byte[64 * 1024];
              try (InputStream in = from.getInputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                  held.add(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buf, n)));
                }
              } catch (IOException e) {
                // a side closed: the writer closes the other one
              } finally {
                held.add(END);
              }
            })
        .start();
    daemon(
            "delay-" + direction + "-write",
            () -> {
              try (OutputStream out = to.getOutputStream()) {
                for (Chunk c = held.take(); c != END; c = held.take()) {
                  for (long wait = c.dueNanos - System.nanoTime();
                      wait > 0;
                      wait = c.dueNanos - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                  }
                  out.write(c.bytes);
                  out.flush();
                }
              } catch (IOException | InterruptedException e) {
                // a side closed, or the proxy is shutting down
              } finally {
                quietly(from);
                quietly(to);
              }
            })
        .start();
  }
}
