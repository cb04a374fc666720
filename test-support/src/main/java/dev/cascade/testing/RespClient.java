package dev.cascade.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A minimal blocking RESP2 client for the fixtures' own lifecycle commands (PING, SHUTDOWN, INFO,
 * SENTINEL ...). It exists so that starting and stopping a server needs no Lettuce client with its
 * event loops and reconnect logic, and so that a server that is still loading or already dying is
 * seen exactly as it answers.
 *
 * <p>Replies map to: simple and bulk strings to {@code String}, integers to {@code Long}, arrays to
 * {@code List<Object>}, nil to {@code null}; an error reply throws {@link RespError}.
 *
 * <p>Not thread-safe: one connection, one caller at a time.
 */
final class RespClient implements Closeable {

  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /** An error reply from the server, such as {@code LOADING ...} or {@code READONLY ...}. */
  static final class RespError extends RuntimeException {
    RespError(String message) {
      super(message);
    }
  }

  /**
   * How a connection reaches its server: over TLS when {@code tls} is set, logged in when {@code
   * password} is set: as {@code user}, or as the default user ({@code requirepass}) when {@code
   * user} is null.
   */
  record Access(SSLContext tls, String user, String password) {

    static final Access PLAIN = new Access(null, null, null);

    @Override
    public String toString() {
      return (tls == null ? "plain" : "TLS") + (user == null ? "" : ", as user " + user);
    }
  }

  RespClient(int port, Duration timeout) throws IOException {
    this(port, timeout, Access.PLAIN);
  }

  RespClient(int port, Duration timeout, Access access) throws IOException {
    Socket plain = new Socket();
    Socket s = plain;
    try {
      plain.connect(new InetSocketAddress(RedisServer.HOST, port), (int) timeout.toMillis());
      plain.setSoTimeout((int) timeout.toMillis());
      plain.setTcpNoDelay(true);
      if (access.tls() != null) {
        SSLSocket tls =
            (SSLSocket)
                access.tls().getSocketFactory().createSocket(plain, RedisServer.HOST, port, true);
        s = tls;
        tls.startHandshake();
      }
      in = new BufferedInputStream(s.getInputStream());
      out = s.getOutputStream();
    } catch (IOException e) {
      s.close();
      throw e;
    }
    socket = s;
    if (access.password() != null) {
      try {
        // a server with requirepass answers every other command (PING, INFO) with NOAUTH
        if (access.user() != null) {
          call("AUTH", access.user(), access.password());
        } else {
          call("AUTH", access.password());
        }
      } catch (IOException | RuntimeException e) {
        socket.close();
        throw e;
      }
    }
  }

  /** Opens a connection, sends one command, closes. */
  static Object callOnce(int port, String... command) throws IOException {
    return callOnce(port, Access.PLAIN, command);
  }

  /** Opens a connection as {@code access} says, sends one command, closes. */
  static Object callOnce(int port, Access access, String... command) throws IOException {
    try (RespClient client = new RespClient(port, DEFAULT_TIMEOUT, access)) {
      return client.call(command);
    }
  }

  Object call(String... command) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    buf.writeBytes(("*" + command.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (String arg : command) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      buf.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      buf.writeBytes(bytes);
      buf.writeBytes(new byte[] {'\r', '\n'});
    }
    out.write(buf.toByteArray());
    out.flush();
    return read();
  }

  private Object read() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("connection closed by redis-server on port " + socket.getPort());
    }
    String line = readLine();
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new RespError(line);
      case ':':
        return Long.parseLong(line);
      case '$':
        {
          int len = Integer.parseInt(line);
          if (len < 0) {
            return null;
          }
          byte[] data = in.readNBytes(len + 2);
          if (data.length < len + 2) {
            throw new EOFException("truncated bulk reply from port " + socket.getPort());
          }
          return new String(data, 0, len, StandardCharsets.UTF_8);
        }
      case '*':
        {
          int count = Integer.parseInt(line);
          if (count < 0) {
            return null;
          }
          List<Object> items = new ArrayList<>(count);
          for (int i = 0; i < count; i++) {
            items.add(read());
          }
          return items;
        }
      default:
        throw new IOException(
            "unexpected RESP type '" + (char) type + "' from port " + socket.getPort());
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\r') {
      if (b < 0) {
        throw new EOFException("connection closed by redis-server on port " + socket.getPort());
      }
      line.write(b);
    }
    in.read(); // the '\n' after '\r'
    return line.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
