package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.internal.config.ManagerSettings;
import dev.cascade.testing.MapDatabase;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import dev.cascade.writebehind.WriteBehind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Redis password never reaches anything a user or an exporter sees: JMX ObjectNames and
 * attributes, {@code toString()}, exception messages and stack traces, log records, standard error
 * (where Lettuce logs in these tests), and {@link CacheManager#getURI()}, the manager's name (MBean
 * names and Micrometer's {@code JCacheMetrics} are computed from it). Only {@link
 * CacheManager#getProperties()} gives a password back: the user's own value, as given.
 */
@WithRedis(password = SecretsTest.PASSWORD)
@Timeout(120)
class SecretsTest {

  /**
   * Every character that means something in a URI's userinfo; the letter groups make partial leaks
   * findable.
   */
  static final String PASSWORD = "zq7Kx@Wv9Jt/Pm4Rb:Hy2Nc%Lf8Ds";

  private static final String WRONG_PASSWORD = "Qe5Gu@Tb3Vm/Ja6Wc:Xo1Yp%Rk4Sn";

  private final Exposure seen = new Exposure();

  @BeforeEach
  void watch() {
    seen.start();
  }

  @AfterEach
  void stopWatching() {
    seen.stop();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "default"})
  void openUseAndFail_passwordInUri_nothingShownHoldsIt(String user, RedisServer redis)
      throws Exception {
    URI uri =
        URI.create("redis://" + user + ":" + encoded(PASSWORD) + "@127.0.0.1:" + redis.port());
    CacheManager manager =
        new CascadeCachingProvider().getCacheManager(uri, getClass().getClassLoader());
    try {
      // the manager's name holds no password, and finds the manager as the URI does
      seen.text("getURI()", manager.getURI().toString());
      assertSame(
          manager,
          manager
              .getCachingProvider()
              .getCacheManager(manager.getURI(), getClass().getClassLoader()));

      String plainName = name("plain");
      Cache<String, String> plain =
          manager.createCache(plainName, managed(new MutableConfiguration<>()));
      // a lease TTL of 600 ms: the flusher's heartbeat runs every 200 ms, so it soon meets the
      // failure below
      WriteBehind<String, String> writeBehind =
          WriteBehind.<String, String>of(MapDatabase.writerFactory("secrets"))
              .maxDelay(Duration.ofMillis(20))
              .leaseTtl(Duration.ofMillis(600));
      Cache<String, String> behind =
          manager.createCache(
              name("behind"),
              managed(
                  new MutableConfiguration<String, String>()
                      .setWriteThrough(true)
                      .setCacheWriterFactory(writeBehind.build())));
      plain.put("k", "v");
      assertEquals("v", plain.get("k"));
      String key = UUID.randomUUID().toString();
      behind.put(key, "v");
      awaitWritten(key);

      seen.text("manager.toString()", manager.toString());
      seen.text("plain.toString()", plain.toString());
      seen.text("behind.toString()", behind.toString());
      seen.mbeans();
      assertTrue(
          seen.objectNames().stream().anyMatch(n -> n.startsWith("dev.cascade:type=WriteBehind")),
          "the write-behind MXBean is registered: " + seen.objectNames());
      assertTrue(
          seen.objectNames().stream()
              .anyMatch(n -> n.contains("type=CacheStatistics") && n.contains(plainName)),
          "the statistics MXBean is registered: " + seen.objectNames());

      seen.thrown(
          assertThrows(
              CacheException.class,
              () -> manager.createCache(plainName, new MutableConfiguration<String, String>())));

      // a command Redis refuses: every write is over maxmemory
      redis.command("CONFIG", "SET", "maxmemory", "1");
      try {
        CacheException refused = assertThrows(CacheException.class, () -> plain.put("k2", "v"));
        assertTrue(
            refused.getMessage().contains("127.0.0.1:" + redis.port()),
            "the server is still named: " + refused.getMessage());
        seen.thrown(refused);
        seen.thrown(assertThrows(CacheException.class, () -> behind.put("k2", "v")));
        // the flusher's lease heartbeat (every 200 ms) fails too, and says so in the log and on its
        // MXBean
        seen.awaitLogRecord("dev.cascade.internal.writebehind", Duration.ofSeconds(10));
        seen.mbeans();
      } finally {
        redis.command("CONFIG", "SET", "maxmemory", "0");
      }
    } finally {
      manager.close();
    }
    seen.thrown(assertThrows(IllegalStateException.class, () -> manager.getCache("plain")));
    seen.assertNoneHolds(PASSWORD);
  }

  @Test
  void connect_wrongPassword_failsNamingTheServerButNeitherPassword(RedisServer redis) {
    URI uri = URI.create("redis://:" + encoded(WRONG_PASSWORD) + "@127.0.0.1:" + redis.port());
    CacheException e =
        assertThrows(
            CacheException.class,
            () -> new CascadeCachingProvider().getCacheManager(uri, getClass().getClassLoader()));
    assertTrue(e.getMessage().contains("127.0.0.1:" + redis.port()), e.getMessage());
    seen.thrown(e);
    seen.assertNoneHolds(PASSWORD, WRONG_PASSWORD);
  }

  @Test
  void connect_closedPort_failsNamingTheServerButNotThePassword() throws IOException {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    URI uri = URI.create("redis://default:" + encoded(PASSWORD) + "@127.0.0.1:" + closed);
    CacheException e =
        assertThrows(
            CacheException.class,
            () -> new CascadeCachingProvider().getCacheManager(uri, getClass().getClassLoader()));
    assertTrue(e.getMessage().contains("127.0.0.1:" + closed), e.getMessage());
    seen.thrown(e);
    seen.assertNoneHolds(PASSWORD);
  }

  @Test
  void resolve_configurationFileWithUnencodedPassword_failsWithoutShowingIt(
      RedisServer redis, @TempDir Path dir) throws IOException {
    // '%Lf' is no percent-escape: the URI cannot be parsed, and the parser's message quotes it
    // whole
    Properties p = new Properties();
    p.setProperty(
        ManagerSettings.URI_PROPERTY, "redis://:" + PASSWORD + "@127.0.0.1:" + redis.port());
    Path file = dir.resolve("cascade.properties");
    try (Writer w = Files.newBufferedWriter(file)) {
      p.store(w, null);
    }
    CacheException e =
        assertThrows(
            CacheException.class,
            () ->
                new CascadeCachingProvider()
                    .getCacheManager(file.toUri(), getClass().getClassLoader()));
    seen.thrown(e);
    seen.assertNoneHolds(PASSWORD);
  }

  @Test
  void defaultUri_unencodedPasswordInSystemProperty_failsWithoutShowingIt(RedisServer redis) {
    String before = System.getProperty(ManagerSettings.URI_PROPERTY);
    System.setProperty(
        ManagerSettings.URI_PROPERTY, "redis://:" + PASSWORD + "@127.0.0.1:" + redis.port());
    try {
      CacheException e =
          assertThrows(CacheException.class, () -> new CascadeCachingProvider().getCacheManager());
      seen.thrown(e);
    } finally {
      if (before == null) {
        System.clearProperty(ManagerSettings.URI_PROPERTY);
      } else {
        System.setProperty(ManagerSettings.URI_PROPERTY, before);
      }
    }
    seen.assertNoneHolds(PASSWORD);
  }

  // ------------------------------------------------------------------ helpers

  /** Percent-encodes every character outside letters and digits, as a careful user would. */
  private static String encoded(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /**
   * The userinfo {@code new URI(...)} makes: it encodes '@', '/' and '%', but leaves ':' as it is.
   */
  private static String uriEncoded(String secret) {
    try {
      return new URI("redis", ":" + secret, "h", 1, null, null, null).getRawUserInfo();
    } catch (java.net.URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  private static String name(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static MutableConfiguration<String, String> managed(
      MutableConfiguration<String, String> c) {
    return c.setTypes(String.class, String.class)
        .setManagementEnabled(true)
        .setStatisticsEnabled(true);
  }

  private static void awaitWritten(String key) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!MapDatabase.<String, String>table("secrets").containsKey(key)) {
      assertTrue(System.nanoTime() < deadline, "the write-behind writer got " + key);
      Thread.sleep(10);
    }
  }

  /**
   * Everything a user or an exporter could read while a test runs: every JUL record (at every
   * level, with its stack trace), standard error and output, and whatever the test adds (toString,
   * exception messages with their stack traces, MBean names and attributes).
   */
  static final class Exposure {
    private final ConcurrentLinkedQueue<String[]> items = new ConcurrentLinkedQueue<>();
    private final Set<String> objectNames = new LinkedHashSet<>();
    private final Logger root = Logger.getLogger("");
    private final Logger cascade = Logger.getLogger("dev.cascade");
    private final Handler handler =
        new Handler() {
          private final SimpleFormatter format = new SimpleFormatter();

          @Override
          public void publish(LogRecord record) {
            items.add(
                new String[] {"log record of " + record.getLoggerName(), format.format(record)});
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private Level cascadeLevel;
    private PrintStream originalErr;
    private PrintStream originalOut;

    void start() {
      cascadeLevel = cascade.getLevel();
      cascade.setLevel(Level.ALL);
      handler.setLevel(Level.ALL);
      root.addHandler(handler);
      originalErr = System.err;
      originalOut = System.out;
      System.setErr(new PrintStream(new Tee(originalErr, err), true, StandardCharsets.UTF_8));
      System.setOut(new PrintStream(new Tee(originalOut, out), true, StandardCharsets.UTF_8));
    }

    void stop() {
      root.removeHandler(handler);
      cascade.setLevel(cascadeLevel);
      System.setErr(originalErr);
      System.setOut(originalOut);
    }

    void text(String where, String text) {
      items.add(new String[] {where, text});
    }

    void thrown(Throwable t) {
      StringWriter trace = new StringWriter();
      t.printStackTrace(new PrintWriter(trace));
      items.add(
          new String[] {"message of " + t.getClass().getName(), String.valueOf(t.getMessage())});
      items.add(new String[] {"stack trace of " + t.getClass().getName(), trace.toString()});
    }

    /**
     * Every name on the platform MBean server, and every attribute of the JCache and Cascade beans.
     */
    void mbeans() throws Exception {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      for (ObjectName name : server.queryNames(null, null)) {
        objectNames.add(name.toString());
        text("ObjectName", name.toString());
        String domain = name.getDomain();
        if (!domain.equals("javax.cache") && !domain.equals("dev.cascade")) {
          continue;
        }
        for (MBeanAttributeInfo a : server.getMBeanInfo(name).getAttributes()) {
          Object value;
          try {
            value = server.getAttribute(name, a.getName());
          } catch (Exception e) {
            thrown(e);
            continue;
          }
          text(
              "attribute " + a.getName() + " of " + name,
              value instanceof Object[]
                  ? Arrays.deepToString((Object[]) value)
                  : String.valueOf(value));
        }
      }
    }

    void awaitLogRecord(String loggerPrefix, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (items.stream().noneMatch(i -> i[0].startsWith("log record of " + loggerPrefix))) {
        assertTrue(
            System.nanoTime() < deadline, "a log record of " + loggerPrefix + " within " + timeout);
        Thread.sleep(10);
      }
    }

    List<String> objectNames() {
      return new ArrayList<>(objectNames);
    }

    /**
     * Fails naming where a secret showed: whole, percent-encoded, or any five consecutive
     * characters of either (a redaction that cuts a password at an '@' or a '/' leaves such a piece
     * behind).
     */
    void assertNoneHolds(String... secrets) {
      items.add(new String[] {"standard error", err.toString(StandardCharsets.UTF_8)});
      items.add(new String[] {"standard output", out.toString(StandardCharsets.UTF_8)});
      List<String> pieces = new ArrayList<>();
      for (String secret : secrets) {
        for (String form : List.of(secret, encoded(secret), uriEncoded(secret))) {
          for (int i = 0; i + 5 <= form.length(); i++) {
            pieces.add(form.substring(i, i + 5));
          }
        }
      }
      List<String> leaks = new ArrayList<>();
      for (String[] item : items) {
        for (String piece : pieces) {
          if (item[1] != null && item[1].contains(piece)) {
            leaks.add(item[0] + " holds '" + piece + "':\n" + item[1]);
            break;
          }
        }
      }
      assertFalse(items.isEmpty());
      assertTrue(
          leaks.isEmpty(),
          leaks.size()
              + " of "
              + items.size()
              + " things shown hold a secret:\n"
              + String.join("\n----\n", leaks));
    }
  }

  /** Writes to the stream it replaced and to a buffer. */
  private static final class Tee extends OutputStream {
    private final OutputStream first;
    private final OutputStream second;

    Tee(OutputStream first, OutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void write(int b) throws IOException {
      first.write(b);
      synchronized (second) {
        second.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      first.write(b, off, len);
      synchronized (second) {
        second.write(b, off, len);
      }
    }

    @Override
    public void flush() throws IOException {
      first.flush();
    }
  }
}
