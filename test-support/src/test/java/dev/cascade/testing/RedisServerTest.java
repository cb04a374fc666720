package dev.cascade.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisServerTest {

  @Test
  void start_defaults_answersOnLoopbackWithoutPersistence() {
    try (RedisServer redis = RedisServer.start()) {
      assertTrue(redis.isRunning());
      assertEquals("127.0.0.1", redis.host());
      assertEquals("redis://127.0.0.1:" + redis.port(), redis.uri());
      assertEquals("PONG", redis.command("PING"));
      assertEquals("no", ((java.util.List<?>) redis.command("CONFIG", "GET", "appendonly")).get(1));
      assertEquals("", ((java.util.List<?>) redis.command("CONFIG", "GET", "save")).get(1));
      assertEquals(String.valueOf(redis.pid()), redis.info("server").get("process_id"));
    }
  }

  @Test
  void start_withPassword_fixtureAuthenticatesAndOtherClientsMust() throws IOException {
    String password = "p@ss/w:rd%\"quoted\" \\ x";
    try (RedisServer redis = RedisServer.builder().password(password).start()) {
      assertEquals(password, redis.password());
      assertEquals("PONG", redis.command("PING"));
      RespClient.RespError refused =
          assertThrows(
              RespClient.RespError.class,
              () -> RespClient.callOnce(redis.port(), RespClient.Access.PLAIN, "PING"));
      assertTrue(refused.getMessage().startsWith("NOAUTH"), refused.getMessage());
      assertEquals(
          "PONG",
          RespClient.callOnce(redis.port(), new RespClient.Access(null, null, password), "PING"));
      long pid = redis.pid();
      redis.restart();
      assertNotEquals(pid, redis.pid());
      redis.stop();
      assertTrue(
          redis.logTail(5).contains("ready to exit"),
          "SHUTDOWN was authenticated: " + redis.logTail(5));
    }
  }

  @Test
  void config_requirepass_isRefusedInFavourOfPassword() {
    assertThrows(
        IllegalArgumentException.class, () -> RedisServer.builder().config("requirepass", "x"));
  }

  @Test
  void killThenRestart_appendOnlyAlways_keepsAcknowledgedWrite() {
    try (RedisServer redis = RedisServer.builder().appendOnly(true).appendFsync("always").start()) {
      long firstPid = redis.pid();
      assertEquals("OK", redis.command("SET", "survivor", "yes"));

      redis.kill();
      assertFalse(redis.isRunning());
      redis.restart();

      assertTrue(redis.isRunning());
      assertNotEquals(firstPid, redis.pid());
      assertEquals("yes", redis.command("GET", "survivor"));
    }
  }

  @Test
  void killThenRestart_noPersistence_startsEmptyOnSamePort() {
    try (RedisServer redis = RedisServer.start()) {
      int port = redis.port();
      redis.command("SET", "gone", "1");
      redis.kill();
      redis.restart();
      assertEquals(port, redis.port());
      assertNull(redis.command("GET", "gone"));
    }
  }

  @Test
  void close_stopsProcessAndDeletesDirectory() {
    RedisServer redis = RedisServer.start();
    Path dir = redis.dataDir();
    ProcessHandle handle = ProcessHandle.of(redis.pid()).orElseThrow();
    redis.close();
    assertFalse(handle.isAlive());
    assertFalse(Files.exists(dir));
    redis.close(); // idempotent
  }

  @Test
  void stop_isGraceful_andLogSaysSo() {
    try (RedisServer redis = RedisServer.start()) {
      redis.stop();
      assertFalse(redis.isRunning());
      assertTrue(redis.logTail(5).contains("ready to exit"), redis.logTail(5));
    }
  }

  @Test
  void start_badConfig_failsWithPortAndLogTail() {
    FixtureException e =
        assertThrows(
            FixtureException.class,
            () -> RedisServer.builder().config("no-such-directive", "1").start());
    assertTrue(e.getMessage().contains("port"), e.getMessage());
    assertTrue(e.getMessage().contains("no-such-directive"), e.getMessage());
  }

  @Test
  void start_fixedPortTaken_failsNamingPort() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      FixtureException e =
          assertThrows(FixtureException.class, () -> RedisServer.builder().port(port).start());
      assertTrue(e.getMessage().contains("port " + port + " is already in use"), e.getMessage());
      assertTrue(
          e.getCause().getMessage().contains("Address already in use"), e.getCause().getMessage());
    }
  }

  @Test
  void flushAll_emptiesServer() {
    try (RedisServer redis = RedisServer.start()) {
      redis.command("SET", "k", "v");
      redis.flushAll();
      assertEquals(0L, redis.command("DBSIZE"));
    }
  }

  @Test
  void replicaOf_replicatesPrimary() {
    try (RedisServer primary = RedisServer.start();
        RedisServer replica =
            RedisServer.builder().replicaOf(primary.host(), primary.port()).start()) {
      primary.command("SET", "k", "v");
      Waiting.until(
          "replication",
          java.time.Duration.ofSeconds(10),
          () -> "v".equals(replica.command("GET", "k")),
          null);
      assertEquals("slave", replica.info("replication").get("role"));
    }
  }

  @Test
  void start_tls_answersOverTlsOnly() {
    try (RedisServer redis = RedisServer.builder().tls(TestCertificates.shared(), false).start()) {
      assertTrue(redis.isTls());
      assertEquals("rediss://127.0.0.1:" + redis.port(), redis.uri());
      assertEquals("PONG", redis.command("PING"));
      assertEquals("0", ((java.util.List<?>) redis.command("CONFIG", "GET", "port")).get(1));
      assertThrows(IOException.class, () -> RespClient.callOnce(redis.port(), "PING"));
    }
  }

  @Test
  void start_tlsRequiringClientCertificates_refusesAClientWithoutOne() throws Exception {
    TestCertificates certs = TestCertificates.shared();
    try (RedisServer redis = RedisServer.builder().tls(certs, true).start()) {
      assertEquals("PONG", redis.command("PING"), "the fixture presents the client certificate");
      RespClient.Access noCertificate = new RespClient.Access(trustOnly(certs), null, null);
      assertThrows(
          IOException.class, () -> RespClient.callOnce(redis.port(), noCertificate, "PING"));
    }
  }

  @Test
  void start_authWithDefaultUserOff_fixtureLogsInAsItsOwnUser() throws IOException {
    try (RedisServer redis =
        RedisServer.builder()
            .config("user", "admin on >admin-secret ~* &* +@all")
            .auth("admin", "admin-secret")
            .config("user", "default off")
            .start()) {
      assertEquals("admin", redis.command("ACL", "WHOAMI"));
      RespClient.RespError e =
          assertThrows(RespClient.RespError.class, () -> RespClient.callOnce(redis.port(), "PING"));
      assertTrue(e.getMessage().startsWith("NOAUTH"), e.getMessage());
      assertEquals("redis://u:p@127.0.0.1:" + redis.port(), redis.uri("u", "p"));
    }
  }

  @Test
  void start_tlsOnABinaryBuiltWithoutTls_failsSayingWhatToInstall(
      @org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
    // what a redis-server built without TLS does with a tls-port line
    Path fake = dir.resolve("redis-server");
    Files.writeString(
        fake,
        "#!/bin/sh\n"
            + "case \"$1\" in --version) echo 'Redis server v=6.2.0 sha=00000000:0';;\n"
            + "*) echo '*** FATAL CONFIG FILE ERROR *** Bad directive or wrong number of arguments'; exit 1;; esac\n");
    assertTrue(fake.toFile().setExecutable(true));
    String before = System.getProperty(RedisBinary.PROPERTY);
    RedisBinary binary;
    try {
      System.setProperty(RedisBinary.PROPERTY, fake.toString());
      binary = RedisBinary.resolve();
    } finally {
      if (before == null) {
        System.clearProperty(RedisBinary.PROPERTY);
      } else {
        System.setProperty(RedisBinary.PROPERTY, before);
      }
    }
    FixtureException e =
        assertThrows(
            FixtureException.class,
            () ->
                RedisServer.builder().binary(binary).tls(TestCertificates.shared(), false).start());
    assertTrue(e.getMessage().contains("built with TLS"), e.getMessage());
    assertTrue(e.getMessage().contains(fake.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("Bad directive"), "with the log tail: " + e.getMessage());
  }

  private static SSLContext trustOnly(TestCertificates certs) throws Exception {
    java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
    try (java.io.InputStream in = Files.newInputStream(certs.truststore())) {
      store.load(in, certs.password().toCharArray());
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }
}
