package dev.cascade.testing;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One private {@code redis-server} process on a loopback port, with its own scratch directory
 * (config file, log, AOF, cluster state). Tests can kill it, restart it on the same port and
 * directory (so an append-only file is replayed), and read its log.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.builder().appendOnly(true).appendFsync("always").start()) {
 *     RedisClient client = RedisClient.create(redis.uri());
 *     ...
 *     redis.kill();      // SIGKILL, nothing flushed on the way out
 *     redis.restart();   // same port, same dir: the AOF is replayed before this returns
 * }
 * }</pre>
 *
 * <p>Defaults: bound to 127.0.0.1, no RDB snapshots ({@code save ""}), {@code appendonly no},
 * {@code protected-mode no}, not daemonized, {@code repl-diskless-sync-delay 0} (so a replica syncs
 * at once), {@code hash-max-ziplist-value 1024} (compact entries, as docs/configuration.md asks of
 * a server Cascade uses). The process is registered with a JVM shutdown hook that kills it, so an
 * aborted test run leaves nothing behind.
 *
 * <p>TLS and ACLs ({@link Builder#tls}, {@link Builder#auth}): the server can listen on TLS only,
 * with certificates from {@link TestCertificates}, and the fixture's own commands (the PING that
 * says it is up, INFO, SHUTDOWN, {@link #command}) can log in as a user of the test's choosing, so
 * a test may switch the {@code default} user off:
 *
 * <pre>{@code
 * RedisServer.builder()
 *     .tls(TestCertificates.shared(), false)                       // port 0, tls-port <port>
 *     .config("user", "admin on >secret ~* &* +@all").auth("admin", "secret")
 *     .config("user", "default off")
 *     .start();
 * }</pre>
 *
 * <p>Thread-safe: lifecycle methods ({@code kill}, {@code stop}, {@code restart}, {@code close})
 * are serialised on the instance; accessors never block.
 */
public final class RedisServer implements AutoCloseable {

  /** The only address the fixtures bind to and connect to. */
  public static final String HOST = "127.0.0.1";

  static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final String LOG_FILE = "redis.log";
  private static final int LOG_TAIL_LINES = 40;

  private final RedisBinary binary;
  private final int port;
  private final Path dir;
  private final Path configFile;
  private final boolean sentinel;
  private final RespClient.Access access;
  private volatile Process process;
  private boolean closed;

  private RedisServer(
      RedisBinary binary,
      int port,
      Path dir,
      Path configFile,
      boolean sentinel,
      RespClient.Access access) {
    this.binary = binary;
    this.port = port;
    this.dir = dir;
    this.configFile = configFile;
    this.sentinel = sentinel;
    this.access = access;
  }

  /** A builder for a server with non-default settings. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts a server with the defaults (no persistence) and waits until it answers PING. */
  public static RedisServer start() {
    return builder().start();
  }

  /** Always {@code 127.0.0.1}. */
  public String host() {
    return HOST;
  }

  /** The port clients connect to: the TLS port of a {@link Builder#tls TLS} server. */
  public int port() {
    return port;
  }

  /**
   * {@code redis://127.0.0.1:<port>} ({@code rediss://} for a {@link Builder#tls TLS} server), for
   * {@code RedisClient.create(...)}.
   */
  public String uri() {
    return (isTls() ? "rediss://" : "redis://") + HOST + ":" + port;
  }

  /**
   * The {@code requirepass} password ({@link Builder#password}), or null when the server needs
   * none.
   */
  public String password() {
    return access.user() == null ? access.password() : null;
  }

  /** {@link #uri()} with a user and password: {@code redis://user:password@127.0.0.1:<port>}. */
  public String uri(String user, String password) {
    return (isTls() ? "rediss://" : "redis://") + user + ":" + password + "@" + HOST + ":" + port;
  }

  /** Whether the server listens on TLS only ({@link Builder#tls}). */
  public boolean isTls() {
    return access.tls() != null;
  }

  /** The executable this server runs. */
  public RedisBinary binary() {
    return binary;
  }

  /**
   * The scratch directory: config file, log, AOF, {@code nodes.conf}; deleted by {@link #close()}.
   */
  public Path dataDir() {
    return dir;
  }

  /** Whether the process (of the latest start) is alive. */
  public boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** PID of the latest process started, alive or not. */
  public long pid() {
    return process.pid();
  }

  /**
   * SIGSTOPs the process: it keeps its connections open but answers nothing, as a server in a long
   * fork, a swap storm or a VM pause does. {@link #resume()} (or {@link #close()}) undoes it.
   */
  public void pause() {
    signal("STOP");
  }

  /** SIGCONTs a {@link #pause() paused} process. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String signal) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).inheritIO().start();
      if (kill.waitFor() != 0) {
        throw new FixtureException(
            "kill -" + signal + " " + pid() + " (redis-server on port " + port + ") failed");
      }
    } catch (IOException e) {
      throw new FixtureException("cannot run kill -" + signal + " " + pid(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FixtureException("interrupted while signalling redis-server on port " + port, e);
    }
  }

  /** SIGKILLs the process (nothing is flushed or saved on the way out) and waits for it to exit. */
  public synchronized void kill() {
    Process p = process;
    if (p != null && p.isAlive() && !ProcessReaper.kill(p)) {
      throw new FixtureException(
          "redis-server on port "
              + port
              + " (pid "
              + p.pid()
              + ") did not exit within 10 s of SIGKILL");
    }
  }

  /**
   * Shuts down gracefully ({@code SHUTDOWN NOSAVE}, plus {@code NOW} on Redis 7 so that a dead
   * replica cannot delay it), falling back to {@link #kill()} if the process has not exited in
   * time.
   */
  public synchronized void stop() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    String[] shutdown =
        binary.majorVersion() >= 7 && !sentinel
            ? new String[] {"SHUTDOWN", "NOSAVE", "NOW"}
            : new String[] {"SHUTDOWN", "NOSAVE"};
    try {
      RespClient.callOnce(port, access, shutdown);
    } catch (IOException | RuntimeException e) {
      // expected: the server closes the connection instead of replying
    }
    try {
      if (p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    kill();
  }

  /**
   * Starts the server again on the same port, with the same config and directory, so that an
   * append-only file is replayed. Stops it first if it is running. Returns once the server answers
   * PING, which Redis refuses with {@code -LOADING} until the data set is loaded.
   */
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException("redis-server on port " + port + " is closed");
    }
    stop();
    launch();
  }

  /** {@code FLUSHALL}: nothing is flushed between tests unless a test asks for it. */
  public void flushAll() {
    command("FLUSHALL");
  }

  /** {@code INFO <section>} as a map of its {@code name:value} lines. */
  public Map<String, String> info(String section) {
    return parseInfo((String) command("INFO", section));
  }

  /**
   * Sends one command over a fresh connection and returns the raw reply: {@code String}, {@code
   * Long}, {@code List<Object>} or {@code null}. For fixture plumbing and quick checks; tests of
   * the provider should talk to Redis through Lettuce like the provider does.
   *
   * @throws FixtureException if the server cannot be reached or answers with an error
   */
  public Object command(String... command) {
    try {
      return RespClient.callOnce(port, access, command);
    } catch (IOException | RespClient.RespError e) {
      throw new FixtureException(
          Arrays.toString(command)
              + " failed on redis-server "
              + HOST
              + ":"
              + port
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Creates the ACL user {@code user} with {@code password}, allowed every key, channel and command
   * but {@code refusedCommands} (as a user whose ACL predates them); closing the result deletes the
   * user. Connect as it with {@link #uri(String, String)}.
   */
  public TemporaryUser userRefusing(String user, String password, String... refusedCommands) {
    List<String> setuser =
        new ArrayList<>(List.of("ACL", "SETUSER", user, "on", ">" + password, "~*", "&*", "+@all"));
    for (String refused : refusedCommands) {
      setuser.add("-" + refused);
    }
    command(setuser.toArray(new String[0]));
    return () -> command("ACL", "DELUSER", user);
  }

  /** An ACL user that {@link #close()} deletes. */
  @FunctionalInterface
  public interface TemporaryUser extends AutoCloseable {
    @Override
    void close();
  }

  /** The last {@code lines} lines of the server's log (its stdout and stderr included). */
  public String logTail(int lines) {
    try {
      String text = new String(Files.readAllBytes(dir.resolve(LOG_FILE)), StandardCharsets.UTF_8);
      List<String> all = text.lines().toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log at " + dir.resolve(LOG_FILE) + ": " + e.getMessage() + ")";
    }
  }

  /** Stops the server and deletes its directory. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stop();
    } finally {
      ProcessReaper.deleteNow(dir);
    }
  }

  @Override
  public String toString() {
    Process p = process;
    return "redis-server " + HOST + ":" + port + (p == null ? "" : " (pid " + p.pid() + ")");
  }

  /** Starts the process and waits until it answers PING; on failure the process is killed. */
  private void launch() {
    List<String> command =
        new ArrayList<>(List.of(binary.path().toString(), configFile.toString()));
    if (sentinel) {
      command.add("--sentinel");
    }
    Path log = dir.resolve(LOG_FILE);
    long logOffset = log.toFile().length();
    Process p;
    try {
      p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              // Redis's own logfile is the same file: early errors (bad config) land there too
              .redirectOutput(Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new FixtureException("cannot start " + binary + " on port " + port, e);
    }
    ProcessReaper.register(p);
    process = p;
    try {
      Waiting.until(
          "redis-server "
              + binary.version()
              + " on port "
              + port
              + " (pid "
              + p.pid()
              + ") to answer PING",
          START_TIMEOUT,
          () -> answersAsItself(p),
          this::failureDetail);
    } catch (FixtureException e) {
      ProcessReaper.kill(p);
      if (readFrom(log, logOffset).contains("Address already in use")) {
        throw new PortInUse(port, e);
      }
      if (isTls()) {
        // a TLS test must fail, never pass unseen, on a binary built without TLS
        throw new FixtureException(
            binary
                + " did not come up with TLS on port "
                + port
                + ". TLS tests need a redis-server built with TLS (Debian's redis-server is, and"
                + " scripts/test.sh installs it): install it, or set "
                + RedisBinary.PROPERTY
                + " to such a binary. "
                + e.getMessage(),
            e);
      }
      throw e;
    }
  }

  /**
   * True once this very process answers PING with PONG. Checking the PID guards against another
   * server that grabbed the port first; PING (unlike INFO) is refused while the data set loads.
   */
  private boolean answersAsItself(Process p) throws IOException {
    if (!p.isAlive()) {
      throw new FixtureException(
          "redis-server on port "
              + port
              + " exited with code "
              + p.exitValue()
              + " during start-up\n"
              + failureDetail());
    }
    try (RespClient client = new RespClient(port, Duration.ofSeconds(1), access)) {
      Map<String, String> server = parseInfo((String) client.call("INFO", "server"));
      if (!String.valueOf(p.pid()).equals(server.get("process_id"))) {
        return false;
      }
      return "PONG".equals(client.call("PING"));
    }
  }

  private String failureDetail() {
    return "config "
        + configFile
        + ", last lines of "
        + dir.resolve(LOG_FILE)
        + ":\n"
        + logTail(LOG_TAIL_LINES);
  }

  private static String readFrom(Path file, long offset) {
    try {
      byte[] all = Files.readAllBytes(file);
      int from = (int) Math.min(offset, all.length);
      return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  static Map<String, String> parseInfo(String info) {
    Map<String, String> values = new LinkedHashMap<>();
    info.lines()
        .forEach(
            line -> {
              int colon = line.indexOf(':');
              if (colon > 0 && !line.startsWith("#")) {
                values.put(line.substring(0, colon), line.substring(colon + 1).trim());
              }
            });
    return values;
  }

  /** The chosen port was taken between the free-port check and the server's bind. */
  private static final class PortInUse extends FixtureException {
    PortInUse(int port, Throwable cause) {
      super("port " + port + " is already in use", cause);
    }
  }

  /**
   * Settings for a {@link RedisServer}. Each {@code start()} starts a new process; a builder is not
   * thread-safe.
   */
  public static final class Builder {

    private RedisBinary binary;
    private int port;
    private boolean appendOnly;
    private String appendFsync = "everysec";
    private boolean clusterEnabled;
    private String replicaOf;
    private boolean sentinel;
    private TestCertificates tls;
    private boolean requireClientCertificates;
    private String user;
    private String password;
    private boolean requirePassword;
    private final List<String[]> extraConfig = new ArrayList<>();

    private Builder() {}

    /** The executable to run; default {@link RedisBinary#resolve()}. */
    public Builder binary(RedisBinary binary) {
      this.binary = binary;
      return this;
    }

    /** A fixed port instead of a free one (then a port conflict fails instead of retrying). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** {@code appendonly yes|no}; default no. */
    public Builder appendOnly(boolean appendOnly) {
      this.appendOnly = appendOnly;
      return this;
    }

    /**
     * {@code appendfsync always|everysec|no}; default everysec. Only matters with {@link
     * #appendOnly}.
     */
    public Builder appendFsync(String policy) {
      this.appendFsync = policy;
      return this;
    }

    /** {@code cluster-enabled yes}, with {@code nodes.conf} in the server's directory. */
    public Builder clusterEnabled(boolean clusterEnabled) {
      this.clusterEnabled = clusterEnabled;
      return this;
    }

    /** {@code replicaof <host> <port>}. */
    public Builder replicaOf(String host, int port) {
      this.replicaOf = host + " " + port;
      return this;
    }

    /**
     * Any other config directive, written as the line {@code name value} after the defaults, so it
     * overrides them. The value is written as given: {@code config("save", "60 1000")} has two
     * arguments; an empty value is written as {@code ""}. May be called repeatedly for the same
     * name where Redis accepts repeated directives ({@code sentinel ...}).
     */
    public Builder config(String name, String value) {
      if ("requirepass".equalsIgnoreCase(name)) {
        // the fixture's own PING, INFO and SHUTDOWN would be refused (NOAUTH): start() would time
        // out
        throw new IllegalArgumentException(
            "Use password(...) instead of config(\"requirepass\", ...):"
                + " the fixture must know the password to check and stop the server");
      }
      extraConfig.add(new String[] {name, value});
      return this;
    }

    /**
     * Listens on TLS only: {@code port 0}, {@code tls-port <port>}, the server certificate, key and
     * authority of {@code certificates}. {@link RedisServer#uri()} is then {@code rediss://...} and
     * the fixture's own connections use {@link TestCertificates#sslContext()}.
     *
     * @param requireClientCertificates {@code tls-auth-clients yes} (a client without a certificate
     *     signed by the authority is refused) instead of {@code optional}
     */
    public Builder tls(TestCertificates certificates, boolean requireClientCertificates) {
      this.tls = certificates;
      this.requireClientCertificates = requireClientCertificates;
      return this;
    }

    /**
     * {@code requirepass <password>}: clients must authenticate. The fixture's own commands ({@link
     * RedisServer#command}, start-up checks, shutdown) do so. Any characters but CR and LF; the
     * directive is quoted for the config file.
     */
    public Builder password(String password) {
      if (password == null
          || password.isEmpty()
          || password.contains("\r")
          || password.contains("\n")) {
        throw new IllegalArgumentException(
            "A requirepass password must be non-empty and on one line");
      }
      this.user = null;
      this.password = password;
      this.requirePassword = true;
      return this;
    }

    /**
     * The user the fixture itself logs in as, for a server whose {@code default} user is off or has
     * a password. The test declares that user ({@code config("user", ...)}) with enough rights for
     * PING, INFO and SHUTDOWN.
     */
    public Builder auth(String user, String password) {
      this.user = user;
      this.password = password;
      return this;
    }

    /**
     * Runs {@code redis-server <config> --sentinel}; the caller adds the {@code sentinel}
     * directives.
     */
    Builder sentinel() {
      this.sentinel = true;
      return this;
    }

    /**
     * Writes the config, starts the process and waits (at most 10 s) until it answers PING.
     *
     * @throws FixtureException naming the binary and port, with the log tail, if it does not come
     *     up
     */
    public RedisServer start() {
      RedisBinary bin = binary != null ? binary : RedisBinary.resolve();
      boolean fixedPort = port > 0;
      // a free port can be taken by someone else before redis binds it: then try another one
      int attempts = fixedPort ? 1 : 5;
      for (int attempt = 1; ; attempt++) {
        int p = fixedPort ? port : FreePorts.next(clusterEnabled);
        if (fixedPort) {
          FreePorts.claim(p);
        }
        // on any failure but PortInUse the directory stays until JVM exit: its log is the evidence
        Path dir = createDirectory(p);
        try {
          RespClient.Access access =
              new RespClient.Access(tls == null ? null : tls.sslContext(), user, password);
          RedisServer server = new RedisServer(bin, p, dir, writeConfig(p, dir), sentinel, access);
          server.launch();
          return server;
        } catch (PortInUse e) {
          ProcessReaper.deleteNow(dir);
          if (attempt >= attempts) {
            throw e;
          }
        }
      }
    }

    private static Path createDirectory(int port) {
      try {
        Path dir = Files.createTempDirectory("cascade-redis-" + port + "-");
        ProcessReaper.registerDirectory(dir);
        return dir;
      } catch (IOException e) {
        throw new FixtureException(
            "cannot create a temp directory for redis-server on port " + port, e);
      }
    }

    private Path writeConfig(int p, Path dir) {
      List<String> lines = new ArrayList<>();
      if (tls == null) {
        lines.add("port " + p);
      } else {
        lines.add("port 0");
        lines.add("tls-port " + p);
        lines.add("tls-cert-file " + quote(tls.serverCertificate().toString()));
        lines.add("tls-key-file " + quote(tls.serverKey().toString()));
        lines.add("tls-ca-cert-file " + quote(tls.caCertificate().toString()));
        lines.add("tls-auth-clients " + (requireClientCertificates ? "yes" : "optional"));
      }
      lines.add("bind " + HOST);
      lines.add("protected-mode no");
      lines.add("daemonize no");
      lines.add("dir " + quote(dir.toString()));
      lines.add("logfile " + quote(dir.resolve(LOG_FILE).toString()));
      if (!sentinel) {
        lines.add("save \"\"");
        lines.add("appendonly " + (appendOnly ? "yes" : "no"));
        lines.add("appendfsync " + appendFsync);
        // Redis 7 syncs replicas disklessly after a 5 s delay by default: far too slow for tests
        lines.add("repl-diskless-sync-delay 0");
        // what docs/configuration.md asks of a server Cascade uses (compact entries); without it
        // every CacheManager warns once per server. The 6.2 name; Redis 7 takes it as an alias.
        lines.add("hash-max-ziplist-value 1024");
      }
      if (clusterEnabled) {
        lines.add("cluster-enabled yes");
        lines.add("cluster-config-file nodes.conf");
      }
      if (replicaOf != null) {
        lines.add("replicaof " + replicaOf);
      }
      if (requirePassword) {
        lines.add("requirepass " + quote(password));
      }
      for (String[] directive : extraConfig) {
        lines.add(directive[0] + " " + (directive[1].isEmpty() ? "\"\"" : directive[1]));
      }
      Path file = dir.resolve(sentinel ? "sentinel.conf" : "redis.conf");
      try {
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
      } catch (IOException e) {
        throw new FixtureException("cannot write " + file, e);
      }
    }

    private static String quote(String value) {
      return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
  }
}
