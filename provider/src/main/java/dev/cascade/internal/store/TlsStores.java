package dev.cascade.internal.store;

import io.lettuce.core.SslOptions;
import java.net.URL;

/**
 * The truststore and keystore of a CacheManager's TLS connections, as its settings named them (the
 * configuration has checked that each opens with its password). The truststore decides which
 * servers are trusted (else the JVM's default truststore, {@code javax.net.ssl.trustStore}); the
 * keystore holds the client certificate a server with {@code tls-auth-clients yes} asks for.
 *
 * <p>Immutable. Passwords go to Lettuce only: {@link #toString()} and every message name the files
 * and the settings, never a password.
 */
public final class TlsStores {

  /** No truststore, no keystore: the JVM's default trust, no client certificate. */
  public static final TlsStores NONE = new TlsStores(null, null);

  /**
   * One key store file: where it is, its password, and the setting that named it (for messages).
   */
  public static final class Store {

    private final String setting;
    private final URL location;
    private final String display;
    private final char[] password;

    /**
     * @param display the location as the setting gave it, for messages
     * @param password null when none was set
     */
    public Store(String setting, URL location, String display, char[] password) {
      this.setting = setting;
      this.location = location;
      this.display = display;
      this.password = password == null ? new char[0] : password.clone();
    }

    /** "the truststore /etc/app/redis-trust.p12 (cascade.redis.tls.truststore)". */
    public String describe(String what) {
      return "the " + what + " " + display + " (" + setting + ")";
    }

    /**
     * Opened on each connection attempt, so a file replaced on disk is used from the next
     * reconnect.
     */
    private SslOptions.Resource resource() {
      return location::openStream;
    }

    @Override
    public String toString() {
      return display;
    }
  }

  private final Store truststore;
  private final Store keystore;

  /**
   * @param truststore null: the JVM's default; @param keystore null: no client certificate
   */
  public TlsStores(Store truststore, Store keystore) {
    this.truststore = truststore;
    this.keystore = keystore;
  }

  public boolean isEmpty() {
    return truststore == null && keystore == null;
  }

  Store truststore() {
    return truststore;
  }

  Store keystore() {
    return keystore;
  }

  /**
   * Lettuce's options for TLS connections: the stores as given; peer verification stays Lettuce's
   * default ({@code verifyPeer} FULL: the chain and the host name of the URI). The JDK's TLS, even
   * when netty-tcnative is on the class path: {@link RedisFailures} explains handshake failures by
   * the JDK's exceptions.
   */
  SslOptions sslOptions() {
    SslOptions.Builder builder = SslOptions.builder().jdkSslProvider();
    if (truststore != null) {
      builder.truststore(truststore.resource(), truststore.password.clone());
    }
    if (keystore != null) {
      builder.keystore(keystore.resource(), keystore.password.clone());
    }
    return builder.build();
  }

  @Override
  public String toString() {
    if (isEmpty()) {
      return "the JVM's default truststore, no client certificate";
    }
    return "truststore "
        + (truststore == null ? "(the JVM's default)" : truststore)
        + ", keystore "
        + (keystore == null ? "(none)" : keystore);
  }
}
