package dev.cascade.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway certificate authority with a server certificate and a client certificate, made at
 * test time by the JDK's own {@code keytool}: no network, no {@code openssl}, nothing to install
 * beyond the JDK that runs the tests.
 *
 * <pre>{@code
 * TestCertificates certs = TestCertificates.shared();
 * try (RedisServer redis = RedisServer.builder().tls(certs, true).start()) {   // rediss://127.0.0.1:<port>
 *     Properties p = new Properties();
 *     p.setProperty("cascade.redis.tls.truststore", certs.truststore().toString());
 *     p.setProperty("cascade.redis.tls.truststore-password", certs.password());
 *     ...
 * }
 * }</pre>
 *
 * <p>What is made, in a temporary directory deleted at JVM exit:
 *
 * <ul>
 *   <li>for redis-server, PEM: {@link #caCertificate()} ({@code tls-ca-cert-file}), {@link
 *       #serverCertificate()} ({@code tls-cert-file}) and {@link #serverKey()} ({@code
 *       tls-key-file}, unencrypted PKCS#8);
 *   <li>for Java clients, PKCS12 with the password {@link #password()}: {@link #truststore()} (the
 *       CA certificate) and {@link #clientKeystore()} (the client's key with its chain).
 * </ul>
 *
 * The server certificate names {@code 127.0.0.1} and {@code localhost} (subject alternative names),
 * unless {@link #create(String...)} is given other names: a client that verifies host names then
 * refuses it. EC P-256 keys: quick to make, and every TLS stack in play accepts them.
 *
 * <p>keytool makes the keys and signs the certificates; Java's {@link KeyStore} does the rest
 * (keytool cannot export a private key, and Redis wants PEM). Immutable once made; thread-safe.
 */
public final class TestCertificates {

  /** The password of every key store made here; these are test keys, worthless outside a test. */
  private static final String PASSWORD = "cascade-test-password";

  private static final String[] LOOPBACK_NAMES = {"ip:127.0.0.1", "dns:localhost"};
  private static final long KEYTOOL_TIMEOUT_SECONDS = 60;

  private static TestCertificates shared;

  private final Path dir;

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  /**
   * One set per JVM, made on first use (keytool runs seven times: a few seconds on a busy machine),
   * for the 127.0.0.1/localhost server certificate every TLS test can share.
   */
  public static synchronized TestCertificates shared() {
    if (shared == null) {
      shared = create();
    }
    return shared;
  }

  /**
   * A new authority and certificates of its own: a client that trusts {@link #shared()} does not
   * trust these, which is how a test shows an untrusted server being refused.
   *
   * @param serverNames the server certificate's subject alternative names in keytool's form ({@code
   *     ip:127.0.0.1}, {@code dns:localhost}); none given: those two
   * @throws FixtureException naming the keytool command that failed, with its output
   */
  public static TestCertificates create(String... serverNames) {
    Path dir;
    try {
      dir = Files.createTempDirectory("cascade-certs-");
    } catch (IOException e) {
      throw new FixtureException("cannot create a temp directory for test certificates", e);
    }
    ProcessReaper.registerDirectory(dir);
    TestCertificates certs = new TestCertificates(dir);
    certs.make(serverNames.length == 0 ? LOOPBACK_NAMES : serverNames);
    return certs;
  }

  /** The directory holding every file. */
  public Path directory() {
    return dir;
  }

  /** The authority's certificate, PEM: redis-server's {@code tls-ca-cert-file}. */
  public Path caCertificate() {
    return dir.resolve("ca.crt");
  }

  /** The server certificate, PEM, signed by the authority: redis-server's {@code tls-cert-file}. */
  public Path serverCertificate() {
    return dir.resolve("server.crt");
  }

  /** The server's private key, unencrypted PKCS#8 PEM: redis-server's {@code tls-key-file}. */
  public Path serverKey() {
    return dir.resolve("server.key");
  }

  /** PKCS12 holding only the authority's certificate, password {@link #password()}. */
  public Path truststore() {
    return dir.resolve("truststore.p12");
  }

  /**
   * PKCS12 holding the client's key and its chain (client, authority), password {@link
   * #password()}.
   */
  public Path clientKeystore() {
    return dir.resolve("client.p12");
  }

  /** The password of {@link #truststore()} and {@link #clientKeystore()}. */
  public String password() {
    return PASSWORD;
  }

  /**
   * A TLS context that trusts the authority and presents the client certificate: for fixtures' own
   * connections ({@link RedisServer}'s PING, INFO, SHUTDOWN).
   */
  public SSLContext sslContext() {
    try {
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(load(clientKeystore()), PASSWORD.toCharArray());
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(load(truststore()));
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new FixtureException(
          "cannot build a TLS context from the test certificates in " + dir, e);
    }
  }

  @Override
  public String toString() {
    return "test certificates in " + dir;
  }

  private void make(String[] serverNames) {
    try {
      // a name of its own: a client that trusts another set's CA must not even find a candidate
      // issuer
      String caName = "CN=Cascade test CA " + dir.getFileName();
      keytool(
          "-genkeypair",
          "-keystore",
          "ca.p12",
          "-alias",
          "ca",
          "-dname",
          caName,
          "-ext",
          "bc:c=ca:true",
          "-ext",
          "ku:c=keyCertSign,cRLSign");
      signed("server", "CN=localhost", "san=" + String.join(",", serverNames), "eku=serverAuth");
      signed("client", "CN=cascade-test-client", null, "eku=clientAuth");

      KeyStore ca = load(dir.resolve("ca.p12"));
      X509Certificate caCert = (X509Certificate) ca.getCertificate("ca");
      writePem(caCertificate(), "CERTIFICATE", caCert.getEncoded());

      KeyStore server = load(dir.resolve("server.p12"));
      writePem(serverKey(), "PRIVATE KEY", pkcs8(server.getKey("server", PASSWORD.toCharArray())));

      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("cascade-test-ca", caCert);
      store(trust, truststore());

      // keytool left the client's key with a self-signed certificate: pair it with the signed chain
      KeyStore client = load(dir.resolve("client.p12"));
      PrivateKey clientKey = (PrivateKey) client.getKey("client", PASSWORD.toCharArray());
      KeyStore keystore = KeyStore.getInstance("PKCS12");
      keystore.load(null, null);
      keystore.setKeyEntry(
          "client",
          clientKey,
          PASSWORD.toCharArray(),
          new Certificate[] {readCertificate(dir.resolve("client.crt")), caCert});
      store(keystore, clientKeystore());
    } catch (GeneralSecurityException | IOException e) {
      throw new FixtureException("cannot make test certificates in " + dir, e);
    }
  }

  /**
   * A key pair in {@code <name>.p12}, its certificate signed by the authority in {@code
   * <name>.crt}.
   */
  private void signed(String name, String dname, String san, String eku) {
    keytool("-genkeypair", "-keystore", name + ".p12", "-alias", name, "-dname", dname);
    keytool("-certreq", "-keystore", name + ".p12", "-alias", name, "-file", name + ".csr");
    List<String> sign =
        new ArrayList<>(
            List.of(
                "-gencert",
                "-keystore",
                "ca.p12",
                "-alias",
                "ca",
                "-infile",
                name + ".csr",
                "-outfile",
                name + ".crt",
                "-rfc",
                "-ext",
                "ku:c=digitalSignature,keyAgreement",
                "-ext",
                eku));
    if (san != null) {
      sign.add("-ext");
      sign.add(san);
    }
    keytool(sign.toArray(new String[0]));
  }

  private void keytool(String... args) {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    if (!Files.isExecutable(keytool)) {
      throw new FixtureException(
          "no keytool at "
              + keytool
              + ": the test certificates need a full JDK"
              + " (on Debian: apt-get install openjdk-17-jdk-headless)");
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                keytool.toString(),
                // a short-lived JVM: skip the optimising compiler, one GC thread
                "-J-XX:TieredStopAtLevel=1",
                "-J-XX:+UseSerialGC"));
    command.addAll(List.of(args));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-noprompt"));
    if (args[0].equals("-genkeypair")) {
      // a day in the past: a clock a little behind the signer's does not see a future certificate
      command.addAll(
          List.of(
              "-keyalg", "EC", "-groupname", "secp256r1", "-startdate", "-1d", "-validity", "30"));
    }
    if (args[0].equals("-gencert")) {
      command.addAll(List.of("-startdate", "-1d", "-validity", "30"));
    }
    Path output = dir.resolve("keytool.log");
    try {
      // output goes to a file, not a pipe: reading a pipe could block past any deadline
      Process p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      if (!p.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new FixtureException(
            String.join(" ", command) + " did not exit within " + KEYTOOL_TIMEOUT_SECONDS + " s");
      }
      if (p.exitValue() != 0) {
        throw new FixtureException(
            String.join(" ", command)
                + " failed with exit code "
                + p.exitValue()
                + ":\n"
                + Files.readString(output));
      }
    } catch (IOException e) {
      throw new FixtureException("cannot run " + keytool, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FixtureException("interrupted while running keytool in " + dir, e);
    }
  }

  private static byte[] pkcs8(Key key) {
    if (!"PKCS#8".equals(key.getFormat())) {
      throw new FixtureException(
          "keytool made a " + key.getFormat() + " key where PKCS#8 was expected");
    }
    return key.getEncoded();
  }

  private static X509Certificate readCertificate(Path pem)
      throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static KeyStore load(Path file) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, PASSWORD.toCharArray());
    }
    return store;
  }

  private static void store(KeyStore store, Path file)
      throws IOException, GeneralSecurityException {
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, PASSWORD.toCharArray());
    }
  }

  private static void writePem(Path file, String type, byte[] der) throws IOException {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    Files.writeString(
        file,
        "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n",
        StandardCharsets.US_ASCII);
  }
}
