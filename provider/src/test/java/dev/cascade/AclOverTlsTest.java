package dev.cascade;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestCertificates;
import io.lettuce.core.ClientOptions;
import java.util.Properties;

/**
 * {@link AclContract} over TLS: {@code rediss://cascade:...@127.0.0.1:port} with the truststore
 * setting, on a server that listens on TLS only. Every connection Cascade opens (the shared one,
 * pub/sub, near cache invalidations, write-behind's) must both verify the server and log in as the
 * least-privilege user.
 */
class AclOverTlsTest extends AclContract {

  private final TestCertificates certs = TestCertificates.shared();

  @Override
  RedisServer start() {
    return aclServer().tls(certs, false).start();
  }

  @Override
  Properties properties() {
    Properties p = new Properties();
    p.setProperty("cascade.redis.tls.truststore", certs.truststore().toString());
    p.setProperty("cascade.redis.tls.truststore-password", certs.password());
    return p;
  }

  @Override
  ClientOptions rawOptions() {
    return tlsOptions(certs.truststore().toFile(), certs.password());
  }
}
