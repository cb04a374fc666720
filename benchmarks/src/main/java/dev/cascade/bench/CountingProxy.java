package dev.cascade.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy in front of the private redis-server that counts, over all its connections,
 * the commands clients send, the replies they get, and the <em>waits</em>: chunks of commands a
 * client sent while it had no reply outstanding on that connection. A client that pipelines a batch
 * waits once for it; one that sends each command after the previous reply waits once per command. A
 * wait is an upper bound on a round trip: a pipelined command that the server happened to answer
 * before the next one arrived also counts.
 *
 * <p>Only for counting, never for timing: it adds a hop. Listens on 127.0.0.1 only.
 */
final class CountingProxy extends LoopbackProxy {

  /** Counters at one instant. */
  record Counts(long commands, long replies, long waits) {
    Counts minus(Counts before) {
      return new Counts(commands - before.commands, replies - before.replies, waits - before.waits);
    }
  }

  private final AtomicLong commands = new AtomicLong();
  private final AtomicLong replies = new AtomicLong();
  private final AtomicLong waits = new AtomicLong();

  CountingProxy(int targetPort) throws IOException {
    super(targetPort);
    start();
  }

  Counts counts() {
    return new Counts(commands.get(), replies.get(), waits.get());
  }

  @Override
  void connected(Socket client, Socket server) {
    AtomicLong inFlight = new AtomicLong();
    daemon("proxy-up", () -> pump(client, server, inFlight, true)).start();
    daemon("proxy-down", () -> pump(server, client, inFlight, false)).start();
  }

  /**
   * Copies one direction. Counters change before the bytes are forwarded, so a reply is never
   * forwarded before it is counted: a client's next command cannot overtake it.
   */
  private void pump(Socket from, Socket to, AtomicLong inFlight, boolean up) {
    RespCounter counter = new RespCounter();
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        int values = counter.feed(buf, 0, n);
        if (values > 0) {
          if (up) {
            if (inFlight.get() <= 0) {
              waits.incrementAndGet();
            }
            inFlight.addAndGet(values);
            commands.addAndGet(values);
          } else {
            inFlight.addAndGet(-values);
            replies.addAndGet(values);
          }
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // a side closed: close the other one too
    } finally {
      quietly(from);
      quietly(to);
    }
  }
}
