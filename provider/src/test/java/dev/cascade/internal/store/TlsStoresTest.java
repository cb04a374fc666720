package dev.cascade.internal.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.TestCertificates;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Which clients get the truststore and keystore. A TLS cluster is not among the real-server tests
 * yet (the cluster fixture speaks plain), so its options are checked here: the same stores as a
 * single server's, loadable into a TLS context.
 */
class TlsStoresTest {

  private static TlsStores stores(TestCertificates certs) throws Exception {
    char[] password = certs.password().toCharArray();
    return new TlsStores(
        new TlsStores.Store(
            "cascade.redis.tls.truststore",
            certs.truststore().toUri().toURL(),
            certs.truststore().toString(),
            password),
        new TlsStores.Store(
            "cascade.redis.tls.keystore",
            certs.clientKeystore().toUri().toURL(),
            certs.clientKeystore().toString(),
            password));
  }

  @Test
  void clusterTarget_rediss_getsTheStoresOnItsClusterOptions() throws Exception {
    TestCertificates certs = TestCertificates.shared();
    RedisTarget target =
        RedisTarget.parse("rediss-cluster://127.0.0.1:7000,127.0.0.1:7001", Duration.ofSeconds(5))
            .withTls(stores(certs));
    assertTrue(
        target.uris().stream().allMatch(uri -> uri.isSsl() && uri.isVerifyPeer()),
        "every seed: TLS, verified");
    ClientOptions options = RedisAccess.withTls(ClusterClientOptions.builder(), target).build();
    assertTrue(options instanceof ClusterClientOptions);
    SslOptions ssl = options.getSslOptions();
    assertNotSame(ClientOptions.DEFAULT_SSL_OPTIONS, ssl);
    // opens both stores with their passwords, as every handshake will
    assertTrue(ssl.createSslContextBuilder().build().isClient());
  }

  @Test
  void plainTarget_keepsLettucesDefaults() {
    RedisTarget target = RedisTarget.parse("redis://127.0.0.1:6379", Duration.ofSeconds(5));
    assertFalse(target.isTls());
    assertSame(
        ClientOptions.DEFAULT_SSL_OPTIONS,
        RedisAccess.withTls(ClientOptions.builder(), target).build().getSslOptions());
  }

  @Test
  void toString_namesTheFiles_neverThePasswords() throws Exception {
    TestCertificates certs = TestCertificates.shared();
    String shown = stores(certs).toString();
    assertTrue(
        shown.contains(certs.truststore().toString())
            && shown.contains(certs.clientKeystore().toString()),
        shown);
    assertFalse(shown.contains(certs.password()), shown);
  }
}
