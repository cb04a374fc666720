package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestCertificates;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Properties;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rediss://} against redis-servers that listen on TLS only: the server's certificate is
 * verified against the truststore the settings name (and its host name against the URI's), a client
 * certificate comes from the keystore they name, and every way of getting it wrong fails at {@code
 * getCacheManager} with a message that names the server and the setting to fix, never the password.
 */
@Timeout(120)
class TlsConnectionTest {

  static final String TRUSTSTORE = "cascade.redis.tls.truststore";
  static final String TRUSTSTORE_PASSWORD = "cascade.redis.tls.truststore-password";
  static final String KEYSTORE = "cascade.redis.tls.keystore";
  static final String KEYSTORE_PASSWORD = "cascade.redis.tls.keystore-password";

  private static TestCertificates certs;
  private static RedisServer tls;
  private static RedisServer mutual;
  private static TestCertificates otherCa;

  @BeforeAll
  static void start() {
    certs = TestCertificates.shared();
    tls = RedisServer.builder().tls(certs, false).start();
    mutual = RedisServer.builder().tls(certs, true).start();
  }

  @AfterAll
  static void stop() {
    tls.close();
    mutual.close();
  }

  /** Certificates of another authority, made once: the shared CA has signed none of them. */
  static synchronized TestCertificates otherCa() {
    if (otherCa == null) {
      otherCa = TestCertificates.create();
    }
    return otherCa;
  }

  static Properties trusting(TestCertificates c) {
    Properties p = new Properties();
    p.setProperty(TRUSTSTORE, c.truststore().toString());
    p.setProperty(TRUSTSTORE_PASSWORD, c.password());
    return p;
  }

  static Properties withClientCertificate(TestCertificates c) {
    Properties p = trusting(c);
    p.setProperty(KEYSTORE, c.clientKeystore().toString());
    p.setProperty(KEYSTORE_PASSWORD, c.password());
    return p;
  }

  static CacheManager open(String uri, Properties properties) {
    return new CascadeCachingProvider()
        .getCacheManager(URI.create(uri), TlsConnectionTest.class.getClassLoader(), properties);
  }

  private static void assertWorks(CacheManager manager) {
    try {
      Cache<String, String> cache =
          manager.createCache(
              Managers.uniqueName("tls"),
              new MutableConfiguration<String, String>().setTypes(String.class, String.class));
      cache.put("k", "over TLS");
      assertEquals("over TLS", cache.get("k"));
      assertTrue(cache.remove("k"));
    } finally {
      manager.close();
    }
  }

  private static void assertNamesServer(RedisServer server, CacheException e) {
    assertTrue(
        e.getMessage().contains("127.0.0.1:" + server.port()),
        "names the server: " + e.getMessage());
  }

  @Test
  void rediss_withTruststore_verifiesTheServerAndWorks() {
    assertWorks(open(tls.uri(), trusting(certs)));
  }

  @Test
  void rediss_localhostName_isVerifiedAgainstTheCertificatesDnsName() {
    assertWorks(open("rediss://localhost:" + tls.port(), trusting(certs)));
  }

  @Test
  void rediss_withoutTruststore_failsNamingTheServerAndTheSetting() {
    // the JVM's default truststore does not know the test CA
    CacheException e = assertThrows(CacheException.class, () -> open(tls.uri(), new Properties()));
    assertNamesServer(tls, e);
    assertTrue(
        e.getMessage().contains(TRUSTSTORE),
        "says which setting trusts a server: " + e.getMessage());
  }

  @Test
  void rediss_truststoreOfAnotherCa_failsNamingTheServerAndTheTruststore() {
    TestCertificates other = otherCa();
    CacheException e = assertThrows(CacheException.class, () -> open(tls.uri(), trusting(other)));
    assertNamesServer(tls, e);
    assertTrue(e.getMessage().contains(other.truststore().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("not trusted"), e.getMessage());
    assertFalse(e.getMessage().contains(other.password()), "no password in: " + e.getMessage());
  }

  @Test
  void rediss_serverCertificateForAnotherHost_failsHostVerification() {
    TestCertificates elsewhere = TestCertificates.create("dns:elsewhere.invalid");
    try (RedisServer server = RedisServer.builder().tls(elsewhere, false).start()) {
      CacheException e =
          assertThrows(CacheException.class, () -> open(server.uri(), trusting(elsewhere)));
      assertNamesServer(server, e);
      assertTrue(e.getMessage().contains("127.0.0.1"), e.getMessage());
      assertTrue(
          e.getMessage().contains("host"),
          "says the certificate is for another host: " + e.getMessage());
    }
  }

  @Test
  void rediss_toAPlainPort_failsSayingTheServerDoesNotAnswerTls() {
    try (RedisServer plain = RedisServer.start()) {
      CacheException e =
          assertThrows(
              CacheException.class,
              () -> open("rediss://127.0.0.1:" + plain.port(), trusting(certs)));
      assertNamesServer(plain, e);
      assertTrue(e.getMessage().contains("did not answer the TLS handshake"), e.getMessage());
      assertTrue(e.getMessage().contains("tls-port"), e.getMessage());
    }
  }

  @Test
  void rediss_truststoreInJksFormat_isReadToo(@TempDir Path dir) throws Exception {
    KeyStore pkcs12 = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(certs.truststore())) {
      pkcs12.load(in, certs.password().toCharArray());
    }
    KeyStore jks = KeyStore.getInstance("JKS");
    jks.load(null, null);
    String alias = pkcs12.aliases().nextElement();
    jks.setCertificateEntry(alias, pkcs12.getCertificate(alias));
    Path file = dir.resolve("truststore.jks");
    try (OutputStream out = Files.newOutputStream(file)) {
      jks.store(out, "jks-password".toCharArray());
    }
    Properties p = new Properties();
    p.setProperty(TRUSTSTORE, file.toString());
    p.setProperty(TRUSTSTORE_PASSWORD, "jks-password");
    assertWorks(open(tls.uri(), p));
  }

  @Test
  void mutualTls_withClientKeystore_works() {
    assertWorks(open(mutual.uri(), withClientCertificate(certs)));
  }

  @Test
  void mutualTls_withoutClientKeystore_failsNamingTheServerAndTheKeystoreSetting() {
    CacheException e =
        assertThrows(CacheException.class, () -> open(mutual.uri(), trusting(certs)));
    assertNamesServer(mutual, e);
    assertTrue(
        e.getMessage().contains(KEYSTORE),
        "says which setting gives a client certificate: " + e.getMessage());
  }

  @Test
  void mutualTls_clientCertificateOfAnotherCa_failsNamingTheKeystore() {
    Properties p = trusting(certs);
    p.setProperty(KEYSTORE, otherCa().clientKeystore().toString());
    p.setProperty(KEYSTORE_PASSWORD, otherCa().password());
    CacheException e = assertThrows(CacheException.class, () -> open(mutual.uri(), p));
    assertNamesServer(mutual, e);
    assertTrue(e.getMessage().contains(otherCa().clientKeystore().toString()), e.getMessage());
    assertFalse(e.getMessage().contains(otherCa().password()), "no password in: " + e.getMessage());
  }

  @Test
  void truststore_missingFile_failsNamingTheSettingAndTheFile(@TempDir Path dir) {
    Properties p = trusting(certs);
    Path missing = dir.resolve("no-such-truststore.p12");
    p.setProperty(TRUSTSTORE, missing.toString());
    CacheException e = assertThrows(CacheException.class, () -> open(tls.uri(), p));
    assertTrue(e.getMessage().contains(TRUSTSTORE), e.getMessage());
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }

  @Test
  void truststore_wrongPassword_failsNamingThePasswordSetting_notThePassword() {
    Properties p = trusting(certs);
    p.setProperty(TRUSTSTORE_PASSWORD, "Wrong-Pa55word");
    CacheException e = assertThrows(CacheException.class, () -> open(tls.uri(), p));
    assertTrue(e.getMessage().contains(TRUSTSTORE_PASSWORD), e.getMessage());
    assertTrue(e.getMessage().contains(certs.truststore().toString()), e.getMessage());
    assertFalse(e.getMessage().contains("Wrong-Pa55word"), "no password in: " + e.getMessage());
  }

  @Test
  void keystore_wrongPassword_failsNamingThePasswordSetting_notThePassword() {
    Properties p = withClientCertificate(certs);
    p.setProperty(KEYSTORE_PASSWORD, "Wrong-Pa55word");
    CacheException e = assertThrows(CacheException.class, () -> open(mutual.uri(), p));
    assertTrue(e.getMessage().contains(KEYSTORE_PASSWORD), e.getMessage());
    assertTrue(e.getMessage().contains(certs.clientKeystore().toString()), e.getMessage());
    assertFalse(e.getMessage().contains("Wrong-Pa55word"), "no password in: " + e.getMessage());
  }
}
