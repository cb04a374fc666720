package dev.cascade.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.codec.SerializationLimits;
import dev.cascade.internal.store.RedisTarget;
import dev.cascade.testing.TestCertificates;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import javax.cache.CacheException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManagerSettingsTest {

  private static final ClassLoader LOADER = ManagerSettingsTest.class.getClassLoader();

  private static ManagerSettings withProperties(String... keyValues) {
    Properties p = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      p.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return ManagerSettings.resolve(URI.create("redis://127.0.0.1:6379"), LOADER, p);
  }

  @Test
  void strict_perCacheWinsOverTheManager_andANonBooleanNamesTheSetting() {
    ManagerSettings s =
        withProperties("cascade.codec.strict", "true", "cascade.cache.open.codec.strict", "false");

    assertTrue(s.strict("other"));
    assertFalse(s.strict("open"));
    CacheException e =
        assertThrows(
            CacheException.class, () -> withProperties("cascade.codec.strict", "yes").strict("c"));
    assertTrue(e.getMessage().contains("cascade.codec.strict"), e.getMessage());
  }

  @Test
  void valueTags_previousKeyWithoutAKey_isRefusedNamingBoth() {
    CacheException e =
        assertThrows(
            CacheException.class,
            () ->
                withProperties("cascade.codec.hmac-previous-key", "old-secret-0123456789abcdef")
                    .valueTags());

    assertTrue(e.getMessage().contains("cascade.codec.hmac-key"), e.getMessage());
    assertFalse(e.getMessage().contains("0123456789"), e.getMessage());
  }

  @Test
  void hmacKeyForOneCache_isRefusedNamingTheManagerSetting() {
    CacheException e =
        assertThrows(
            CacheException.class,
            () -> withProperties("cascade.cache.c.codec.hmac-key", "one-cache-0123456789abcdef"));

    assertTrue(e.getMessage().contains("cascade.codec.hmac-key"), e.getMessage());
    assertFalse(e.getMessage().contains("0123456789"), e.getMessage());
  }

  @Test
  void valueTags_noKey_isNone_andToStringHidesTheSecret() {
    assertEquals(null, withProperties().valueTags());
    String shown =
        withProperties("cascade.codec.hmac-key", "shown-nowhere-0123456789abcdef")
            .valueTags()
            .toString();

    assertFalse(shown.contains("0123456789"), shown);
  }

  @Test
  void statistics_perCacheOverridesTheManagerWide() {
    Properties p = new Properties();
    p.setProperty("cascade.statistics", "true");
    p.setProperty("cascade.cache.users.statistics", "false");
    p.setProperty("cascade.cache.orders.management", "TRUE");
    ManagerSettings s = ManagerSettings.resolve(URI.create("redis://h:6379"), LOADER, p);
    assertFalse(s.statistics("users"));
    assertTrue(s.statistics("other"));
    assertTrue(s.management("orders"));
    assertFalse(s.management("other"));
    assertFalse(
        ManagerSettings.resolve(URI.create("redis://h:6379"), LOADER, new Properties())
            .statistics("other"));
  }

  @Test
  void statistics_notABoolean_failsNamingTheKey() {
    Properties p = new Properties();
    p.setProperty("cascade.cache.orders.statistics", "yes");
    CacheException e =
        assertThrows(
            CacheException.class,
            () -> ManagerSettings.resolve(URI.create("redis://h:6379"), LOADER, p));
    assertTrue(e.getMessage().contains("cascade.cache.orders.statistics"), e.getMessage());
    assertTrue(e.getMessage().contains("'yes'"), e.getMessage());
  }

  @Test
  void redisUri_isUsedAsIs() {
    ManagerSettings s =
        ManagerSettings.resolve(URI.create("redis://10.0.0.1:7000/2"), LOADER, null);
    assertEquals("redis://10.0.0.1:7000/2", s.redisUri());
    RedisTarget t = s.redisTarget();
    assertEquals(RedisTarget.Kind.STANDALONE, t.kind());
    assertEquals(2, t.uris().get(0).getDatabase());
    assertEquals(ManagerSettings.DEFAULT_TIMEOUT, t.timeout());
  }

  @Test
  void clusterUri_listsEverySeedNode() {
    RedisTarget t =
        RedisTarget.parse(
            "redis-cluster://:secret@h1:7000,h2:7001,h3:7002?timeout=3s", Duration.ofSeconds(10));
    assertEquals(RedisTarget.Kind.CLUSTER, t.kind());
    assertEquals(3, t.uris().size());
    assertEquals("h2", t.uris().get(1).getHost());
    assertEquals(7002, t.uris().get(2).getPort());
    assertEquals(
        "secret",
        new String(
            t.uris().get(0).getCredentialsProvider().resolveCredentials().block().getPassword()));
    assertEquals(Duration.ofSeconds(3), t.timeout());
    assertTrue(t.toString().contains("***"), "password hidden: " + t);
  }

  @Test
  void clusterUri_encodedPasswordWithReservedCharacters_reachesLettuceDecodedAndIsShownMasked() {
    RedisTarget t =
        RedisTarget.parse(
            "redis-cluster://alice:zq7%40Kx%2FWv9%3A%25@h1:7000,h2:7001", Duration.ofSeconds(10));
    assertEquals(
        "zq7@Kx/Wv9:%",
        new String(
            t.uris().get(1).getCredentialsProvider().resolveCredentials().block().getPassword()));
    assertEquals("redis-cluster://alice:***@h1:7000,h2:7001", t.toString());
  }

  @Test
  void parse_unparseableUriWithPassword_failsWithoutShowingIt() {
    // '%Lf' is no percent-escape: java.net.URI refuses the URI and quotes it whole in its message
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RedisTarget.parse("redis://:zq7Kx%Lf8Ds@127.0.0.1:6379", Duration.ofSeconds(10)));
    java.io.StringWriter trace = new java.io.StringWriter();
    e.printStackTrace(new java.io.PrintWriter(trace));
    assertFalse(trace.toString().contains("zq7Kx"), trace.toString());
    assertTrue(
        e.getMessage().contains("Malformed escape pair"), "the reason stays: " + e.getMessage());
    assertTrue(e.getMessage().contains("redis://***@127.0.0.1:6379"), e.getMessage());
  }

  @Test
  void sentinelUri_isReadByLettuce() {
    RedisTarget t =
        RedisTarget.parse(
            "redis-sentinel://127.0.0.1:26379,127.0.0.1:26380#mymaster", Duration.ofSeconds(10));
    assertEquals(RedisTarget.Kind.SENTINEL, t.kind());
    assertEquals("mymaster", t.uris().get(0).getSentinelMasterId());
  }

  @Test
  void classpathProperties_nameRedisAndPerCacheSettings() {
    ManagerSettings s =
        ManagerSettings.resolve(URI.create("classpath:cascade-test.properties"), LOADER, null);
    assertEquals("redis://127.0.0.1:7777", s.redisUri());
    assertEquals(32, s.partitions("users"));
    assertEquals(8, s.partitions("other"));
    assertEquals(List.of("com.acme.**", "com.acme.users.User"), s.allowList("users"));
    assertEquals(Duration.ofMillis(1500), s.lockLease("users"));
  }

  @Test
  void yamlFile_isFlattenedToTheSameKeys(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("cascade.yaml");
    Files.writeString(
        yaml,
        String.join(
            "\n",
            "# Cascade",
            "cascade:",
            "  redis:",
            "    uri: \"redis://127.0.0.1:7778\"   # local",
            "  partitions: 4",
            "  cache:",
            "    orders:",
            "      partitions: 64",
            ""));
    ManagerSettings s = ManagerSettings.resolve(yaml.toUri(), LOADER, null);
    assertEquals("redis://127.0.0.1:7778", s.redisUri());
    assertEquals(4, s.partitions("users"));
    assertEquals(64, s.partitions("orders"));
  }

  @Test
  void explicitProperties_winOverTheFile() {
    Properties p = new Properties();
    p.setProperty("cascade.partitions", "2");
    ManagerSettings s =
        ManagerSettings.resolve(URI.create("classpath:cascade-test.properties"), LOADER, p);
    assertEquals(2, s.partitions("other"));
  }

  @Test
  void codecLimits_defaultPerManagerAndPerCache() {
    Properties p = new Properties();
    p.setProperty("cascade.codec.max-depth", "30");
    p.setProperty("cascade.codec.max-bytes", "8m");
    p.setProperty("cascade.cache.reports.codec.max-array", "100000");
    ManagerSettings s = ManagerSettings.resolve(URI.create("redis://127.0.0.1:7777"), LOADER, p);
    assertEquals(
        SerializationLimits.DEFAULTS,
        ManagerSettings.resolve(URI.create("redis://h:1"), LOADER, null)
            .serializationLimits("users"));
    assertEquals(
        SerializationLimits.DEFAULTS.withMaxDepth(30).withMaxBytes(8L << 20),
        s.serializationLimits("users"));
    assertEquals(100_000, s.serializationLimits("reports").maxArray());
    assertEquals(30, s.serializationLimits("reports").maxDepth());
  }

  @Test
  void codecLimit_notAPositiveNumber_failsAtOpenNamingTheSettingAndTheCache() {
    Properties p = new Properties();
    p.setProperty("cascade.cache.reports.codec.max-depth", "-1");
    CacheException e =
        assertThrows(
            CacheException.class,
            () -> ManagerSettings.resolve(URI.create("redis://127.0.0.1:7777"), LOADER, p));
    assertTrue(
        e.getMessage()
            .contains("cascade.cache.reports.codec.max-depth: expected a positive number"),
        e.getMessage());
  }

  @Test
  void missingResource_namesIt() {
    CacheException e =
        assertThrows(
            CacheException.class,
            () -> ManagerSettings.resolve(URI.create("classpath:nope.properties"), LOADER, null));
    assertTrue(e.getMessage().contains("nope.properties"), e.getMessage());
  }

  @Test
  void unknownScheme_isRefusedWithTheFormsThatWork() {
    CacheException e =
        assertThrows(
            CacheException.class,
            () -> ManagerSettings.resolve(URI.create("memcached://host"), LOADER, null));
    assertTrue(e.getMessage().contains("redis://"), e.getMessage());
  }

  @Test
  void badDuration_failsAtOpenNamingTheSetting() {
    Properties p = new Properties();
    p.setProperty("cascade.lock.lease", "soon");
    CacheException e =
        assertThrows(
            CacheException.class,
            () -> ManagerSettings.resolve(URI.create("redis://h:1"), LOADER, p));
    assertTrue(
        e.getMessage().contains("lock.lease") && e.getMessage().contains("soon"), e.getMessage());
  }

  @Test
  void durations_acceptUnitsAndIso() {
    assertEquals(Duration.ofMillis(250), Durations.parse("250ms", "x"));
    assertEquals(Duration.ofSeconds(10), Durations.parse("10s", "x"));
    assertEquals(Duration.ofMinutes(5), Durations.parse("5m", "x"));
    assertEquals(Duration.ofHours(1), Durations.parse("1h", "x"));
    assertEquals(Duration.ofSeconds(3), Durations.parse("PT3S", "x"));
    assertEquals(Duration.ofMillis(42), Durations.parse("42", "x"));
  }

  // ------------------------------------------------------------------ TLS

  private static final String SECRET = "Not-In-Messages-42";

  @Test
  void tlsSettings_inYaml_nameTheStoresOfTheTarget(@TempDir Path dir) throws Exception {
    TestCertificates certs = TestCertificates.shared();
    Path yaml = dir.resolve("cascade.yaml");
    Files.writeString(
        yaml,
        String.join(
            "\n",
            "cascade:",
            "  redis:",
            "    uri: rediss://127.0.0.1:7780",
            "    tls:",
            "      truststore: " + certs.truststore(),
            "      truststore-password: " + certs.password(),
            "      keystore: " + certs.clientKeystore(),
            "      keystore-password: " + certs.password(),
            ""));
    RedisTarget t = ManagerSettings.resolve(yaml.toUri(), LOADER, null).redisTarget();
    assertTrue(t.isTls());
    assertFalse(t.tls().isEmpty());
    assertTrue(t.tls().toString().contains(certs.truststore().toString()), t.tls().toString());
    assertTrue(t.tls().toString().contains(certs.clientKeystore().toString()), t.tls().toString());
    assertFalse(t.tls().toString().contains(certs.password()), "no password in: " + t.tls());
  }

  @Test
  void truststore_asFileUrl_isRead() {
    TestCertificates certs = TestCertificates.shared();
    Properties p = new Properties();
    p.setProperty("cascade.redis.tls.truststore", certs.truststore().toUri().toString());
    p.setProperty("cascade.redis.tls.truststore-password", certs.password());
    assertFalse(
        ManagerSettings.resolve(URI.create("rediss://h:1"), LOADER, p)
            .redisTarget()
            .tls()
            .isEmpty());
  }

  @Test
  void tlsSettings_withPlainRedisUri_areRefused_notIgnored() {
    TestCertificates certs = TestCertificates.shared();
    Properties p = new Properties();
    p.setProperty("cascade.redis.tls.truststore", certs.truststore().toString());
    p.setProperty("cascade.redis.tls.truststore-password", SECRET);
    CacheException e =
        assertThrows(
            CacheException.class,
            () -> ManagerSettings.resolve(URI.create("redis://h:1"), LOADER, p).redisTarget());
    assertTrue(
        e.getMessage().contains("redis://h:1")
            && e.getMessage().contains("rediss://")
            && e.getMessage().contains("cascade.redis.tls.truststore"),
        e.getMessage());
    assertFalse(e.getMessage().contains(SECRET), "no password in: " + e.getMessage());
  }

  @Test
  void noTlsSettings_rediss_usesTheJvmDefaults() {
    RedisTarget t = ManagerSettings.resolve(URI.create("rediss://h:1"), LOADER, null).redisTarget();
    assertTrue(t.isTls());
    assertTrue(t.tls().isEmpty());
  }

  @Test
  void tlsPassword_withoutItsStore_failsNamingBothSettings() {
    Properties p = new Properties();
    p.setProperty("cascade.redis.tls.keystore-password", SECRET);
    CacheException e =
        assertThrows(
            CacheException.class,
            () -> ManagerSettings.resolve(URI.create("rediss://h:1"), LOADER, p).redisTarget());
    assertTrue(
        e.getMessage().contains("cascade.redis.tls.keystore-password")
            && e.getMessage().contains("cascade.redis.tls.keystore "),
        e.getMessage());
    assertFalse(e.getMessage().contains(SECRET), "no password in: " + e.getMessage());
  }

  @Test
  void truststore_notAKeyStore_failsNamingTheSettingAndTheFile(@TempDir Path dir) throws Exception {
    Path pem = TestCertificates.shared().caCertificate();
    Properties p = new Properties();
    p.setProperty("cascade.redis.tls.truststore", pem.toString());
    p.setProperty("cascade.redis.tls.truststore-password", SECRET);
    CacheException e =
        assertThrows(
            CacheException.class,
            () -> ManagerSettings.resolve(URI.create("rediss://h:1"), LOADER, p).redisTarget());
    assertTrue(
        e.getMessage().contains(pem.toString())
            && e.getMessage().contains("cascade.redis.tls.truststore"),
        e.getMessage());
    assertTrue(e.getMessage().contains("JKS or PKCS12"), e.getMessage());
    assertFalse(e.getMessage().contains(SECRET), "no password in: " + e.getMessage());
  }

  @Test
  void keystore_withoutAPrivateKey_failsSayingWhatIsMissing() {
    TestCertificates certs = TestCertificates.shared();
    Properties p = new Properties();
    // the truststore holds a certificate only: no client certificate to present
    p.setProperty("cascade.redis.tls.keystore", certs.truststore().toString());
    p.setProperty("cascade.redis.tls.keystore-password", certs.password());
    CacheException e =
        assertThrows(
            CacheException.class,
            () -> ManagerSettings.resolve(URI.create("rediss://h:1"), LOADER, p).redisTarget());
    assertTrue(
        e.getMessage().contains("no private key")
            && e.getMessage().contains(certs.truststore().toString()),
        e.getMessage());
  }

  @Test
  void truststore_missingFromTheClassPath_namesTheSetting() {
    Properties p = new Properties();
    p.setProperty("cascade.redis.tls.truststore", "classpath:no-such-truststore.p12");
    CacheException e =
        assertThrows(
            CacheException.class,
            () -> ManagerSettings.resolve(URI.create("rediss://h:1"), LOADER, p).redisTarget());
    assertTrue(
        e.getMessage().contains("cascade.redis.tls.truststore")
            && e.getMessage().contains("classpath:no-such-truststore.p12"),
        e.getMessage());
  }
}
