package dev.cascade.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TestCertificatesTest {

  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  @Test
  void shared_serverCertificate_namesLoopbackAndIsSignedByTheCa() throws Exception {
    TestCertificates certs = TestCertificates.shared();
    X509Certificate ca = certificate(certs.caCertificate());
    X509Certificate server = certificate(certs.serverCertificate());
    server.verify(ca.getPublicKey());
    assertTrue(ca.getBasicConstraints() >= 0, "the authority is a CA");
    assertEquals(Set.of("7:127.0.0.1", "2:localhost"), names(server));
    assertEquals(List.of(SERVER_AUTH), server.getExtendedKeyUsage());
  }

  @Test
  void shared_serverKey_isUnencryptedPkcs8Pem_ofTheServerCertificate() throws Exception {
    TestCertificates certs = TestCertificates.shared();
    String pem = Files.readString(certs.serverKey(), StandardCharsets.US_ASCII);
    assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----\n"), pem);
    byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    assertSignsFor(key, certificate(certs.serverCertificate()));
  }

  @Test
  void shared_clientKeystore_holdsTheClientKeyWithItsSignedChain() throws Exception {
    TestCertificates certs = TestCertificates.shared();
    KeyStore store = load(certs.clientKeystore(), certs.password());
    Certificate[] chain = store.getCertificateChain("client");
    assertEquals(2, chain.length);
    X509Certificate ca = certificate(certs.caCertificate());
    chain[0].verify(ca.getPublicKey());
    assertArrayEquals(ca.getEncoded(), chain[1].getEncoded());
    assertEquals(List.of(CLIENT_AUTH), ((X509Certificate) chain[0]).getExtendedKeyUsage());
    assertSignsFor(
        (PrivateKey) store.getKey("client", certs.password().toCharArray()),
        (X509Certificate) chain[0]);
  }

  @Test
  void shared_truststore_holdsOnlyTheCa() throws Exception {
    TestCertificates certs = TestCertificates.shared();
    KeyStore store = load(certs.truststore(), certs.password());
    assertEquals(1, store.size());
    String alias = store.aliases().nextElement();
    assertTrue(store.isCertificateEntry(alias));
    assertArrayEquals(
        certificate(certs.caCertificate()).getEncoded(), store.getCertificate(alias).getEncoded());
  }

  @Test
  void create_otherNamesAndAnotherCa_serverCertificateCarriesOnlyThoseNames() throws Exception {
    TestCertificates other = TestCertificates.create("dns:elsewhere.invalid");
    assertEquals(Set.of("2:elsewhere.invalid"), names(certificate(other.serverCertificate())));
    X509Certificate sharedCa = certificate(TestCertificates.shared().caCertificate());
    // signed by its own authority: whoever trusts the shared one does not trust this one
    assertThrows(
        GeneralSecurityException.class,
        () -> certificate(other.serverCertificate()).verify(sharedCa.getPublicKey()));
  }

  private static void assertSignsFor(PrivateKey key, X509Certificate certificate) throws Exception {
    byte[] data = "cascade".getBytes(StandardCharsets.US_ASCII);
    Signature sign = Signature.getInstance("SHA256withECDSA");
    sign.initSign(key);
    sign.update(data);
    byte[] signature = sign.sign();
    Signature verify = Signature.getInstance("SHA256withECDSA");
    verify.initVerify(certificate.getPublicKey());
    verify.update(data);
    assertTrue(
        verify.verify(signature), "the key belongs to " + certificate.getSubjectX500Principal());
  }

  private static Set<String> names(X509Certificate certificate) throws Exception {
    Set<String> names = new TreeSet<>();
    for (List<?> name : certificate.getSubjectAlternativeNames()) {
      names.add(name.get(0) + ":" + name.get(1));
    }
    return names;
  }

  private static X509Certificate certificate(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static KeyStore load(Path file, String password) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, password.toCharArray());
    }
    return store;
  }
}
