package dev.cascade.internal.config;

import dev.cascade.internal.store.TlsStores;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.Collections;
import java.util.Properties;
import javax.cache.CacheException;

/**
 * Reads the TLS settings: which truststore decides whether the server is trusted, and which
 * keystore holds the client certificate. Each store is opened here once, with its password, so a
 * missing file, a wrong password or a store without the expected entries fails at {@code
 * getCacheManager} with a message naming the setting and the file, instead of at the TLS handshake
 * with a stack trace.
 *
 * <p>A location is a file path, a {@code file:} URL or {@code classpath:name}. JKS and PKCS12 both
 * work (the JDK's key store reads either, whatever the file is called).
 *
 * <p>Never puts a password into a message.
 */
final class TlsSettings {

  static final String TRUSTSTORE = "cascade.redis.tls.truststore";
  static final String TRUSTSTORE_PASSWORD = "cascade.redis.tls.truststore-password";
  static final String KEYSTORE = "cascade.redis.tls.keystore";
  static final String KEYSTORE_PASSWORD = "cascade.redis.tls.keystore-password";

  private TlsSettings() {}

  /** The first TLS setting that is set, or null. */
  static String anySet(Properties properties) {
    for (String setting :
        new String[] {TRUSTSTORE, TRUSTSTORE_PASSWORD, KEYSTORE, KEYSTORE_PASSWORD}) {
      if (properties.getProperty(setting) != null) {
        return setting;
      }
    }
    return null;
  }

  /**
   * @throws CacheException naming the setting and the file when a store cannot be used
   */
  static TlsStores read(Properties properties, ClassLoader loader) {
    TlsStores.Store truststore =
        store(properties, loader, TRUSTSTORE, TRUSTSTORE_PASSWORD, "truststore");
    TlsStores.Store keystore = store(properties, loader, KEYSTORE, KEYSTORE_PASSWORD, "keystore");
    return truststore == null && keystore == null
        ? TlsStores.NONE
        : new TlsStores(truststore, keystore);
  }

  private static TlsStores.Store store(
      Properties properties,
      ClassLoader loader,
      String setting,
      String passwordSetting,
      String what) {
    String value = properties.getProperty(setting);
    String password = properties.getProperty(passwordSetting);
    if (value == null || value.isBlank()) {
      if (password != null) {
        throw new CacheException(
            "Setting "
                + passwordSetting
                + " is set, but "
                + setting
                + " (the "
                + what
                + " it opens) is not");
      }
      return null;
    }
    String display = value.trim();
    URL location = locate(display, setting, loader);
    char[] secret = password == null ? null : password.toCharArray();
    check(
        location,
        secret,
        what,
        "the " + what + " " + display + " (" + setting + ")",
        passwordSetting);
    return new TlsStores.Store(setting, location, display, secret);
  }

  private static URL locate(String value, String setting, ClassLoader loader) {
    if (value.startsWith("classpath:")) {
      String name = value.substring("classpath:".length());
      while (name.startsWith("/")) {
        name = name.substring(1);
      }
      ClassLoader cl = loader != null ? loader : TlsSettings.class.getClassLoader();
      URL url = cl.getResource(name);
      if (url == null) {
        throw new CacheException(
            "Setting " + setting + " names " + value + ", which is not on the class path");
      }
      return url;
    }
    if (value.startsWith("file:")) {
      try {
        return new URL(value);
      } catch (MalformedURLException e) {
        throw new CacheException(
            "Setting " + setting + " names " + value + ", which is not a valid file: URL", e);
      }
    }
    Path path;
    try {
      path = Path.of(value);
    } catch (InvalidPathException e) {
      throw new CacheException(
          "Setting " + setting + " names " + value + ", which is not a valid path", e);
    }
    if (!Files.isRegularFile(path)) {
      throw new CacheException(
          "Setting "
              + setting
              + " names "
              + value
              + ", which "
              + (Files.exists(path) ? "is not a file" : "does not exist")
              + (path.isAbsolute() ? "" : " (relative to " + Path.of("").toAbsolutePath() + ")"));
    }
    try {
      return path.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new CacheException(
          "Setting " + setting + " names " + value + ", which is not a valid path", e);
    }
  }

  /**
   * Opens the store as Lettuce will (the JVM's default key store type, which reads JKS and PKCS12)
   * and checks that it holds what a {@code what} must: a certificate to trust, or a private key.
   */
  private static void check(
      URL location, char[] password, String what, String described, String passwordSetting) {
    KeyStore store;
    try (InputStream in = location.openStream()) {
      store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(in, password);
    } catch (FileNotFoundException e) {
      throw new CacheException("Cannot read " + described + ": it does not exist", e);
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw new CacheException(
            "Cannot open "
                + described
                + ": the password is wrong ("
                + (password == null ? passwordSetting + " is not set" : "see " + passwordSetting)
                + ")",
            e);
      }
      throw new CacheException(
          "Cannot read " + described + " as a JKS or PKCS12 key store: " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new CacheException(
          "Cannot read " + described + " as a JKS or PKCS12 key store: " + e.getMessage(), e);
    }
    try {
      boolean found = false;
      for (String alias : Collections.list(store.aliases())) {
        if ("truststore".equals(what)
            ? store.getCertificate(alias) != null
            : store.isKeyEntry(alias)) {
          found = true;
          if ("keystore".equals(what)) {
            // Lettuce opens the key with the keystore's password: a key with another one fails each
            // handshake
            store.getKey(alias, password == null ? new char[0] : password);
          }
        }
      }
      if (!found) {
        throw new CacheException(
            described.substring(0, 1).toUpperCase()
                + described.substring(1)
                + " holds no "
                + ("truststore".equals(what) ? "certificate" : "private key")
                + (password == null
                    ? " that opens without a password (is " + passwordSetting + " missing?)"
                    : ""));
      }
    } catch (UnrecoverableKeyException e) {
      throw new CacheException(
          "Cannot open the private key in "
              + described
              + " with the keystore's password ("
              + passwordSetting
              + "): the key must have the same password as the keystore",
          e);
    } catch (GeneralSecurityException e) {
      throw new CacheException("Cannot read " + described + ": " + e.getMessage(), e);
    }
  }
}
